"""The Flask app factory: web pages, the JSON API under /api/v1, errors translated at the edge."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from bpmn_sales.context import Context
from bpmn_sales.services.people import sessions
from bpmn_sales.settings import Settings


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `test_config` may set SETTINGS, DATABASE_URL, SECRET_KEY and a ready
    `CONTEXT`. Without SETTINGS the environment is read (and checked) here, once.

    With TESTING, every API answer is checked against the OpenAPI document (set
    API_RESPONSE_CHECKS to False to turn that off, or True to have it without TESTING).
    """
    settings = (test_config or {}).get("SETTINGS") or Settings.from_env()
    app = Flask(__name__)
    if settings.proxy_hops:
        # Behind that many reverse proxies: the client's address (for the sign-in limit) and
        # scheme (for Secure cookies and HSTS) come from their X-Forwarded-For/-Proto headers.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops
        )
    app.config.from_mapping(
        DATABASE_URL=settings.database_url,
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_NAME="bpmn_sales_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        PERMANENT_SESSION_LIFETIME=settings.session_lifetime,
        SEND_FILE_MAX_AGE_DEFAULT=timedelta(hours=1),
    )
    if settings.secret_key:
        app.config["SECRET_KEY"] = settings.secret_key
    if test_config:
        app.config.from_mapping(test_config)
    ctx = app.config.get("CONTEXT") or Context(app.config["DATABASE_URL"], settings=settings)
    app.extensions["bpmn_sales"] = ctx
    if not app.config.get("SECRET_KEY"):
        # Shared through the database, so every worker signs sessions with the same key.
        app.config["SECRET_KEY"] = sessions.session_secret(ctx)
    # Room for one file at the upload limit plus its multipart envelope; the file limit itself
    # is checked (and named in a 400) by the use case.
    app.config.setdefault("MAX_CONTENT_LENGTH", ctx.max_upload_bytes + 1024 * 1024)

    from bpmn_sales.web import auth, errors, exact_json, formatting, labels, languages, pages
    from bpmn_sales.web.api import bp as api_bp

    exact_json.init_app(app)
    formatting.init_app(app)
    languages.init_app(app)
    labels.init_app(app)
    app.register_blueprint(api_bp)
    auth.init_app(app)
    pages.register(app)
    errors.register(app)

    @app.get("/favicon.ico")
    def favicon() -> Response:
        """Browsers ask for it whatever the page says: the same icon as the pages' link."""
        with app.open_resource("static/favicon.svg") as icon:
            return Response(
                icon.read(),
                mimetype="image/svg+xml",
                headers={"Cache-Control": "public, max-age=86400"},
            )

    return app
