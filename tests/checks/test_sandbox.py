"""The sandbox (``checks.sandbox``) and the bounds applied before decoding: the hostile files of
issue 16, generated small on disk, each refused or ``unknown`` within the limits, the work done
in a worker process (this process's peak memory does not grow by the file's cost), and the
console's other calls answering meanwhile.

Times are upper bounds proving "never a hang" on a loaded 2-core machine, not benchmarks.
"""

from __future__ import annotations

import io
import os
import resource
import struct
import threading
import time
import zlib
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import select

from checks import MAX_PIXELS, Expected, FileRejected, sandbox
from checks.pdf.bounds import MAX_CONTENT_BYTES, MAX_EXPANDED_BYTES
from checks.pdf.render import RENDER_MAX_PIXELS
from db.models import Document
from domain.errors import InvalidInput
from specimens import InvoiceSpec, make_invoice
from tests.checks import sandbox_tasks as tasks
from tests.checks.helpers import build_pdf
from tests.workflow.reviewkit import deposit, generate
from workflow.deposits import deposits
from workflow.review import review, review_screen

SLACK_S = 30.0  # on top of a limit: a loaded 2-core CI machine, a killed worker's replacement
GROWTH_MIB = 150  # this process's peak memory may grow by this much, never by the file's cost
SHORT_S = 4.0  # the wall-clock limit used below for files that would run for minutes


# -- hostile files, small on disk ------------------------------------------------------------

def progressive_jpeg(side: int = 4000, repeats: int = 3000) -> bytes:
    """A progressive JPEG whose last scan is repeated: ~160 KB, 30 s to a minute of decoding.
    (300 repeats took 3.7 s on an idle machine once OCR decoded images at half size: under
    the 4 s limit of these tests, which then failed on an idle machine only.)"""
    buffer = io.BytesIO()
    Image.new("L", (side, side), 128).save(buffer, "JPEG", progressive=True, quality=90)
    data = buffer.getvalue()
    last = data.rfind(b"\xff\xda")
    return data[:-2] + data[last:-2] * repeats + b"\xff\xd9"


def nested_forms(depth: int = 5, fan_out: int = 64) -> bytes:
    """Form XObjects nested ``depth`` deep, each drawing the next ``fan_out`` times: ~2 KB
    that expand to ``fan_out ** depth`` drawings."""
    forms = []
    for level in range(depth):
        number = 4 + level
        if level + 1 < depth:
            body = f"/F{level + 1} Do " * fan_out
            res = f"/Resources << /XObject << /F{level + 1} {number + 1} 0 R >> >>"
        else:
            body, res = "0 0 1 1 re f", ""
        forms.append(f"<< /Type /XObject /Subtype /Form /BBox [0 0 9 9] {res} "
                     f"/Length {len(body)} >>\nstream\n{body}\nendstream")
    contents = "/F0 Do"
    return build_pdf([
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject "
        f"<< /F0 4 0 R >> >> /Contents {4 + depth} 0 R >>",
        *forms, f"<< /Length {len(contents)} >>\nstream\n{contents}\nendstream",
    ])


def inflating_pdf(inflated_mib: int = 128) -> bytes:
    """A one-page PDF whose content stream (spaces) inflates to ``inflated_mib`` MiB; a few
    hundred KB on disk, made without holding the inflated bytes."""
    packer, chunk = zlib.compressobj(6), b" " * (1024 * 1024)
    packed = b"".join(packer.compress(chunk) for _ in range(inflated_mib)) + packer.flush()
    head = build_pdf(["<< /Type /Catalog /Pages 2 0 R >>",
                      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                      "<< /Length 1 >>\nstream\nX\nendstream"])
    stream = (b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed
              + b"\nendstream")
    out = head.replace(b"<< /Length 1 >>\nstream\nX\nendstream", stream)
    return _fix_xref(out)


def _fix_xref(pdf: bytes) -> bytes:
    """Recompute the xref offsets of a ``build_pdf`` file whose objects changed size."""
    body = pdf[:pdf.index(b"xref\n")]
    offsets, at = [], 0
    while (at := body.find(b" 0 obj\n", at)) != -1:
        start = body.rfind(b"\n", 0, at) + 1
        offsets.append(start)
        at += 1
    xref = len(body)
    out = body + f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    return out + (f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
                  "%%EOF\n").encode()


def tall_page() -> bytes:
    """A 3 × 14400 pt page with no text (OCR would upscale it to 1600 × 8,000,000 px)."""
    return build_pdf(["<< /Type /Catalog /Pages 2 0 R >>",
                      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 3 14400] >>"])


def strip_png(width: int = 200, height: int = 200_000) -> bytes:
    """A white ``width`` × ``height`` grayscale PNG (40 MP, ~60 KB), written row by row."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    packer, row = zlib.compressobj(9), b"\x00" + b"\xff" * width
    idat = b"".join(packer.compress(row * 1000) for _ in range(height // 1000)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def big_pages(count: int = 50, side: int = 5000) -> bytes:
    """``count`` empty pages of ``side`` × ``side`` pt (the review screen's 40 MP each)."""
    kids = " ".join(f"{i + 3} 0 R" for i in range(count))
    page = f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {side} {side}] >>"
    return build_pdf(["<< /Type /Catalog /Pages 2 0 R >>",
                      f"<< /Type /Pages /Kids [{kids}] /Count {count} >>", *[page] * count])


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture(autouse=True)
def warm_pool() -> None:
    """Both workers up and this module's tasks imported before anything is timed."""
    threads = [threading.Thread(target=sandbox.run, args=(tasks.warm,),
                                kwargs={"timeout": 120}) for _ in range(sandbox.WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class Bounded:
    """Asserts that the block ended within ``limit + SLACK_S`` seconds and that this
    process's peak memory grew by less than ``GROWTH_MIB``."""

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def __enter__(self) -> Bounded:
        self.start, self.peak = time.monotonic(), _peak_mib()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.monotonic() - self.start
        assert self.elapsed < self.limit + SLACK_S
        assert _peak_mib() - self.peak < GROWTH_MIB


def costly(exc: pytest.ExceptionInfo[FileRejected]) -> None:
    assert exc.value.code == "too_costly"
    assert exc.value.message.startswith("Fichier trop coûteux à analyser : ")
    assert "\n" not in exc.value.message


# -- the sandbox's limits --------------------------------------------------------------------

def test_the_work_runs_in_another_process_with_a_private_temporary_directory():
    assert sandbox.run(os.getpid, timeout=30) != os.getpid()
    tmp, used = sandbox.run(tasks.tmpdir, timeout=30)
    assert used and os.path.basename(tmp).startswith("sandbox-")
    assert not os.path.exists(tmp)  # removed once the task is over


def test_new_workers_never_run_the_callers_main_script(tmp_path, monkeypatch):
    """Under Streamlit or AppTest, ``__main__`` may be a page script: a worker started then
    must not run it (it would die without its context and break the pool)."""
    import sys
    import types

    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('a page script ran in a sandbox worker')\n")
    fake = types.ModuleType("__main__")
    fake.__file__ = str(script)
    fake.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", fake)
    sandbox.shutdown()  # the next task starts fresh workers, with this __main__ in place
    assert sandbox.run(os.getpid, timeout=30) != os.getpid()
    sandbox.shutdown()


def test_a_legitimate_invoice_is_checked_in_the_sandbox():
    pdf = make_invoice(InvoiceSpec())
    report = sandbox.check_document(pdf, "facture.pdf", Expected(total=Decimal("9654.00")))
    assert report.outcome("file") == "pass" and report.outcome("total") == "pass"


def test_the_wall_clock_limit_stops_a_file_that_decodes_for_minutes():
    data = progressive_jpeg()
    assert len(data) < 200_000
    with Bounded(SHORT_S), pytest.raises(FileRejected) as exc:
        sandbox.check_document(data, "scan.jpg", Expected(), timeout=SHORT_S)
    costly(exc)
    assert sandbox.run(os.getpid, timeout=30)  # the pool replaced the killed worker


def test_the_cpu_limit_kills_a_task_that_spins():
    with Bounded(2), pytest.raises(FileRejected) as exc:
        sandbox.run(tasks.spin, timeout=120, cpu_s=2)
    costly(exc)


def test_the_address_space_limit_refuses_a_task_that_allocates_too_much():
    with Bounded(0), pytest.raises(FileRejected) as exc:
        sandbox.run(tasks.allocate, 2 * sandbox.ADDRESS_SPACE // (1024 * 1024), timeout=30)
    costly(exc)
    assert sandbox.run(tasks.allocate, 64, timeout=30) == 64 * 1024 * 1024


# -- bounds before decoding ------------------------------------------------------------------

def test_nested_form_xobjects_are_refused_before_drawing():
    data = nested_forms()
    assert len(data) < 4000
    with Bounded(0), pytest.raises(FileRejected) as exc:
        sandbox.check_document(data, "facture.pdf", Expected(), timeout=SHORT_S)
    costly(exc)


def test_a_content_stream_that_inflates_past_the_bound_is_refused():
    data = inflating_pdf()
    assert len(data) < 1_000_000 and 128 * 1024 * 1024 > max(MAX_CONTENT_BYTES,
                                                              MAX_EXPANDED_BYTES)
    with Bounded(0), pytest.raises(FileRejected) as exc:
        sandbox.check_document(data, "facture.pdf", Expected(), timeout=SHORT_S)
    costly(exc)


def test_ocr_never_upscales_past_the_pixel_bound():
    width, height = sandbox.run(tasks.prepared_size, 8, 40_000, timeout=30)  # the tall page
    assert width * height <= MAX_PIXELS and width > 8
    assert sandbox.run(tasks.prepared_size, 800, 1000, timeout=30) == (1600, 2000)  # as before


@pytest.mark.parametrize(("name", "make"), [("facture.pdf", tall_page),
                                            ("scan.png", strip_png)])
def test_absurd_shapes_are_read_or_refused_within_the_limits(name, make):
    data = make()
    assert len(data) < 200_000
    with Bounded(SHORT_S):
        try:
            report = sandbox.check_document(data, name, Expected(), timeout=SHORT_S)
            assert report.outcome("total") == "unknown"
        except FileRejected as exc:  # refused, never a MemoryError or a crash
            assert exc.code in {"too_costly", "timeout"}


def test_the_review_renders_one_page_at_a_bounded_size():
    data = big_pages()
    assert len(data) < 20_000
    with Bounded(sandbox.RENDER_TIMEOUT_S):
        page = review_screen.render_page(data, "application/pdf", 50)
    image = Image.open(io.BytesIO(page.png))
    assert page.page_count == 50 and image.width * image.height <= RENDER_MAX_PIXELS
    assert review_screen.highlight(page, [[10, 10, 100, 100]]) != page.png  # drawn on top


def test_a_page_too_costly_to_render_gets_a_french_message(monkeypatch):
    monkeypatch.setattr(sandbox, "RENDER_TIMEOUT_S", 2.0)
    jpeg = progressive_jpeg()  # 156 KB; about 50 s even decoded at half size
    assert len(jpeg) < 200_000
    with Bounded(2), pytest.raises(InvalidInput, match="ne peut pas être affiché : Fichier "
                                   "trop coûteux"):
        review_screen.render_page(jpeg, "image/jpeg", 1)


# -- through the workflow --------------------------------------------------------------------

def test_a_costly_deposit_is_refused_and_nothing_is_stored(world, factory, monkeypatch):
    """Refused at the pre-check (the whole checks, with the pre-check's deadline). The deposit
    validates only the file's structure (sandbox, same deadline, before its transaction): how
    long that takes for this file depends on the machine's load, so either it refuses the file
    (and nothing is stored) or it stores it and the check job records every check `unknown`
    with the reason — never a pass, never a hang."""
    monkeypatch.setattr(sandbox, "CHECK_TIMEOUT_S", SHORT_S)
    monkeypatch.setattr(sandbox, "PRECHECK_TIMEOUT_S", SHORT_S)
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    with Bounded(SHORT_S), pytest.raises(InvalidInput, match="Fichier trop coûteux"):
        deposits.precheck(factory, world.cfa1, pf_id, progressive_jpeg(), "facture.jpg")
    try:  # the job runs at the commit (conftest), within its own wall clock
        with Bounded(2 * SHORT_S), factory.begin() as s:
            deposits.deposit(s, world.cfa1, pf_id, progressive_jpeg(), "facture.jpg")
    except InvalidInput as exc:
        assert "Fichier trop coûteux" in exc.message
        with factory() as s:
            assert s.scalars(select(Document).where(Document.pro_forma_id == pf_id)).all() == []
        return
    with factory() as s:
        view = review_screen.review_data(s, world.instructeur, pf_id).latest_run
    assert view is not None and {v.outcome for v in view.verdicts} == {"unknown"}
    assert all(v.message.startswith("Fichier trop coûteux à analyser : ")
               for v in view.verdicts if v.name != "duplicate")


def test_a_recheck_of_a_costly_stored_file_says_unknown_with_the_reason(world, factory,
                                                                        monkeypatch):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    with factory.begin() as s:  # the stored bytes turn costly (e.g. a stricter limit later)
        doc = s.scalars(select(Document).where(Document.pro_forma_id == pf_id)).one()
        doc.content, doc.media_type, doc.filename = progressive_jpeg(), "image/jpeg", "f.jpg"
    monkeypatch.setattr(sandbox, "CHECK_TIMEOUT_S", SHORT_S)
    with Bounded(SHORT_S), factory.begin() as s:  # the job runs at the commit (conftest)
        review.rerun_checks(s, world.instructeur, pf_id)
    with factory() as s:
        view = review_screen.review_data(s, world.instructeur, pf_id).latest_run
    assert {v.outcome for v in view.verdicts} == {"unknown"}
    assert all(v.message.startswith("Fichier trop coûteux à analyser : ")
               for v in view.verdicts if v.name != "duplicate")


def test_the_queue_answers_while_a_costly_file_is_checked(world, factory):
    """The console process only waits for the worker: another thread's workflow call answers.
    (A deposit's checks run off the request path as jobs; the pre-check still reads the file
    inside the caller's session.)"""
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    assert pf_id
    with factory() as s:  # warm: time the queue, not a first query
        review.queue(s, world.instructeur)
    jpeg, outcome = progressive_jpeg(), []

    def costly_check() -> None:
        try:
            sandbox.check_document(jpeg, "facture.jpg", Expected(), timeout=8.0)
        except FileRejected as exc:
            outcome.append(exc)

    worker = threading.Thread(target=costly_check)
    worker.start()
    time.sleep(1.0)  # the costly file is being read
    answers = []
    while worker.is_alive() and len(answers) < 5:
        start = time.monotonic()
        with factory() as s:
            review.queue(s, world.instructeur)
        answers.append(time.monotonic() - start)
        time.sleep(0.5)
    worker.join(8.0 + SLACK_S)
    assert not worker.is_alive() and answers
    assert max(answers) < 5.0  # answered meanwhile, not after the file
    # stopped by the wall clock, or (on an idle machine) read to the end within it
    assert all(exc.code == "too_costly" for exc in outcome)
