"""Source connectors: one module per source kind."""
