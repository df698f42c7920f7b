"""Tests of the Streamlit UI and its client, against a real service."""
