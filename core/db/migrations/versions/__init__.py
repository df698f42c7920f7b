"""The schema revisions, one module each, named after the schema version they bring."""
