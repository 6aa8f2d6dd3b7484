"""The console's command line: the composition root that puts the layers together.

``python -m opco upgrade|demo|import`` migrates the schema (``db``), fills a database with the
demo data sets (``seed``, outside the product) and imports contract files
(``workflow.contracts.importing``). It sits above every layer (the import-linter contracts of
pyproject.toml), so that ``db`` imports neither ``seed`` nor ``workflow``; ``python -m db
upgrade`` stays the data layer's own command.
"""
