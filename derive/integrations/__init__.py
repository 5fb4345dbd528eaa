"""Thin layers over the API: pytest assertions and plugin, hypothesis strategies, notebook
display."""
