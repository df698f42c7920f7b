"""Vector index protocol and its adapters (Qdrant Edge embedded, Qdrant server)."""
