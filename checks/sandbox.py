"""Read deposited files in a separate process with hard operating-system limits.

Every inspection, extraction, OCR and rendering of a deposited file that the workflow asks for
goes through this module: the work runs in a ``pebble.ProcessPool`` worker (started lazily, one
pool per process, usable from any thread) under

- ``ADDRESS_SPACE`` bytes of address space (``RLIMIT_AS``: an allocation beyond it fails, Python
  raises ``MemoryError`` or the worker dies),
- ``CPU_S`` CPU seconds per task (``RLIMIT_CPU``, re-armed before each task: the kernel kills the
  worker with ``SIGXCPU``),
- a wall-clock timeout per task (pebble kills the worker and starts a new one),
- a private temporary directory (``TMPDIR``; removed by the caller after the task, even when
  the worker was killed).

A task that exceeds a limit raises ``TooCostly`` (a ``FileRejected`` whose message starts with
"Fichier trop coûteux à analyser : "); the caller never hangs and never crashes. No streamlit,
no database.
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.spawn as mp_spawn
import os
import resource
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from pebble import ProcessExpired, ProcessPool

from checks.model import Expected, FileRejected, Report
from domain.vocabulary import Outcome

ADDRESS_SPACE = 1024 * 1024 * 1024  # 1 GiB per worker (measured peak of real files: < 300 MiB)
CPU_S = 20  # CPU seconds per task
CHECK_TIMEOUT_S = 30.0  # wall clock for the checks of one file (deposit, re-check, CLI)
PRECHECK_TIMEOUT_S = 20.0  # wall clock for the CFA's pre-check before "Envoyer"
RENDER_TIMEOUT_S = 10.0  # wall clock for rendering one page of the review screen
WORKERS = 2  # worker processes per console process (the machine has 2 cores)
MAX_TASKS = 200  # a worker is replaced after this many tasks (bounds any slow leak)
QUEUE_WAIT_S = 60.0  # the longest a task waits for a free (or starting) worker
_MARGIN_S = 10.0  # the caller's own wait on top of the task timeout (pebble kills first)

TOO_COSTLY = "Fichier trop coûteux à analyser : "


class TooCostly(FileRejected):
    """The file needed more memory, CPU or time than the sandbox allows."""

    def __init__(self, reason: str) -> None:
        super().__init__("too_costly", TOO_COSTLY + reason)


_lock = threading.Lock()
_pool: ProcessPool | None = None
_pool_pid: int | None = None


def _limit_worker() -> None:
    """Pool initializer: the address-space limit, for the worker's whole life."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _without_main() -> None:
    """Spawned workers must not re-run the parent's ``__main__``: under Streamlit or AppTest it
    may be a page script (which then runs, without its context, in the worker and kills it).
    The tasks are imported by module name, so the worker needs no main module: the
    preparation data that multiprocessing sends a new process loses its main entries.
    Installed once, for this process (the console's only use of multiprocessing)."""
    if getattr(mp_spawn.get_preparation_data, "_without_main", False):
        return
    original = mp_spawn.get_preparation_data

    def preparation(name: str) -> dict[str, Any]:
        data = original(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    preparation._without_main = True  # type: ignore[attr-defined]
    mp_spawn.get_preparation_data = preparation


def _pool_for_this_process() -> ProcessPool:
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid() or not _pool.active:
            # spawn, not fork: Streamlit's process has threads (a fork could copy a held lock)
            _without_main()
            _pool = ProcessPool(max_workers=WORKERS, max_tasks=MAX_TASKS,
                                initializer=_limit_worker,
                                context=multiprocessing.get_context("spawn"))
            _pool_pid = os.getpid()
        return _pool


@atexit.register
def shutdown() -> None:
    """Stop the pool of this process (its workers are killed); a later call starts a new one."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None and _pool_pid == os.getpid():
        pool.stop()  # type: ignore[no-untyped-call]  # pebble leaves stop() unannotated
        pool.join(timeout=5)


def _discard(pool: ProcessPool) -> None:
    """Forget a broken pool (the next call starts a new one) and stop its workers."""
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.stop()  # type: ignore[no-untyped-call]  # pebble leaves stop() unannotated


def _task(tmp: str, cpu_s: int, function: Callable[..., Any], args: tuple[Any, ...],
          kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Run in the worker: re-arm the CPU limit, use the private temporary directory."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(usage.ru_utime + usage.ru_stime)
    resource.setrlimit(resource.RLIMIT_CPU, (spent + cpu_s, resource.RLIM_INFINITY))
    os.environ["TMPDIR"] = tmp
    tempfile.tempdir = tmp
    try:
        return ("ok", function(*args, **kwargs))
    except FileRejected as exc:  # sent back as plain data: the exception takes two arguments
        return ("rejected", exc.code, exc.message)
    except MemoryError:
        return ("memory",)


def run(function: Callable[..., Any], *args: Any, timeout: float, cpu_s: int = CPU_S,
        **kwargs: Any) -> Any:
    """Return ``function(*args, **kwargs)`` computed in a sandboxed worker, within
    ``timeout`` seconds of wall clock and ``cpu_s`` CPU seconds.

    ``function`` must be importable (module level). Raises ``TooCostly`` when the task
    exceeds a limit, ``FileRejected`` as the function raised it, and any other exception of
    the function as is.
    """
    tmp = tempfile.mkdtemp(prefix="sandbox-")
    try:
        for attempt in (1, 2):
            pool = _pool_for_this_process()
            try:
                try:
                    future = pool.schedule(_task, args=(tmp, cpu_s, function, args, kwargs),
                                           timeout=timeout)
                except RuntimeError:  # "The Pool is not active": broken meanwhile
                    raise BrokenProcessPool from None
                outcome = future.result(timeout=QUEUE_WAIT_S + timeout + _MARGIN_S)
                break
            except BrokenProcessPool:  # pebble lost its workers: a fresh pool, once
                _discard(pool)
                if attempt == 2:
                    raise TooCostly("le processus d'analyse s'est arrêté ; déposez un PDF "
                                    "plus simple ou plus léger.") from None
            except FutureTimeout:
                queued = not future.done() and not future.running()  # done: pebble's timeout
                future.cancel()  # type: ignore[no-untyped-call]  # pebble: unannotated
                if queued:  # every worker busy: not the file's fault
                    raise FileRejected("busy", "Analyse du fichier impossible pour le moment "
                                       "(serveur occupé) : réessayez dans quelques minutes."
                                       ) from None
                raise TooCostly(f"lecture interrompue après {timeout:g} s ; déposez un PDF plus "
                                "simple ou plus léger.") from None
            except ProcessExpired:
                raise TooCostly("mémoire ou temps de calcul dépassé ; déposez un PDF plus simple "
                                "ou plus léger.") from None
            except MemoryError:
                raise _memory() from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if outcome[0] == "rejected":
        raise FileRejected(outcome[1], outcome[2])
    if outcome[0] == "memory":
        raise _memory()
    return outcome[1]


def _memory() -> TooCostly:
    return TooCostly(f"plus de {ADDRESS_SPACE // (1024 * 1024)} Mo de mémoire nécessaires ; "
                     "déposez un PDF plus simple ou plus léger.")


def check_document(data: bytes, filename: str, expected: Expected, *,
                   timeout: float = CHECK_TIMEOUT_S) -> Report:
    """``checks.check_document`` in the sandbox (its own deadline at two thirds of
    ``timeout``, so that a slow but honest file gets the usual "trop longue" message)."""
    from checks.core import check_document as check

    report: Report = run(check, data, filename, expected, deadline_s=timeout * 2 / 3,
                         timeout=timeout)
    return report


def render_page(data: bytes, media_type: str, number: int, *,
                timeout: float = RENDER_TIMEOUT_S) -> Any:
    """``checks.pdf.render.render_page`` in the sandbox: one page at a bounded size."""
    from checks.pdf.render import render_page as render

    return run(render, data, media_type, number, timeout=timeout)


def unknown_report(filename: str, media_type: str, reason: TooCostly, *,
                   elapsed_ms: float = 0.0) -> Report:
    """The report of a file that the sandbox stopped: every check ``unknown``, with the reason
    (for a re-check of a file already stored, where a refusal means nothing)."""
    from checks.model import CHECK_NAMES, CheckResult
    from checks.pdf.validate import base_name

    found: dict[str, Any] = {"pro_forma_numbers": [], "total": None, "invoice_number": None,
                             "siret": None, "iban": None}
    return Report(file=base_name(filename), media_type=media_type, text_source="none",
                  found=found, checks=tuple(CheckResult(name, Outcome.UNKNOWN, reason.message)
                                            for name in CHECK_NAMES),
                  elapsed_ms=elapsed_ms, page_count=0, notes=("too_costly",))
