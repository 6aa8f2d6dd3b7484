"""Unexpected errors: logged server-side with a reference, shown to the user in French.

No traceback ever reaches the screen. Every page run, dialog, fragment and widget callback
that raises something other than a WorkflowError ends here, through ``guard`` (the page run
in ``console/entry/app.py``), ``report_and_show`` (``ui.call`` and friends) or the ASGI app's
``on_script_error`` hook (``console/entry/server.py``). The transaction of the failed call has
already been rolled back by its ``with factory().begin()`` block, so nothing was written.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import streamlit as st

from domain.clock import PARIS

log = logging.getLogger("console.incidents")

MESSAGE = ("Une erreur inattendue est survenue ; l'action n'a pas été enregistrée. "
           "Réessayez ; si l'erreur persiste, communiquez au support la référence "
           "de l'incident : {ref}.")


def new_reference() -> str:
    """A short reference the user can quote and the operator can grep for in the logs (its
    time is Paris time, like every moment the console shows)."""
    return f"INC-{datetime.now(PARIS):%Y%m%d-%H%M%S}-{secrets.token_hex(3).upper()}"


def report(exc: BaseException) -> str:
    """Log ``exc`` with its traceback under a new reference; return the reference."""
    ref = new_reference()
    log.error("incident %s: %s: %s", ref, type(exc).__name__, exc,
              exc_info=(type(exc), exc, exc.__traceback__))
    return ref


def report_and_show(exc: BaseException) -> str:
    """Log ``exc`` and show the French incident message in its place; return the reference."""
    ref = report(exc)
    st.error(MESSAGE.format(ref=ref), icon=":material/error:")
    return ref


def on_script_error(exc: Exception) -> bool:
    """``st.App(on_script_error=…)``: Streamlit's last resort, for whatever escaped ``guard``
    (widget callbacks, fragment reruns). True: Streamlit shows no exception box."""
    report_and_show(exc)
    return True


@contextmanager
def guard() -> Iterator[None]:
    """Run a page: anything unexpected becomes the French incident message.

    Streamlit's own control flow (``st.stop``, ``st.rerun``, ``st.switch_page``) derives from
    BaseException, not Exception, and passes through untouched.
    """
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the last line of defence, by design
        report_and_show(exc)
