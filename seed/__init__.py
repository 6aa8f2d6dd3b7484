"""Demo and national data sets (``python -m db demo`` calls them); never imported by the product."""
