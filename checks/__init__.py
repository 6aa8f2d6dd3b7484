"""Document checks: read a deposited invoice and say, with evidence, whether it matches its
pro forma. Never imports streamlit or the database layer.

Public API::

    from checks import Expected, Evidence, CheckResult, Report, FileRejected
    from checks import check_document, validate_file
"""

from checks.core import check_document, run_checks
from checks.model import (
                          CHECK_NAMES,
                          MAX_BYTES,
                          MAX_NAME,
                          MAX_PAGES,
                          MAX_PIXELS,
                          CheckResult,
                          Evidence,
                          Expected,
                          FileRejected,
                          Report,
)
from checks.pdf.validate import validate_file

__all__ = [
    "CHECK_NAMES", "MAX_BYTES", "MAX_NAME", "MAX_PAGES", "MAX_PIXELS", "CheckResult", "Evidence",
    "Expected", "FileRejected", "Report", "check_document", "run_checks", "validate_file",
]
