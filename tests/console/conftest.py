"""Shared AppTest plumbing for the page tests: run one page as a logged-in actor."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[2] / "console" / "pages"


@pytest.fixture
def page(db_url, monkeypatch):
    """``page(name, actor, **session_state)`` runs console/pages/<name> as ``actor``."""
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(name: str, actor, **state) -> AppTest:
        at = AppTest.from_file(str(PAGES / name), default_timeout=60)
        at.session_state["user_id"] = actor.user_id
        at.session_state["last_seen"] = datetime.now()
        for key, value in state.items():
            at.session_state[key] = value
        return at.run()

    return run


def page_text(at: AppTest) -> str:
    """Every visible text of a page run (titles, messages, metrics, buttons)."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption",
                                  "success", "info", "error", "warning")
             for e in getattr(at, kind)]
    parts += [m.label + " " + str(m.value) for m in at.metric]
    parts += [b.label for b in at.button]
    return "\n".join(str(p) for p in parts)


def page_tables(at: AppTest) -> str:
    """Every table of a page run, as text."""
    frames = [d.value for d in at.dataframe]
    frames += [e.proto.arrow_data.data for e in at.get("arrow_data_frame")]
    return "\n".join(str(f) for f in frames)
