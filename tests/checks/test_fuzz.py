"""Random and mutated bytes: a Report or a FileRejected, never anything else, never a hang."""

from __future__ import annotations

import functools
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks import Expected, FileRejected, check_document
from specimens import InvoiceSpec, make_invoice

NAMES = st.sampled_from(["facture.pdf", "scan.png", "scan.jpg", "scan.gif", "x.exe", "a.pdf"])
PREFIXES = st.sampled_from([b"", b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"\xff\xd8\xff"])


@functools.lru_cache(maxsize=1)
def _pdf() -> bytes:
    return make_invoice(InvoiceSpec())


def _run(data: bytes, name: str) -> None:
    start = time.monotonic()
    try:
        check_document(data, name, Expected(total=None), deadline_s=10)
    except FileRejected as exc:
        assert exc.message and "\n" not in exc.message
    assert time.monotonic() - start < 15


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=PREFIXES, body=st.binary(max_size=4096), name=NAMES)
def test_random_bytes(prefix: bytes, body: bytes, name: str) -> None:
    _run(prefix + body, name)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cuts=st.lists(st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=8)),
                     min_size=1, max_size=6))
def test_mutated_pdf(cuts: list[tuple[int, bytes]]) -> None:
    data = bytearray(_pdf())
    for position, chunk in cuts:
        at = position % len(data)
        data[at:at + len(chunk)] = chunk
    _run(bytes(data), "facture.pdf")
