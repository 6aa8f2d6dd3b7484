"""Demo and national data sets (``python -m opco demo`` calls them); never imported by the
product."""
