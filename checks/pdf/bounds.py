"""Bounds on what drawing a PDF costs, measured before PDFium or pdfplumber parse a page.

PDFium inflates a page's content streams completely when it loads the page, and draws a form
XObject each time a content stream names it: a 5 MB file can inflate to gigabytes, a 2 KB file
of forms nested a few levels deep can expand to billions of operators. Here pypdf walks the
page tree (its decoders stop at their own output limits, ``LimitReachedError``) and adds up:

- the inflated bytes of every page's content streams and form XObjects (``MAX_CONTENT_BYTES``),
- the bytes drawn once every form is expanded where it is used (``MAX_EXPANDED_BYTES``),
- the nesting depth of form XObjects (``MAX_FORM_DEPTH``),
- the declared pixels of each image XObject (``MAX_PIXELS``).

A file pypdf cannot walk is left to the sandbox's limits (``checks.sandbox``).
"""

from __future__ import annotations

import io
import logging
import re

from checks.model import MAX_PAGES, MAX_PIXELS, FileRejected

MAX_CONTENT_BYTES = 64 * 1024 * 1024  # inflated content of all pages and forms, each once
MAX_EXPANDED_BYTES = 64 * 1024 * 1024  # the same with every form counted each time it is drawn
MAX_FORM_DEPTH = 8  # forms inside forms (an invoice template uses 1 or 2)
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b")

logging.getLogger("pypdf").setLevel(logging.ERROR)


class _TooCostly(Exception):
    pass


def check_pdf_costs(data: bytes) -> None:
    """Raise ``FileRejected("too_costly")`` when drawing the PDF would exceed a bound."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import LimitReachedError
    except ImportError:  # pragma: no cover - pinned in requirements.txt
        return
    walker = _Walker()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        for index, page in enumerate(reader.pages):
            if index >= MAX_PAGES:
                break  # PDFium refuses the page count
            resources = _get(page, "/Resources") or {}
            walker.expanded += walker.content(page.get_contents(), resources, 0)
            if walker.expanded > MAX_EXPANDED_BYTES:
                raise _TooCostly
    except (_TooCostly, LimitReachedError, MemoryError):
        raise FileRejected("too_costly", "Fichier trop coûteux à analyser : son contenu se "
                           "décompresse ou se dessine en trop de données pour une facture ; "
                           "déposez un PDF plus simple.") from None
    except Exception:
        return  # unreadable for pypdf: PDFium decides, inside the sandbox's limits


def _get(obj: object, key: str) -> object:
    try:
        value = obj.get(key)  # type: ignore[attr-defined]
        return value.get_object() if value is not None else None
    except Exception:
        return None


class _Walker:
    def __init__(self) -> None:
        self.inflated = 0
        self.expanded = 0
        self.forms: dict[int, int] = {}  # id of a form's stream object -> its expanded size

    def _bytes(self, stream: object) -> bytes:
        if stream is None:
            return b""
        body: bytes = stream.get_data()  # type: ignore[attr-defined]
        self.inflated += len(body)
        if self.inflated > MAX_CONTENT_BYTES:
            raise _TooCostly
        return body

    def content(self, stream: object, resources: object, depth: int) -> int:
        """Return the expanded size of one content stream drawn with ``resources``."""
        body = self._bytes(stream)
        xobjects = _get(resources, "/XObject") or {}
        size = len(body)
        for match in _DO.finditer(body):
            size += self.xobject(xobjects, "/" + match.group(1).decode("latin-1"), resources,
                                 depth)
            if size > MAX_EXPANDED_BYTES:
                raise _TooCostly
        return size

    def xobject(self, xobjects: object, name: str, resources: object, depth: int) -> int:
        ref = xobjects.get(name) if hasattr(xobjects, "get") else None
        target = _get(xobjects, name)
        if target is None:
            return 0
        subtype = target.get("/Subtype")  # type: ignore[attr-defined]
        if subtype == "/Image":
            width, height = int(target.get("/Width", 0)), int(target.get("/Height", 0))  # type: ignore[attr-defined]
            if width * height > MAX_PIXELS:
                raise _TooCostly
            return 0
        if subtype != "/Form":
            return 0
        if depth + 1 > MAX_FORM_DEPTH:
            raise _TooCostly
        key = getattr(ref, "idnum", None) or id(target)
        if key not in self.forms:
            own = _get(target, "/Resources") or resources
            self.forms[key] = self.content(target, own, depth + 1)
        return self.forms[key]
