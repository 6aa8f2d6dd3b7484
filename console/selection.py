"""Grid selections kept by identity, and money actions confirmed before they run.

Streamlit reports a grid's selection as row positions. A position means nothing once the list
changes (a rerun after a payment, a filter, another page, another user's action), so every
selecting grid goes through ``pick``: the selection is stored as ids, each widget instance is
keyed by the exact list of ids it shows, and the positions are translated back to ids in the
widget's own callback, against the list the user was looking at. Rows that leave the list
leave the selection, and the page says so.

A money action opens ``confirm``: a dialog that lists what will be done and the total, holds
that confirmation (``workflow.common.confirm.Seen``) in the session, and passes exactly it to the
workflow, which checks it again under lock. The confirmation is used once: a second click
finds nothing to confirm.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from console import ui


def _digest(ids: Sequence[int]) -> str:
    return hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:12]


def selected(key: str) -> list[int]:
    """The ids currently selected in the grid ``key``."""
    return list(st.session_state.get(f"{key}:ids", []))


def clear(key: str) -> None:
    """Empty the selection of the grid ``key`` (after its action went through)."""
    st.session_state[f"{key}:ids"] = []


def _on_select(key: str, widget: str, shown: tuple[int, ...], multi: bool) -> None:
    """Widget callback: the positions the user ticked, read against the list they saw."""
    state = st.session_state.get(widget)
    rows = list(state["selection"]["rows"]) if state else []
    ticked = [shown[r] for r in rows if 0 <= r < len(shown)]
    if multi:
        off_page = [i for i in selected(key) if i not in shown]
        st.session_state[f"{key}:ids"] = off_page + ticked
    else:
        st.session_state[f"{key}:ids"] = ticked[:1]


def pick(key: str, rows: list[dict[str, Any]], ids: Sequence[int], *, labels: Sequence[str],
         multi: bool = True, keep: Sequence[int] = (), **dataframe_args: Any) -> list[int]:
    """Show ``rows`` as a selectable grid; return the selected ids (in the list's order).

    ``ids`` and ``labels`` are the rows' identities and the names the page gives them.
    Selected ids absent from ``ids`` are dropped, with a caption naming them, unless they are
    in ``keep`` (rows of the same list shown on another page).
    """
    shown = tuple(int(i) for i in ids)
    names = dict(st.session_state.get(f"{key}:names", {}))
    names.update(zip(shown, labels, strict=True))
    before = selected(key)
    kept = [i for i in before if i in shown or i in keep]
    gone = [i for i in before if i not in kept]
    st.session_state[f"{key}:ids"] = kept
    st.session_state[f"{key}:names"] = {i: names[i] for i in kept if i in names}
    _say_gone(gone, names)
    widget = f"{key}:grid:{_digest(shown)}"
    positions = [shown.index(i) for i in kept if i in shown]
    st.session_state[widget] = {"selection": {"rows": positions, "columns": [], "cells": []}}
    st.dataframe(pd.DataFrame(rows), key=widget, hide_index=True,
                 on_select=functools.partial(_on_select, key, widget, shown, multi),
                 selection_mode="multi-row" if multi else "single-row",
                 **{"width": "stretch", **dataframe_args})
    return [i for i in shown if i in kept] + [i for i in kept if i not in shown]


def empty(key: str) -> None:
    """The list is empty now: whatever was selected leaves the selection, visibly."""
    _say_gone(selected(key), st.session_state.get(f"{key}:names", {}))
    clear(key)


def _say_gone(gone: list[int], names: dict[int, str]) -> None:
    """Tell which selected rows left the selection because they left the list."""
    if gone:
        st.warning("Retiré de la sélection, car plus dans la liste : "
                   + ui.text(", ".join(names.get(i, f"n° {i}") for i in gone)) + ".",
                   icon=":material/remove_done:")


def label_of(key: str, row_id: int) -> str:
    """The name the page gave a selected row."""
    return st.session_state.get(f"{key}:names", {}).get(row_id, f"n° {row_id}")


# --- confirmations of money actions -------------------------------------------------------

def ask(key: str, **payload: Any) -> None:
    """Open the confirmation ``key`` with what it will show and send (a ``seen`` among it)."""
    st.session_state[f"confirm:{key}"] = payload


def confirm(key: str, title: str, render: Callable[[dict[str, Any]], None],
            action: Callable[[dict[str, Any]], tuple[bool, str]], *,
            button: str = "Confirmer") -> None:
    """The dialog of an open confirmation: ``render`` shows the payload; the confirm button
    runs ``action`` once, which returns (done, French message). The dialog then closes and
    the page, rerun, shows the message above its new state. "Annuler" closes it. Nothing
    happens when no confirmation is open."""
    slot = f"confirm:{key}"
    if slot not in st.session_state:
        return

    def close() -> None:
        st.session_state.pop(slot, None)

    def body() -> None:
        payload = st.session_state.get(slot)
        if payload is None:  # already confirmed (a second click): nothing left to do
            st.rerun()
        render(payload)
        left, right = st.columns(2)
        if left.button(button, type="primary", key=f"{slot}:ok"):
            close()  # used once, whatever the outcome
            done, message = action(payload)
            ui.flash(message, "success" if done else "error")
            st.rerun()
        if right.button("Annuler", key=f"{slot}:cancel"):
            close()
            st.rerun()

    st.dialog(title, width="large", on_dismiss=close)(body)()
