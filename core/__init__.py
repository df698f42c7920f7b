"""Watercooler core package."""
