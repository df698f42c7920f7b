"""Watercooler ingest package."""
