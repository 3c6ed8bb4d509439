"""Use cases for signing in to the web pages: passwords, a rate limit on guesses, sessions.

The rate limit lives in the database, so several web workers share it: at most
`MAX_FAILURES` failed sign-ins per user name, and `MAX_FAILURES_PER_ADDRESS` per client
address, within `WINDOW`; past that a sign-in is refused (even a correct one) until the oldest
failure leaves the window. Each attempt is written down (committed) before its password is
checked, so guesses sent in parallel each count the ones before them: no more than the limit
is ever checked.

A signed-in browser holds a random token; the server keeps its hash with the time it was made
and last seen (`web_sessions`). Signing out, a password change and an admin's "sign out
everywhere" delete the rows, so the cookie stops working at once; a session idle longer than
the idle timeout, or older than the absolute one, has ended too.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import datetime, timedelta

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.passwords import (
    DUMMY_HASH,
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import Conflict, NotFound, TooManyAttempts, Unauthorized
from bpmn_sales.i18n import _, ngettext
from bpmn_sales.persistence.models import Setting, SignInFailure, WebSession
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.people.preferences import COMPANY_KEYS, Visit, user_preferences
from bpmn_sales.services.people.users import actor_of

WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 20
SECRET_KEY_SETTING = "session_secret_key"  # noqa: S105 - a settings key, not a secret
# A session's last-seen time is written at most this often (not on every page).
TOUCH_EVERY = timedelta(minutes=1)


def sign_in(ctx: Context, username: object, password: object, remote_addr: str) -> Actor:
    """The user whose name and password these are; refuse guesses past the rate limit."""
    name = (username.strip().lower() if isinstance(username, str) else "")[:80]
    given = password if isinstance(password, str) else ""
    address = (remote_addr or "unknown")[:64]
    now = ctx.clock()
    since = now - WINDOW
    with ctx.uow() as store:
        attempt = SignInFailure(username=name, remote_addr=address, at=now)
        store.add(attempt)
        store.commit()  # counted before it is checked (see the module's docstring)
        attempt_id = attempt.id
    with ctx.uow() as store:
        by_name, by_addr = store.sign_in_failures(name, address, since)
        if by_name > MAX_FAILURES or by_addr > MAX_FAILURES_PER_ADDRESS:
            # Not checked, so not a failure: it does not push the wait further out.
            store.forget_failure(attempt_id)
            oldest = store.oldest_failure(name, address, since) or now
            store.commit()
            wait = max(1, int((oldest + WINDOW - now).total_seconds()))
            raise TooManyAttempts(
                ngettext(
                    "too many failed sign-ins; try again in %(num)s minute(s)",
                    "too many failed sign-ins; try again in %(num)s minute(s)",
                    max(1, round(wait / 60)),
                ),
                retry_after=wait,
            )
        user = store.user_by_username(name) if name else None
        # Hash even for an unknown user, so the answer takes as long either way.
        ok = verify_password(user.password_hash if user else DUMMY_HASH, given)
        if user is None or not ok:
            raise Unauthorized(_("the user name or password is not right"))  # the attempt stays
        store.forget_failures(name, since)
        if user.password_hash and needs_rehash(user.password_hash):
            user.password_hash = hash_password(given)  # scrypt (or a weaker cost) to argon2id
        actor = actor_of(user)
        store.commit()
    return actor


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _limits(ctx: Context, now: datetime) -> tuple[datetime, datetime]:
    """(idle before, started before): a session last seen or made before these has ended."""
    settings = ctx.settings
    return now - settings.session_idle, now - settings.session_lifetime


def open_session(ctx: Context, actor: Actor) -> str:
    """A new web session for a user who just signed in; the token for their cookie."""
    token = secrets.token_urlsafe(32)
    now = ctx.clock()
    with ctx.uow() as store:
        idle, started = _limits(ctx, now)
        store.end_web_sessions(idle_before=idle, started_before=started)  # sweep ended ones
        store.add(
            WebSession(
                token_hash=_token_hash(token), user_id=actor.id, created_at=now, last_seen_at=now
            )
        )
        store.commit()
    return token


def session_actor(ctx: Context, token: object) -> Actor | None:
    """Who a session token signs in, if the session is still open (else None)."""
    visit = session_visit(ctx, token)
    return visit.actor if visit else None


def session_visit(ctx: Context, token: object) -> Visit | None:
    """Who a session token signs in and their preferences, if the session is still open.

    One statement reads the session, its user and the company's defaults together."""
    if not isinstance(token, str) or not token:
        return None
    now = ctx.clock()
    with ctx.uow() as store:
        found = store.web_session_with_settings(_token_hash(token), COMPANY_KEYS)
        if found is None:
            return None
        web_session, user, settings = found
        idle, started = _limits(ctx, now)
        if web_session.last_seen_at < idle or web_session.created_at < started:
            store.end_web_sessions(token_hash=web_session.token_hash)
            store.commit()
            return None
        if now - web_session.last_seen_at >= TOUCH_EVERY:
            store.touch_web_session(web_session.id, now)
            store.commit()
        return Visit(actor_of(user), user_preferences(user, settings))


def end_session(ctx: Context, token: object) -> None:
    """Sign one browser out: its token stops working at once."""
    if isinstance(token, str) and token:
        with ctx.uow() as store:
            store.end_web_sessions(token_hash=_token_hash(token))
            store.commit()


def sign_out_everywhere(ctx: Context, actor: Actor | None, username: str) -> int:
    """End every web session of a user (yourself, or anyone for an admin; None: the CLI)."""
    if actor is not None and actor.username != username:
        require_admin(actor, _("sign another user out"))
    with ctx.uow() as store:
        user = store.user_by_username(username)
        if user is None:
            raise NotFound(_("user '%(user)s' does not exist", user=username), username=username)
        ended = _end_all(store, user.id)
        store.commit()
        return ended


def _end_all(store: Store, user_id: int) -> int:
    return store.end_web_sessions(user_id=user_id)


def set_password(ctx: Context, actor: Actor | None, username: str, password: object) -> None:
    """Set a user's web password: their own, or anyone's for an admin (None: the CLI)."""
    if actor is not None and actor.username != username:
        require_admin(actor, _("set another user's password"))
    hashed = hash_password(check_policy(password))
    with ctx.uow() as store:
        user = store.user_by_username(username)
        if user is None:
            raise NotFound(_("user '%(user)s' does not exist", user=username), username=username)
        user.password_hash = hashed
        _end_all(store, user.id)  # a new password signs out every browser that had the old
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
            raise RuntimeError(_("the session key could not be stored"))
        return value
