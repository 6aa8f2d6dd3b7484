"""The console's ASGI app: Streamlit's own ``st.App`` with the session cookie's routes.

``streamlit run console/entry/server.py`` (``make run``) serves ``console/entry/app.py``
through it (both in a folder without a ``pages/`` sibling, so that Streamlit's folder mode
never serves console/pages/):

- ``POST /auth/session`` exchanges the one-time ticket that the login page hands the browser
  (``workflow.accounts.sessions.redeem_ticket``) for the session cookie, set by this HTTP response:
  signed, HttpOnly, SameSite=Strict, Path=/, Secure when the request came over HTTPS;
- ``DELETE /auth/session`` (logout) ends the cookie's session and clears the cookie;
- a middleware sends a browser asking for an address that is no page of the app to
  ``/?page_inconnue=<path>``, where the console says "Page introuvable" in French instead of
  Streamlit's English "Page not found";
- ``on_script_error`` turns whatever escaped the pages into the French incident message;
- with the embedded SQLite database, the local pool of check workers runs the deposits' check
  jobs in a child process (``workflow.deposits.worker.spawn_local``) with its own sandbox
  pool, so that they never queue in front of this process's pre-checks and page renderings
  (with PostgreSQL, ``python -m workflow.deposits.worker`` does, on any machine).

Streamlit owns GET ``/auth/login``, ``/auth/logout`` and ``/oauth2callback`` (``st.login``);
the console's routes use ``/auth/session`` so as not to meet them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from console.incidents import on_script_error
from console.navigation import URL_PATHS
from db.config import Settings
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from workflow.accounts import sessions
from workflow.deposits import worker

log = logging.getLogger("console.entry.server")
APP_SCRIPT = Path(__file__).resolve().parent / "app.py"
MAX_BODY = 1024
# first segments that are never pages: Streamlit's own routes and files, the cookie's routes
RESERVED = frozenset({"_stcore", "static", "media", "component", "auth", "oauth2callback",
                      "app", "favicon.ico", "robots.txt"})


@cache
def _factory() -> sessionmaker[Session]:
    engine = make_engine(Settings.from_env().database_url)
    upgrade(engine)
    return make_sessionmaker(engine)


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    factory = await run_in_threadpool(_factory)  # migrate before the first request, once
    local = None
    if factory.kw["bind"].dialect.name == "sqlite":  # else: python -m workflow.deposits.worker
        local = worker.spawn_local(Settings.from_env().database_url)
    yield
    if local is not None:
        await run_in_threadpool(worker.stop_local, local)


def _same_origin(request: Request) -> bool:
    """Only the console's own pages may call the cookie's routes (the cookie is SameSite=Strict
    as well; this refuses a cross-site form or fetch before anything is done)."""
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return False
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


def _cookie_options(request: Request) -> dict[str, Any]:
    return {"key": sessions.COOKIE_NAME, "path": "/", "httponly": True, "samesite": "strict",
            "secure": request.url.scheme == "https"}


def _redeem(ticket: object) -> str | None:
    conf = Settings.from_env()
    with _factory().begin() as s:
        token = sessions.redeem_ticket(s, ticket)
        return sessions.sign(token, sessions.signing_secret(s, conf.session_secret)) \
            if token else None


def _end(cookie: str | None) -> None:
    if not cookie:
        return
    conf = Settings.from_env()
    with _factory().begin() as s:
        token = sessions.unsign(cookie, sessions.signing_secret(s, conf.session_secret))
        sessions.revoke_token(s, token)


async def open_cookie(request: Request) -> Response:
    """POST /auth/session {"ticket": …}: 204 with the session cookie, or 403."""
    if not _same_origin(request):
        return JSONResponse({"error": "forbidden"}, status_code=403)
    body = await request.body()
    try:
        ticket = json.loads(body)["ticket"] if len(body) <= MAX_BODY else None
    except (ValueError, TypeError, KeyError):
        ticket = None
    value = await run_in_threadpool(_redeem, ticket)
    if value is None:
        return JSONResponse({"error": "invalid ticket"}, status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(value=value, **_cookie_options(request))
    return response


async def close_cookie(request: Request) -> Response:
    """DELETE /auth/session: the cookie's session ends and the cookie is cleared."""
    if not _same_origin(request):
        return JSONResponse({"error": "forbidden"}, status_code=403)
    await run_in_threadpool(_end, request.cookies.get(sessions.COOKIE_NAME))
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    options = _cookie_options(request)
    response.delete_cookie(**options)
    return response


def unknown_page(path: str) -> str | None:
    """The address to send a browser to when ``path`` is no page of the app, else None.

    Pages are one segment (``/instr_review``); Streamlit's own paths (``/_stcore/…``,
    ``/static/…``, also probed under a page: ``/instr_review/_stcore/health``) and files
    (a dot in the last segment) are left alone.
    """
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] in RESERVED or "." in parts[-1]:
        return None
    if len(parts) == 1 and parts[0] in URL_PATHS:
        return None
    if any(p in RESERVED for p in parts):
        return None
    return "/?page_inconnue=" + quote("/".join(parts), safe="/")


class UnknownPageMiddleware:
    """Redirect a page load (GET of an HTML page) of an unknown address to the home page,
    which says "Page introuvable" in French."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in {"GET", "HEAD"}:
            accept = dict(scope.get("headers") or []).get(b"accept", b"")
            target = unknown_page(scope.get("path", "")) if b"text/html" in accept else None
            if target is not None:
                await RedirectResponse(target, status_code=303)(scope, receive, send)
                return
        await self.app(scope, receive, send)


ROUTES = [Route("/auth/session", open_cookie, methods=["POST"]),
          Route("/auth/session", close_cookie, methods=["DELETE"])]
MIDDLEWARE = [Middleware(UnknownPageMiddleware)]

app = st.App(APP_SCRIPT, routes=ROUTES, middleware=MIDDLEWARE,
             on_script_error=on_script_error, lifespan=lifespan)
