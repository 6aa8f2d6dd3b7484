"""Every verdict of the generated corpus, and zero false passes over all of it."""

from __future__ import annotations

import pytest

from checks import check_document
from checks.pdf.ocr import ocr_available
from specimens import LAYOUTS
from specimens.corpus import FACTURX, SCANNED, facturx_specimen, scan_group, text_group
from tests.checks.helpers import false_passes, mismatches

TEXT_GROUPS = [(layout, draw_no) for layout in LAYOUTS for draw_no in range(2)]


def _outcomes(specimen):
    report = check_document(specimen.data, specimen.filename, specimen.expected)
    return {c.name: c.outcome for c in report.checks}


@pytest.mark.parametrize(("layout", "draw_no"), TEXT_GROUPS)
def test_text_layout_every_variant(layout: str, draw_no: int) -> None:
    wrong, unforgivable = [], []
    for specimen in text_group(layout, draw_no):
        outcomes = _outcomes(specimen)
        wrong += mismatches(specimen, outcomes)
        unforgivable += false_passes(specimen, outcomes)
    assert unforgivable == []
    assert wrong == []


@pytest.mark.parametrize("index", range(len(FACTURX)), ids=[f"{a}-{b}-{c}" for a, b, c in FACTURX])
def test_facturx(index: int) -> None:
    specimen = facturx_specimen(index)
    report = check_document(specimen.data, specimen.filename, specimen.expected)
    outcomes = {c.name: c.outcome for c in report.checks}
    assert report.text_source == "factur-x"
    assert false_passes(specimen, outcomes) == []
    assert mismatches(specimen, outcomes) == []


# OCR costs ~1.5 s a page: the tests scan each pair once, rotating PNG / JPEG / image-only
# PDF; the benchmark (python -m bench.checks) runs all three formats of every pair.
SCAN_CASES = [(i, ("png", "jpeg", "pdf")[i % 3]) for i in range(len(SCANNED))]


@pytest.mark.skipif(not ocr_available(), reason="Tesseract (fra) non installé")
@pytest.mark.parametrize(("index", "fmt"), SCAN_CASES,
                         ids=[f"{SCANNED[i][0]}-{SCANNED[i][1]}-{f}" for i, f in SCAN_CASES])
def test_scans(index: int, fmt: str) -> None:
    for specimen in scan_group(index, formats=(fmt,)):
        report = check_document(specimen.data, specimen.filename, specimen.expected)
        outcomes = {c.name: c.outcome for c in report.checks}
        assert report.text_source == "ocr"
        assert false_passes(specimen, outcomes) == []
        # OCR may misread identifiers: the targeted checks must be exact, the others never a
        # false pass (asserted above).
        for name in ("total", "pro_forma_number"):
            assert outcomes[name] == specimen.truth[name], (specimen.name, name,
                                                            report.result(name).message)
