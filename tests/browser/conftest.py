"""Browser fixtures: a fresh demo database, the console served on a free port, a Chromium.

The console is started exactly as ``make run`` does (``streamlit run
console/entry/server.py``) over a demo SQLite database built for the test session.
Debian's Chromium (``/usr/bin/chromium``) is driven headless with an empty profile; no browser
is ever downloaded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90


@dataclass(frozen=True)
class Console:
    """The running console: its address and the database it serves."""

    url: str
    database_url: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """A fresh demo database and the console serving it on a free local port."""
    if not CHROMIUM.exists():
        pytest.skip("BROWSER TESTS SKIPPED: /usr/bin/chromium is missing "
                    "(`make test` installs the Debian package `chromium`).")
    tmp = tmp_path_factory.mktemp("console")
    db_url = f"sqlite:///{tmp / 'demo.db'}"
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONDONTWRITEBYTECODE": "1",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    subprocess.run([sys.executable, "-m", "opco", "--database-url", db_url, "demo"], cwd=ROOT,
                   env=env, check=True, capture_output=True, timeout=180)
    port = _free_port()
    log = (tmp / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "console/entry/server.py", "--server.port",
         str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(f"{url}/_stcore/health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the console did not start:\n"
                                   + (tmp / "streamlit.log").read_text(errors="replace"))
            time.sleep(0.2)  # polling a port, not waiting on the page
        yield Console(url, db_url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


@pytest.fixture(scope="session")
def browser(console: Console) -> Iterator[object]:
    """Debian's Chromium, headless; each user of a test gets its own empty context."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
