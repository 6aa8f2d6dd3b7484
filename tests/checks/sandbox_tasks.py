"""Tasks run in a sandbox worker by tests/checks/test_sandbox.py (importable by reference, and
light: the worker imports this module, not the test module and its database fixtures)."""

from __future__ import annotations

import os
import tempfile
import time


def spin() -> None:
    """Burn CPU until the CPU limit stops it."""
    while True:
        pass


def allocate(mib: int) -> int:
    """Allocate ``mib`` MiB at once."""
    return len(bytearray(mib * 1024 * 1024))


def tmpdir() -> tuple[str, bool]:
    """The temporary directory of the task, and whether a temporary file lands in it."""
    with tempfile.NamedTemporaryFile() as handle:
        return tempfile.gettempdir(), os.path.dirname(handle.name) == tempfile.gettempdir()


def prepared_size(width: int, height: int) -> tuple[int, int]:
    """The size of the image ``checks.pdf.ocr`` gives Tesseract for a blank width × height."""
    from PIL import Image

    from checks.pdf.ocr import _prepare

    return _prepare(Image.new("L", (width, height), 255))[0].size


def warm() -> int:
    """Hold the worker a moment (so that two calls land on two workers); its pid."""
    time.sleep(0.5)
    return os.getpid()
