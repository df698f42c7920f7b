"""Watercooler service package."""
