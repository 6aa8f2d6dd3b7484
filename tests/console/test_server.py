"""console/entry/server.py: the session cookie's routes and the unknown-address middleware.

The routes and the middleware are the very objects that ``st.App`` serves, mounted here in a
bare Starlette app and called over ASGI, on a real database.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest
from starlette.applications import Starlette

from workflow.accounts import sessions

TIMEOUT = 30


@pytest.fixture
def server(db_url, monkeypatch):
    """console.entry.server with its database on this test's (importing it builds the st.App,
    which records its script path in Streamlit's process-wide config: put back afterwards)."""
    from streamlit import config

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("SESSION_SECRET", raising=False)
    before = config._main_script_path
    from console.entry import server as module

    config._main_script_path = before
    module._factory.cache_clear()
    yield module
    module._factory.cache_clear()


def call(server, method: str, path: str, *, headers: dict[str, str] | None = None,
         body: bytes = b"", scheme: str = "http") -> tuple[int, list[tuple[str, str]]]:
    """One HTTP request through the routes and middleware: (status, response headers)."""
    app = Starlette(routes=server.ROUTES, middleware=server.MIDDLEWARE)
    sent = {"host": "console.test", **(headers or {})}
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": scheme, "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
             "server": ("console.test", 443 if scheme == "https" else 80),
             "headers": [(k.lower().encode(), v.encode()) for k, v in sent.items()]}
    messages: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        messages.append(message)

    # in a thread of its own: a Playwright session of the same worker (tests/browser) keeps an
    # event loop running in this one, where asyncio.run refuses to start
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = messages[0]
    return start["status"], [(k.decode(), v.decode()) for k, v in start["headers"]]


def set_cookies(headers: list[tuple[str, str]]) -> list[str]:
    return [v for k, v in headers if k == "set-cookie"]


def ticket_for(factory, user_id: int) -> sessions.Opened:
    with factory.begin() as s:
        return sessions.open_session(s, user_id)


def post_ticket(server, ticket: object, **kwargs) -> tuple[int, list[tuple[str, str]]]:
    return call(server, "POST", "/auth/session", body=json.dumps({"ticket": ticket}).encode(),
                headers={"content-type": "application/json", **kwargs.pop("headers", {})},
                **kwargs)


def test_a_ticket_buys_one_httponly_strict_cookie(server, world, factory):
    opened = ticket_for(factory, world.cfa1.user_id)
    status, headers = post_ticket(server, opened.ticket,
                                  headers={"origin": "http://console.test"})
    assert status == 204
    (raw,) = set_cookies(headers)
    attributes = {a.strip().split("=")[0].lower() for a in raw.split(";")}
    assert {"httponly", "path", "samesite"} <= attributes and "secure" not in attributes
    assert "SameSite=strict" in raw and "Path=/" in raw
    cookie = SimpleCookie(raw)[sessions.COOKIE_NAME].value
    with factory.begin() as s:
        token = sessions.unsign(cookie, sessions.signing_secret(s))
        found = sessions.resolve(s, token, timeout_minutes=TIMEOUT)
    assert found == sessions.Resolved(opened.session_id, world.cfa1.user_id)
    # single use: the same ticket again buys nothing
    status, headers = post_ticket(server, opened.ticket)
    assert status == 403 and set_cookies(headers) == []


def test_over_https_the_cookie_is_secure(server, world, factory):
    opened = ticket_for(factory, world.cfa1.user_id)
    status, headers = post_ticket(server, opened.ticket, scheme="https")
    assert status == 204
    assert "Secure" in set_cookies(headers)[0]


@pytest.mark.parametrize("headers", [
    {"origin": "https://evil.example"},
    {"sec-fetch-site": "cross-site"},
    {"sec-fetch-site": "same-site", "origin": "http://sub.console.test"},
])
def test_another_site_gets_no_cookie_and_spends_no_ticket(server, world, factory, headers):
    opened = ticket_for(factory, world.cfa1.user_id)
    status, answer = post_ticket(server, opened.ticket, headers=headers)
    assert status == 403 and set_cookies(answer) == []
    assert post_ticket(server, opened.ticket)[0] == 204  # still unused


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b'{"ticket": 12}', b'{"x": "y"}',
                                  b'{"ticket": "' + b"a" * 5000 + b'"}'])
def test_garbage_gets_a_403(server, world, body):
    status, headers = call(server, "POST", "/auth/session", body=body)
    assert status == 403 and set_cookies(headers) == []


def test_logout_route_revokes_and_clears(server, world, factory):
    opened = ticket_for(factory, world.cfa1.user_id)
    _, headers = post_ticket(server, opened.ticket)
    cookie = SimpleCookie(set_cookies(headers)[0])[sessions.COOKIE_NAME].value
    status, headers = call(server, "DELETE", "/auth/session",
                           headers={"cookie": f"{sessions.COOKIE_NAME}={cookie}"})
    assert status == 204
    (cleared,) = set_cookies(headers)
    assert cleared.startswith(f'{sessions.COOKIE_NAME}="";') and "Max-Age=0" in cleared
    with factory.begin() as s:
        assert sessions.check(s, opened.session_id, timeout_minutes=TIMEOUT) == sessions.REVOKED
    # without a cookie, or from another site: nothing breaks, nothing is revoked
    assert call(server, "DELETE", "/auth/session")[0] == 204
    assert call(server, "DELETE", "/auth/session",
                headers={"origin": "https://evil.example"})[0] == 403


@pytest.mark.parametrize("path,target", [
    ("/nimporte", "/?page_inconnue=nimporte"),
    ("/nimporte/quoi", "/?page_inconnue=nimporte/quoi"),
    ("/instr_review/x", "/?page_inconnue=instr_review/x"),
    ("/a b", "/?page_inconnue=a%20b"),  # ASGI paths arrive decoded
    ("/", None), ("/instr_review", None), ("/cfa_home/", None), ("/account", None),
    ("/_stcore/health", None), ("/instr_review/_stcore/health", None),
    ("/static/js/main.js", None), ("/favicon.png", None), ("/media/abc.png", None),
    ("/component/x/index.html", None), ("/auth/login", None), ("/oauth2callback", None),
    ("/app/static/x", None),
])
def test_unknown_addresses_go_home_with_a_french_message(server, path, target):
    assert server.unknown_page(path) == target


def test_the_middleware_redirects_page_loads_only(server):
    html = {"accept": "text/html,application/xhtml+xml"}
    status, headers = call(server, "GET", "/nimporte", headers=html)
    assert status == 303 and ("location", "/?page_inconnue=nimporte") in headers
    # not a page load (an API client, a probe): left to Streamlit
    assert call(server, "GET", "/nimporte")[0] == 404
    assert call(server, "POST", "/nimporte", headers=html)[0] == 404
