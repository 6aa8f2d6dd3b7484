"""Shared widgets and plumbing of the pages: the actor, workflow calls, inert text, money,
the pager, deferred downloads, flash messages (the web session: ``console.web_session``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import streamlit as st

from console import incidents
from console.navigation import script
from console.web_session import SESSION_CLOSED, SESSION_ENDED, factory, logout, settings
from domain.errors import CountedRefusal, WorkflowError
from workflow.accounts import sessions
from workflow.common.access import Actor, load_actor

T = TypeVar("T")


def unknown_page_notice() -> None:
    """Say "Page introuvable" for an address that is no page of the app (``console/entry/server.py``
    sends it to ``/?page_inconnue=…``), once; the address is shown stripped to plain
    characters (it comes from whoever wrote the link)."""
    import re

    asked = st.query_params.get("page_inconnue")
    if asked is None:
        return
    del st.query_params["page_inconnue"]
    shown = re.sub(r"[^A-Za-z0-9_./-]", "", asked)[:80]
    st.warning(f"Page introuvable : l'adresse `/{shown}` ne correspond à aucune page du "
               "portail.", icon=":material/explore_off:")


def current_actor() -> Actor | None:
    """The logged-in actor, re-read from the database, or None (and the user logged out).

    Every call checks the session first, so that a click in a dialog or a fragment (which
    reruns neither the page nor ``touch_session``) is judged like a page run: the server-side
    session's ``last_seen_at`` is the truth (``sessions.check``, which also records
    the activity); a session revoked, idle past ``SESSION_TIMEOUT_MINUTES`` or whose account
    is inactive ends here, before any workflow call (``call``, ``attempt``, ``deferred`` and
    ``require_actor`` come through here).
    """
    user_id = st.session_state.get("user_id")
    if user_id is None:
        return None
    conf = settings()
    web = st.session_state.get("web_session_id")
    state = sessions.ACTIVE
    try:
        with factory().begin() as s:
            if web is not None:
                state = sessions.check(s, web, timeout_minutes=conf.session_timeout_minutes)
            act = load_actor(s, user_id) if state == sessions.ACTIVE else None
    except WorkflowError:
        logout("Ce compte n'est plus actif.")
        return None
    if web is None:  # a session without a server-side record (page tests set user_id)
        last = st.session_state.get("last_seen")
        if last is not None and \
                datetime.now() - last > timedelta(minutes=conf.session_timeout_minutes):
            state = sessions.EXPIRED
    if state != sessions.ACTIVE:
        logout(SESSION_ENDED.get(state, SESSION_CLOSED))
        return None
    st.session_state["last_seen"] = datetime.now()
    return act


def require_actor() -> Actor:
    """The actor, or stop the page (a logged-out session sees nothing but why)."""
    act = current_actor()
    if act is None:
        st.warning(st.session_state.get("flash") or "Connectez-vous pour accéder à cette page.")
        st.stop()
    return act


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run one workflow function in its own transaction; show its error in French.

    Returns the function's result, or None when a WorkflowError was shown, or when an
    unexpected error was logged with an incident reference and shown as such (in French).
    """
    act = require_actor()
    try:
        with factory().begin() as s:
            try:
                return fn(s, act, *args, **kwargs)
            except CountedRefusal as exc:  # the count is committed, the refusal shown
                refused = exc
        raise refused
    except WorkflowError as exc:
        st.error(text(exc))
        return None
    except Exception as exc:  # noqa: BLE001 - rolled back above; never a traceback on screen
        incidents.report_and_show(exc)
        return None


_MARKDOWN_ALWAYS = re.compile(r"([\\`*_\[\]<>!#~$&|@])")
_MARKDOWN_CONTEXT = re.compile(r"(?i):(?=\S)|(?<=www)\.")
# Streamlit's markdown (remark-gfm) also links URLs and e-mail addresses found in the parsed
# text, after escapes are resolved: a WORD JOINER (U+2060, invisible) breaks those patterns.
_AUTOLINK = re.compile(r"(?i)(?<=https:)(?=//)|(?<=http:)(?=//)|(?<=www)(?=\.)|(?<=@)")
_JOINER = "\u2060"
_MARKDOWN_LEADING = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")


def text(value: Any, *, lines: bool = False) -> str:
    """``value`` made inert for Streamlit's markdown (markdown, captions, messages, metric and
    widget labels, radio options), shown exactly as typed: the characters that can start a
    link, an image, emphasis, code, an HTML tag or entity, LaTeX or a Streamlit directive
    (``[ ] ! < > * _ ` # ~ $ & | @ \\``) are backslash-escaped, as are a colon glued to what
    follows (``https\\:``, ``javascript\\:``) and the dot of ``www.``; line breaks become
    spaces and a leading list or heading marker is escaped, so no block forms. CommonMark
    renders ``\\x`` as a literal ``x`` for any ASCII punctuation ``x``. Since GitHub-flavoured
    markdown links bare URLs and e-mail addresses of the text once parsed, an invisible word
    joiner (U+2060) follows ``http:``/``https:``, ``www`` and ``@``: no autolink forms.

    Every text that comes from a CFA, a file or its XML (invoice numbers, file names, check
    messages, CFA and apprentice names, comments) goes through here before a markdown
    element; Streamlit's plain-text elements (``st.text``, select boxes, tables) need none.
    With ``lines``, each line is escaped alike and the line breaks are kept (a letter).
    """
    if lines:
        return "  \n".join(text(line) for line in str(value or "").splitlines())
    raw = " ".join(("" if value is None else str(value)).splitlines())
    raw = _AUTOLINK.sub(_JOINER, raw)
    out = _MARKDOWN_ALWAYS.sub(r"\\\1", raw)
    out = _MARKDOWN_CONTEXT.sub(lambda m: "\\" + m.group(0), out)
    return _MARKDOWN_LEADING.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2)
                                else m.group(3) + "\\" + m.group(4)), out)


def money(value: Any) -> str:
    """An amount in the manual's French format."""
    from domain.formatting import format_eur

    return format_eur(value)


def pager(key: str, total: int, page_size: int) -> int:
    """Previous/next controls; returns the 0-based page index kept in session_state."""
    pages = max(1, -(-total // page_size))
    page = min(st.session_state.get(key, 0), pages - 1)
    left, mid, right = st.columns([1, 3, 1])
    if left.button("◀ Précédent", key=f"{key}-prev", disabled=page == 0):
        page -= 1
    if right.button("Suivant ▶", key=f"{key}-next", disabled=page >= pages - 1):
        page += 1
    st.session_state[key] = page
    mid.caption(f"Page {page + 1} sur {pages} — {total} résultat(s)")
    return page


def deferred(fn: Callable[..., Any], *args: Any) -> Callable[[], bytes]:
    """Data for ``st.download_button``: the bytes of the file a workflow function returns
    (anything with ``.data``), made only when the user clicks, in its own transaction.

    The callable runs outside the page (Streamlit calls it from its own thread): when it
    raises, Streamlit 1.67 only logs it and shows "Failed to generate file for download", in
    English, under the button for five seconds. So it never raises: on a WorkflowError (e.g.
    the pro forma was cancelled meanwhile) or an unexpected error (rolled back, logged with an
    incident reference) the user downloads, under the expected name, a short document that
    says in French why the file could not be made: a PDF when a PDF was expected, else text.
    """
    act = require_actor()
    make = factory()
    web, timeout = st.session_state.get("web_session_id"), settings().session_timeout_minutes

    def failure(message: str) -> bytes:
        text = f"Le document n'a pas pu être produit. {message}"
        if getattr(fn, "__name__", "").endswith("_pdf"):
            from io import BytesIO
            from xml.sax.saxutils import escape

            from reportlab.lib.styles import getSampleStyleSheet
            from reportlab.platypus import Paragraph, SimpleDocTemplate

            out = BytesIO()
            try:
                SimpleDocTemplate(out, title="Document indisponible").build(
                    [Paragraph(escape(text), getSampleStyleSheet()["Normal"])])
                return out.getvalue()
            except Exception:  # noqa: BLE001 - the text below says it all the same
                pass
        return ("\ufeff" + text + "\n").encode("utf-8")

    def run() -> bytes:
        try:
            with make.begin() as s:  # the click may come long after the page was drawn
                state = sessions.ACTIVE if web is None else \
                    sessions.check(s, web, timeout_minutes=timeout)
                if state == sessions.ACTIVE:
                    return bytes(fn(s, act, *args).data)
            return failure(SESSION_ENDED.get(state, SESSION_CLOSED))
        except WorkflowError as exc:
            return failure(str(exc))
        except Exception as exc:  # noqa: BLE001 - rolled back above; Streamlit shows English
            return failure(incidents.MESSAGE.format(ref=incidents.report(exc)))

    return run


def attempt(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T | None, str | None]:
    """Like ``call``, but return ``(result, None)`` or ``(None, French error message)`` so that
    the page can keep the message (e.g. why an uploaded file is refused); an unexpected error
    is logged with an incident reference and its message names that reference."""
    act = require_actor()
    try:
        with factory().begin() as s:
            try:
                return fn(s, act, *args, **kwargs), None
            except CountedRefusal as exc:  # the count is committed, the refusal returned
                refused = exc
        return None, str(refused)
    except WorkflowError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - rolled back above; never a traceback on screen
        return None, incidents.MESSAGE.format(ref=incidents.report(exc))


def attempt_with_factory(fn: Callable[..., T], *args: Any, **kwargs: Any
                         ) -> tuple[T | None, str | None]:
    """Like ``attempt``, for a workflow function that takes a session FACTORY instead of a
    session (it opens its own short transactions, e.g. none held while the sandbox reads a
    file: ``portal.precheck``): no session is opened here for it."""
    act = require_actor()
    try:
        return fn(factory(), act, *args, **kwargs), None
    except WorkflowError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - never a traceback on screen
        return None, incidents.MESSAGE.format(ref=incidents.report(exc))


def rerun_dialog() -> None:
    """Rerun only the open dialog when Streamlit allows it (a fragment rerun), else the whole
    page; pages keep their dialogs' step in session_state, so either way it reopens alike."""
    from streamlit.errors import StreamlitAPIException

    try:
        st.rerun(scope="fragment")
    except StreamlitAPIException:
        st.rerun()


def parse_amount(text: str) -> Any:
    """An amount typed in French ("1 234,56"), as a Decimal; None when left empty.

    Shows a French error and stops the page for anything else: letters, "1e30", NaN,
    infinities, more than 12 digits before the comma or 2 after it, a negative amount or one
    over 99 999 999,99 € (``workflow.common.bounds.parse_amount``; Decimal never raises).
    """
    from workflow.common import bounds

    try:
        return bounds.parse_amount(text)
    except WorkflowError as exc:
        st.error(str(exc))
        st.stop()


def flash(message: str, kind: str = "success") -> None:
    """A message for the next run of the page (an action's outcome shown after its rerun)."""
    st.session_state.setdefault("flash_messages", []).append((kind, message))


def show_flash() -> None:
    """Show the messages left by ``flash``, once."""
    for kind, message in st.session_state.pop("flash_messages", []):
        {"success": st.success, "error": st.error, "warning": st.warning,
         "info": st.info}.get(kind, st.info)(text(message))


REVIEW_PAGE = "pages/instr_review.py"


def open_review(pf_id: int) -> None:
    """Open *Instruire une facture* on a pro forma, afresh: what it shows now is what the
    instructeur's decisions will be based on."""
    st.session_state.pop(f"anchor_{int(pf_id)}", None)
    st.session_state["review_pf"] = int(pf_id)
    st.switch_page(script(REVIEW_PAGE), query_params={"pf": str(int(pf_id))})
