"""File validation: type by content, size, name, encryption, page and pixel limits.

Everything here is cheap and runs before any text extraction, so that a hostile or absurd file
is refused in milliseconds with one French sentence (``FileRejected``), never a traceback.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
import warnings
import zlib
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from checks.model import MAX_BYTES, MAX_NAME, MAX_PAGES, MAX_PIXELS, FileRejected
from checks.pdf.bounds import check_pdf_costs

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
GIF = "image/gif"

# PDFium is not thread-safe; Streamlit serves sessions from several threads.
PDFIUM_LOCK = threading.RLock()

EXTENSIONS = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG, ".gif": GIF}
_LABELS = {PDF: "PDF", JPEG: "image JPEG", PNG: "image PNG", GIF: "image GIF"}
# Active content has no business in an invoice; the review screen opens these files.
_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|RichMedia|XFA)\b")
# Stream bodies (images, fonts, compressed pages) are binary: names are searched outside them.
_STREAMS = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_MAX_OBJSTM = 20 * 1024 * 1024  # decompression bound for one object stream
_EOF_WINDOW = 2048
# Bounds on the work pdfplumber will do (it is pure Python): a dense invoice page holds ~6,000
# characters and a few hundred drawing objects.
MAX_CHARS = 300_000
MAX_OBJECTS_PER_PAGE = 50_000  # %%EOF must sit near the end; truncated uploads lose it


@dataclass(frozen=True)
class Inspection:
    """What validation learnt: the media type and the number of pages (1 for an image)."""

    media_type: str
    page_count: int
    chars: tuple[int, ...] = ()  # characters of each PDF page's text layer (PDFium count)


def validate_file(data: bytes, filename: str) -> str:
    """Return the media type of an acceptable deposit.

    Raises ``FileRejected`` (with a French one-line message and a ``code``) when the file is
    empty, too large, badly named, of a refused type, encrypted, truncated, corrupt, longer
    than ``MAX_PAGES`` pages or larger than ``MAX_PIXELS`` pixels.
    """
    return inspect_file(data, filename).media_type


def inspect_file(data: bytes, filename: str) -> Inspection:
    """Validate like ``validate_file`` and also return the page count."""
    name = base_name(filename)
    _check_name(name)
    _check_size(data)
    media_type = sniff(data)
    if media_type is None:
        raise FileRejected("bad_type", "Type de fichier refusé : seuls les PDF, JPEG, PNG et GIF "
                           "sont acceptés ; déposez la facture dans l'un de ces formats.")
    _check_extension(name, media_type)
    if media_type == PDF:
        count, chars = _inspect_pdf(data)
        return Inspection(PDF, count, chars)
    _inspect_image(data)
    return Inspection(media_type, 1)


def base_name(filename: str) -> str:
    """Return the last path component of ``filename`` (either slash)."""
    return re.split(r"[\\/]", filename or "")[-1]


def sniff(data: bytes) -> str | None:
    """Return the media type decided by the magic bytes, or None when not an accepted type."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    return None


# A file name is shown to the instructeur and stored: it may hold letters, marks, digits,
# punctuation, symbols and plain spaces of any script, nothing else. Refused by category:
# every C* (controls, C1 included, formats such as U+200B, U+061C and the bidi overrides,
# surrogates, private use, unassigned), line and paragraph separators (Zl, Zp). Refused by
# name: whatever looks like a slash or a backslash (a forged path in what the reviewer reads),
# invisible fillers, and the combining solidus overlays.
_NAME_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No",
                              "Zs", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk",
                              "So"})
_NAME_LOOKALIKES = frozenset(
    "\u2044\u2215\u2216\u2571\u2572\u27cb\u27cd\u29f5\u29f6\u29f8\u29f9\ufe68\uff0f\uff3c"
    "\u2f03\u3033\u0337\u0338\u20e5\u115f\u1160\u3164\uffa0\u2800")


def name_problem(name: str) -> str | None:
    """The first character of ``name`` that a file name may not hold, as "U+XXXX" (with its
    Unicode name when it has one); None when every character is in the safe set."""
    for ch in name:
        if ch in "/\\":
            continue  # path separators: only the last component is kept (``base_name``)
        if (unicodedata.category(ch) not in _NAME_CATEGORIES or ch in _NAME_LOOKALIKES
                or unicodedata.normalize("NFKC", ch) in ("/", "\\")):
            label = unicodedata.name(ch, "")
            return f"U+{ord(ch):04X}" + (f" {label}" if label else "")
    return None


def name_message(problem: str) -> str:
    """The French sentence refusing a file name that holds ``problem`` (``name_problem``)."""
    return (f"Nom de fichier refusé : il contient un caractère non autorisé ({problem}), "
            "invisible, de contrôle ou imitant une barre oblique. Renommez le fichier avec des "
            "lettres, des chiffres, des espaces et une ponctuation simple avant de le déposer.")


def _check_name(name: str) -> None:
    if not name.strip():
        raise FileRejected("bad_name", "Nom de fichier vide : renommez le fichier avant de le "
                           "déposer.")
    if (problem := name_problem(name)) is not None:
        raise FileRejected("bad_name", name_message(problem))
    if len(name) > MAX_NAME:
        raise FileRejected("name_too_long", f"Nom de fichier trop long ({len(name)} caractères, "
                           f"{MAX_NAME} au maximum extension comprise) : raccourcissez-le.")


def _check_size(data: bytes) -> None:
    if not data:
        raise FileRejected("empty", "Le fichier est vide (0 octet) : déposez le document complet.")
    if len(data) > MAX_BYTES:
        size = f"{len(data) / (1024 * 1024):.1f}".replace(".", ",")
        raise FileRejected("too_large", f"Fichier trop volumineux ({size} Mo, 5 Mo au maximum) : "
                           "compressez-le ou réduisez la résolution du scan.")


def _check_extension(name: str, media_type: str) -> None:
    match = re.search(r"\.[A-Za-z0-9]+$", name)
    ext = match.group(0).lower() if match else ""
    declared = EXTENSIONS.get(ext)
    if declared is None:
        raise FileRejected("bad_type", f"Extension « {ext or 'aucune'} » refusée : seuls .pdf, "
                           ".jpg, .jpeg, .png et .gif sont acceptés.")
    if declared != media_type:
        raise FileRejected("bad_type", f"L'extension {ext} ne correspond pas au contenu du "
                           f"fichier ({_LABELS[media_type]}) : déposez le bon document.")


def _inspect_pdf(data: bytes) -> tuple[int, tuple[int, ...]]:
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise FileRejected("corrupt", "PDF incomplet ou tronqué : enregistrez-le à nouveau depuis "
                           "votre logiciel et déposez-le.")
    if has_active_content(data):
        raise _active_content()
    check_pdf_costs(data)  # inflated streams, form nesting, image pixels: before PDFium parses
    with PDFIUM_LOCK:
        doc = _open_pdf(data)
        try:
            count = len(doc)
            if pdfium_c.FPDFDoc_GetJavaScriptActionCount(doc.raw) > 0:
                raise _active_content()
            if count < 1:
                raise FileRejected("corrupt", "Le PDF ne contient aucune page : déposez la "
                                   "facture complète.")
            if count > MAX_PAGES:
                raise FileRejected("too_many_pages", f"Le PDF compte {count} pages "
                                   f"({MAX_PAGES} au maximum) : déposez seulement la facture.")
            chars = tuple(_page_chars(doc, i) for i in range(count))
        finally:
            doc.close()
    if sum(chars) > MAX_CHARS:
        raise _too_complex()
    return count, chars


def has_active_content(data: bytes) -> bool:
    """Return True when the PDF names JavaScript, a launch action, rich media or XFA.

    Names are searched outside stream bodies (binary data), after decoding ``#xx`` name
    escapes (``/J#61vaScript``), and inside compressed object streams (PDF 1.5), where
    any dictionary of the file may sit.
    """
    if _ACTIVE.search(_unescape(_STREAMS.sub(b"stream endstream", data))):
        return True
    return any(_ACTIVE.search(_unescape(body)) for body in _object_streams(data))


def _unescape(data: bytes) -> bytes:
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _object_streams(data: bytes) -> list[bytes]:
    """Return the decompressed bodies of the Flate-encoded object streams (size-bounded)."""
    bodies = []
    for match in _STREAMS.finditer(data):
        head = _unescape(data[max(0, match.start() - 1000):match.start()])
        head = head[head.rfind(b"obj"):]
        if b"/ObjStm" not in head:
            continue
        if b"/FlateDecode" not in head:
            bodies.append(head)  # cannot be read here: search the dictionary at least
            continue
        raw = match.group(0)[len(b"stream"):-len(b"endstream")].lstrip(b"\r\n")
        try:
            bodies.append(zlib.decompressobj().decompress(raw, _MAX_OBJSTM))
        except zlib.error:
            continue
    return bodies


def _open_pdf(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise FileRejected("encrypted", "PDF protégé par un mot de passe : déposez une "
                               "version non chiffrée de la facture.") from None
        raise FileRejected("corrupt", "PDF illisible ou endommagé : enregistrez-le à nouveau "
                           "depuis votre logiciel et déposez-le.") from None


def _page_chars(doc: pdfium.PdfDocument, index: int) -> int:
    """Return the character count of a page; refuse pages too heavy to parse in Python."""
    try:
        page = doc[index]
    except pdfium.PdfiumError:
        raise FileRejected("corrupt", f"La page {index + 1} du PDF est illisible : "
                           "enregistrez-le à nouveau depuis votre logiciel.") from None
    try:
        if pdfium_c.FPDFPage_CountObjects(page.raw) > MAX_OBJECTS_PER_PAGE:
            raise _too_complex()
        textpage = page.get_textpage()
        count = int(textpage.count_chars())
        textpage.close()
        return count
    finally:
        page.close()


def _too_complex() -> FileRejected:
    return FileRejected("too_complex", "PDF trop complexe pour une facture (texte ou dessins "
                        "en trop grand nombre) : déposez seulement la facture.")


def _active_content() -> FileRejected:
    return FileRejected("active_content", "Le PDF contient du contenu actif (JavaScript ou "
                        "action automatique) : déposez un PDF simple, sans script.")


def open_image(data: bytes) -> Image.Image:
    """Open an image after checking its pixel count; raises ``FileRejected`` when unusable."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            width, height = image.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except Exception:
            raise FileRejected("corrupt", "Image illisible ou endommagée : numérisez à nouveau "
                               "le document et déposez-le.") from None
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width, height)
    return image


def _too_many_pixels(width: int = 0, height: int = 0) -> FileRejected:
    size = f" ({width} × {height} pixels)" if width else ""
    return FileRejected("too_many_pixels", f"Image trop grande{size}, 40 mégapixels au "
                        "maximum : numérisez à 300 ppp au plus.")


def _inspect_image(data: bytes) -> None:
    image = open_image(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image.load()  # decodes the first frame only; truncated data raises here
        except Exception:
            raise FileRejected("corrupt", "Image illisible ou tronquée : numérisez à nouveau le "
                               "document et déposez-le.") from None
        finally:
            image.close()
