"""Web sessions: who is signed in, CSRF on every form, security headers on every page.

The session cookie is signed and carries a random token and the CSRF token; who the token signs
in is kept on the server (services/people/sessions.py), so signing out ends it at once.

The JSON API authenticates each request with a bearer token and sends no cookie, so CSRF
checks apply to the pages only (every path outside /api/ and /static/), and an API request does
not open the session cookie at all (`PageSessions`).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, Request, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import Unauthorized
from bpmn_sales.services.delivery import notices
from bpmn_sales.services.people import sessions
from bpmn_sales.web import languages

F = TypeVar("F", bound=Callable[..., Any])
HSTS = "max-age=31536000; includeSubDomains"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# bpmn-js sets style attributes on the SVG it draws, hence 'unsafe-inline' for styles only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def ctx() -> Context:
    return cast(Context, current_app.extensions["bpmn_sales"])


def current_actor() -> Actor | None:
    return cast(Actor | None, g.get("actor"))


def page_actor() -> Actor:
    """The signed-in user of a page that `login_required` guards."""
    actor = current_actor()
    if actor is None:
        raise Unauthorized("sign in first")
    return actor


def login_required(view: F) -> F:
    """Send a visitor who is not signed in to the sign-in page, then back here."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_actor() is None:
            target = request.full_path if request.method == "GET" else request.path
            return redirect(url_for("session.sign_in", next=target.rstrip("?")))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def start_session(actor: Actor) -> None:
    """Sign `actor` in with a fresh session (a new CSRF token too: no fixation)."""
    token = sessions.open_session(ctx(), actor)
    session.clear()
    session.permanent = True
    session["sid"] = token
    session["csrf"] = secrets.token_urlsafe(32)


def end_session() -> None:
    """Sign this browser out: the server forgets its session, the cookie is emptied."""
    sessions.end_session(ctx(), session.get("sid"))
    session.clear()


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go to after signing in; anything pointing elsewhere becomes `default`."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or not target.isprintable():  # no CR/LF: a header must not break
        return default
    return target


def _is_page(path: str) -> bool:
    return not (path.startswith("/api/") or path.startswith("/static/"))


class PageSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, for the pages only.

    An API call (bearer token, no cookie) gets Flask's null session: nothing is read, signed or
    sent for it, and writing to it fails loudly. The signer is made once per secret key rather
    than on every request (Flask builds it, and signs a test value, each time).
    """

    def __init__(self) -> None:
        self._signers: dict[object, URLSafeTimedSerializer | None] = {}

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith("/api/"):
            return None
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if key not in self._signers:
            self._signers[key] = super().get_signing_serializer(app)
        return self._signers[key]


def init_app(app: Flask) -> None:
    app.session_interface = PageSessions()

    @app.before_request
    def load_actor() -> None:
        g.actor = None
        if not _is_page(request.path):
            return
        token = session.get("sid")
        visit = None
        if token is None:
            if "user_id" in session:  # a cookie from before server-side sessions
                session.clear()
        else:
            visit = sessions.session_visit(ctx(), token)
            if visit is None:  # signed out elsewhere, timed out, or the user is gone
                session.clear()
        g.actor = visit.actor if visit else None
        g.preferences = visit.preferences if visit else None
        languages.put_visitor_in_force(ctx(), visit.preferences if visit else None)

    @app.before_request
    def check_csrf() -> None:
        if request.method not in UNSAFE_METHODS or not _is_page(request.path):
            return
        sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
        expected = session.get("csrf")
        if not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
            raise BadRequest(
                "the form has expired or did not come from this site (CSRF check failed); "
                "reload the page and try again"
            )

    # A global, not a context value, so imported macros (macros.html) can call it too.
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        actor = current_actor()
        unread = notices.unread_count(ctx(), actor) if actor else 0
        return {"actor": actor, "unread_count": unread}

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.is_secure:  # over https (directly, or behind a trusted proxy): stay there
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if _is_page(request.path) and response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            response.headers.setdefault("Cache-Control", "no-store")
        return response
