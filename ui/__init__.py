"""Watercooler ui package."""
