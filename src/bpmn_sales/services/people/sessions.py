"""Use cases for signing in to the web pages: passwords, a rate limit on failures, the key.

The rate limit lives in the database, so several web workers share it: at most
`MAX_FAILURES` failed sign-ins per user name, and `MAX_FAILURES_PER_ADDRESS` per client
address, within `WINDOW`; past that a sign-in is refused (even a correct one) until the oldest
failure leaves the window.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import timedelta

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.passwords import DUMMY_HASH, check_policy, hash_password, verify_password
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import Conflict, NotFound, TooManyAttempts, Unauthorized
from bpmn_sales.persistence.models import Setting, SignInFailure
from bpmn_sales.services.people.users import actor_of

WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 20
SECRET_KEY_SETTING = "session_secret_key"  # noqa: S105 - a settings key, not a secret


def sign_in(ctx: Context, username: object, password: object, remote_addr: str) -> Actor:
    """The user whose name and password these are; refuse guesses past the rate limit."""
    name = username.strip().lower() if isinstance(username, str) else ""
    given = password if isinstance(password, str) else ""
    address = (remote_addr or "unknown")[:64]
    now = ctx.clock()
    since = now - WINDOW
    with ctx.uow() as store:
        by_name, by_addr = store.sign_in_failures(name[:80], address, since)
        if by_name >= MAX_FAILURES or by_addr >= MAX_FAILURES_PER_ADDRESS:
            oldest = store.oldest_failure(name[:80], address, since) or now
            wait = max(1, int((oldest + WINDOW - now).total_seconds()))
            raise TooManyAttempts(
                f"too many failed sign-ins; try again in {max(1, round(wait / 60))} minute(s)",
                retry_after=wait,
            )
        user = store.user_by_username(name) if name else None
        # Hash even for an unknown user, so the answer takes as long either way.
        ok = verify_password(user.password_hash if user else DUMMY_HASH, given)
        if user is None or not ok:
            store.add(SignInFailure(username=name[:80], remote_addr=address, at=now))
            store.commit()
            raise Unauthorized("the user name or password is not right")
        store.forget_failures(name, since)
        actor = actor_of(user)
        store.commit()
    return actor


def set_password(ctx: Context, actor: Actor | None, username: str, password: object) -> None:
    """Set a user's web password: their own, or anyone's for an admin (None: the CLI)."""
    if actor is not None and actor.username != username:
        require_admin(actor, "set another user's password")
    hashed = hash_password(check_policy(password))
    with ctx.uow() as store:
        user = store.user_by_username(username)
        if user is None:
            raise NotFound(f"user '{username}' does not exist", username=username)
        user.password_hash = hashed
        store.commit()


def session_secret(ctx: Context) -> str:
    """The key that signs session cookies, made once and shared by every worker."""
    with ctx.uow() as store:
        value = store.setting(SECRET_KEY_SETTING)
        if value is not None:
            return value
        store.add(Setting(key=SECRET_KEY_SETTING, value=secrets.token_urlsafe(48)))
        with contextlib.suppress(Conflict):  # another worker made it first: read theirs
            store.commit()
    with ctx.uow() as store:
        value = store.setting(SECRET_KEY_SETTING)
        if value is None:
            raise RuntimeError("the session key could not be stored")
        return value
