"""Signing in, on both databases: the limit holds under parallel guesses; passwords are argon2id
and an older scrypt hash is replaced at its owner's next sign-in."""

from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from bpmn_sales.context import Context
from bpmn_sales.errors import Forbidden, TooManyAttempts, Unauthorized
from bpmn_sales.services.people import sessions
from tests.fakes import FakeClock
from tests.team import Team

PASSWORD = "correct horse battery"


def stored_hash(ctx: Context, username: str) -> str:
    with ctx.db.connect() as conn:
        found = conn.execute(
            text("SELECT password_hash FROM users WHERE username = :u"), {"u": username}
        ).scalar_one()
    return str(found)


def test_thirty_parallel_guesses_check_at_most_five(ctx: Context, team: Team) -> None:
    sessions.set_password(ctx, None, "rob", PASSWORD)
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(30)

    def guess(number: int) -> None:
        start.wait()
        try:
            sessions.sign_in(ctx, "rob", f"wrong-{number}", f"198.51.100.{number}")
            outcome = "signed in"
        except Unauthorized:
            outcome = "checked"
        except TooManyAttempts:
            outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 30
    assert outcomes.count("checked") <= sessions.MAX_FAILURES
    assert outcomes.count("signed in") == 0
    assert outcomes.count("checked") + outcomes.count("refused") == 30
    # Guesses one after another fill what is left of the limit, never more.
    checked = outcomes.count("checked")
    while True:
        try:
            sessions.sign_in(ctx, "rob", "wrong-again", "198.51.100.100")
        except Unauthorized:
            checked += 1
        except TooManyAttempts:
            break
    assert checked == sessions.MAX_FAILURES
    # The right password is refused too until the window passes.
    with pytest.raises(TooManyAttempts):
        sessions.sign_in(ctx, "rob", PASSWORD, "198.51.100.200")


def test_a_refused_attempt_does_not_push_the_wait_further_out(ctx: Context, team: Team) -> None:
    sessions.set_password(ctx, None, "rob", PASSWORD)
    for _ in range(sessions.MAX_FAILURES):
        with pytest.raises(Unauthorized):
            sessions.sign_in(ctx, "rob", "wrong-one", "198.51.100.1")
    clock = ctx.clock
    for _ in range(3):
        with pytest.raises(TooManyAttempts):
            sessions.sign_in(ctx, "rob", PASSWORD, "198.51.100.1")
        clock.advance(minutes=4)  # type: ignore[attr-defined]
    clock.advance(minutes=4)  # type: ignore[attr-defined]  # 16 minutes after the failures
    assert sessions.sign_in(ctx, "rob", PASSWORD, "198.51.100.1").username == "rob"


def test_passwords_are_hashed_with_argon2id(ctx: Context, team: Team) -> None:
    sessions.set_password(ctx, None, "rob", PASSWORD)
    hashed = stored_hash(ctx, "rob")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in hashed
    assert sessions.sign_in(ctx, "rob", PASSWORD, "198.51.100.1").username == "rob"


def test_an_old_scrypt_hash_still_signs_in_and_is_replaced(ctx: Context, team: Team) -> None:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt${2**14}$8$1${salt.hex()}${digest.hex()}"
    with ctx.db.begin() as conn:
        conn.execute(
            text("UPDATE users SET password_hash = :h WHERE username = 'sara'"), {"h": old}
        )
    with pytest.raises(Unauthorized):
        sessions.sign_in(ctx, "sara", "not it", "198.51.100.1")
    assert stored_hash(ctx, "sara") == old  # a wrong password changes nothing
    assert sessions.sign_in(ctx, "sara", PASSWORD, "198.51.100.1").username == "sara"
    assert stored_hash(ctx, "sara").startswith("$argon2id$")
    assert sessions.sign_in(ctx, "sara", PASSWORD, "198.51.100.1").username == "sara"


def test_sessions_end_on_sign_out_new_password_everywhere_and_timeouts(
    ctx: Context, team: Team, clock: FakeClock
) -> None:
    rob, sara = team.rob, team.sara
    first, second = sessions.open_session(ctx, rob), sessions.open_session(ctx, rob)
    saras = sessions.open_session(ctx, sara)
    assert sessions.session_actor(ctx, first) == rob
    # only a hash is stored: the token itself cannot be read back from the database
    with ctx.db.connect() as conn:
        stored = set(conn.execute(text("SELECT token_hash FROM web_sessions")).scalars())
    assert hashlib.sha256(first.encode()).hexdigest() in stored and first not in stored

    sessions.end_session(ctx, first)  # one browser signs out: the other stays
    assert sessions.session_actor(ctx, first) is None
    assert sessions.session_actor(ctx, second) == rob
    sessions.set_password(ctx, None, "rob", PASSWORD)  # a new password ends rob's others
    assert sessions.session_actor(ctx, second) is None
    assert sessions.session_actor(ctx, saras) == sara
    with pytest.raises(Forbidden):  # a rep may not sign someone else out
        sessions.sign_out_everywhere(ctx, rob, "sara")
    assert sessions.sign_out_everywhere(ctx, team.admin, "sara") == 1
    assert sessions.session_actor(ctx, saras) is None
    assert sessions.session_actor(ctx, "forged-token") is None

    idle = sessions.open_session(ctx, rob)
    clock.now += ctx.settings.session_idle - timedelta(seconds=1)
    assert sessions.session_actor(ctx, idle) == rob  # just in time: and now seen again
    clock.now += ctx.settings.session_idle + timedelta(seconds=1)
    assert sessions.session_actor(ctx, idle) is None
    busy = sessions.open_session(ctx, rob)
    seen = []
    for _ in range(ctx.settings.session_lifetime // (ctx.settings.session_idle / 2) + 1):
        clock.now += ctx.settings.session_idle / 2
        seen.append(sessions.session_actor(ctx, busy))
    # in use all along, so never idle, but it ends at the absolute lifetime
    assert seen[0] == rob and seen[-1] is None
