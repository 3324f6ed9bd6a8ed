"""Reusable widgets of the Demandas app."""
