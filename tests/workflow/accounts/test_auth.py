"""Login: argon2 hashes, lockout after repeated failures, inactive accounts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.models import User
from domain.clock import freeze
from tests.factories import PASSWORD, TODAY
from workflow.accounts.auth import BAD_LOGIN, authenticate


def test_good_password_logs_in_and_hash_is_argon2(world, factory):
    with factory.begin() as s:
        result = authenticate(s, "CFA1@test.fr ", PASSWORD)
        assert result.actor is not None and result.actor.cfa_id == world.cfa1_id
        hashes = s.scalars(select(User.password_hash)).all()
    assert all(h.startswith("$argon2") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)


def test_unknown_user_and_bad_password_get_the_same_message(world, factory):
    with factory.begin() as s:
        a = authenticate(s, "nobody@test.fr", PASSWORD)
        b = authenticate(s, "cfa1@test.fr", "wrong")
    assert a.actor is None and b.actor is None and a.message == b.message


def test_lockout_after_repeated_failures_then_release(world, factory):
    for _ in range(3):
        with factory.begin() as s:
            assert authenticate(s, "cfa1@test.fr", "wrong", max_failures=3).actor is None
    with factory.begin() as s:
        locked = authenticate(s, "cfa1@test.fr", PASSWORD, max_failures=3)
    assert locked.actor is None and locked.message == BAD_LOGIN  # says nothing of the lock
    freeze(TODAY + timedelta(minutes=16))
    with factory.begin() as s:
        assert authenticate(s, "cfa1@test.fr", PASSWORD, max_failures=3).actor is not None


def test_inactive_account_cannot_log_in(world, factory):
    with factory.begin() as s:
        s.scalars(select(User).where(User.email == "cfa1@test.fr")).one().active = False
    with factory.begin() as s:
        result = authenticate(s, "cfa1@test.fr", PASSWORD)
    assert result.actor is None and "désactivé" in result.message


def test_no_password_reaches_the_logs_or_the_event_log(world, factory, caplog):
    import logging

    from db.models import Event
    from workflow.accounts import admin

    caplog.set_level(logging.DEBUG)  # every logger, SQL statements and parameters included
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    try:
        with factory.begin() as s:
            authenticate(s, "cfa1@test.fr", PASSWORD)
            authenticate(s, "cfa1@test.fr", "mauvais-secret-42")
            authenticate(s, "nobody@test.fr", "autre-secret-43")
            new_id = admin.create_user(s, world.manager, "neuf@test.fr", "Neuf", "instructeur",
                                       "Tr0ub4dour&3-long")
            temporary = admin.reset_password(s, world.manager, new_id)
        with factory() as s:
            logged_events = " ".join(f"{e.comment} {e.reason} {e.data}"
                                     for e in s.scalars(select(Event)))
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert caplog.records  # the capture did see the SQL traffic
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (PASSWORD, "mauvais-secret-42", "autre-secret-43", "Tr0ub4dour&3-long",
                   temporary):
        assert secret not in logged and secret not in logged_events, secret


def test_no_plain_secret_in_the_repository():
    """Scan the tracked source: no password, secret or key literal but the documented demo
    password and the test-only password of tests/factories.py."""
    import re
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                           cwd=root, capture_output=True, text=True, check=True).stdout.split()
    assignment = re.compile(
        r"""(?i)(password|passwd|pwd|secret|api_key|token|private_key)\w*["']?\s*[:=]\s*["']"""
        r"""([^"'\n]{4,})["']""")
    allowed = {"demo", PASSWORD}  # db/demo.py's DEMO_PASSWORD, tests/factories.py
    found = []
    for name in files:
        path = root / name
        if path.suffix not in {".py", ".toml", ".cfg", ".ini", ".env", ".yml", ".yaml", ".md",
                               ".json", ".sh", ".txt"} or not path.is_file():
            continue
        text = path.read_text(errors="ignore")
        if re.search(r"-----BEGIN [A-Z ]*PRIVATE KEY-----", text):
            found.append(f"{name}: private key")
        found += [f"{name}: {m.group(1)}" for m in assignment.finditer(text)
                  if m.group(2) not in allowed and not m.group(2).startswith("$argon2")]
    assert found == []


def test_a_reset_password_is_provisional_until_its_owner_changes_it(world, factory):
    """After a reset the account logs in, but every workflow action is refused until the
    owner has chosen a new password; wrong inputs change nothing; the change is logged."""
    import pytest

    from db.models import Event
    from domain.errors import InvalidInput, PasswordChangeRequired
    from workflow.accounts import admin
    from workflow.accounts.auth import change_password
    from workflow.billing import eligibility

    with factory.begin() as s:
        temporary = admin.reset_password(s, world.manager, world.cfa1.user_id)
    with factory.begin() as s:
        actor = authenticate(s, "cfa1@test.fr", temporary).actor
    assert actor is not None and actor.must_change_password
    with pytest.raises(PasswordChangeRequired, match="provisoire"), factory() as s:
        eligibility.list_eligible(s, actor, "pedagogie")
    refused = [("mauvais", "une phrase neuve", "une phrase neuve", "actuel est incorrect"),
               (temporary, "une phrase neuve", "une autre phrase", "diffèrent"),
               (temporary, "court", "court", "au moins"),
               (temporary, "motdepasse", "motdepasse", "trop facile"),
               (temporary, temporary, temporary, "différent")]
    for current, new, again, message in refused:
        with pytest.raises(InvalidInput, match=message), factory.begin() as s:
            change_password(s, actor, current, new, again)
        with factory() as s:
            assert s.get_one(User, actor.user_id).must_change_password
    with factory.begin() as s:
        change_password(s, actor, temporary, "une phrase neuve", "une phrase neuve")
    with factory.begin() as s:
        assert authenticate(s, "cfa1@test.fr", temporary).actor is None
        fresh = authenticate(s, "cfa1@test.fr", "une phrase neuve").actor
    assert fresh is not None and not fresh.must_change_password
    with factory() as s:
        assert eligibility.list_eligible(s, fresh, "pedagogie").total > 0
        logged = s.scalars(select(Event.action).where(Event.entity == "user",
                                                      Event.entity_id == actor.user_id)).all()
    assert logged == ["password_reset", "password_changed"]


def test_an_account_created_by_a_manager_starts_with_a_provisional_password(world, factory):
    from workflow.accounts import admin

    with factory.begin() as s:
        admin.create_user(s, world.manager, "nouveau@test.fr", "Nouveau", "instructeur",
                          "une phrase initiale")
    with factory.begin() as s:
        assert authenticate(s, "nouveau@test.fr", "une phrase initiale").actor \
            .must_change_password
