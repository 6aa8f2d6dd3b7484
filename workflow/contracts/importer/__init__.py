"""The steps of the contract import (``workflow.contracts.importing``, its public face):
report (columns, errors, report), reading, validation, applying."""
