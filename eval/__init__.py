"""Watercooler eval package."""
