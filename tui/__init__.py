"""Demandas: the terminal application, its adapters and its command line."""
