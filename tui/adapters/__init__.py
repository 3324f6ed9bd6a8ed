"""Implementations of the adapter contract (:mod:`tui.adapter`)."""
