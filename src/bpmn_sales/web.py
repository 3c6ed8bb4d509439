"""The Flask app factory: JSON API under /api/v1 and error translation at the edge."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from bpmn_sales.context import Context, database_url_from_env
from bpmn_sales.errors import (
    Conflict,
    DiagramError,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    RuleViolation,
    SalesError,
    Unauthorized,
)

log = logging.getLogger(__name__)

STATUS: dict[type[SalesError], int] = {
    NotFound: 404,
    InvalidInput: 400,
    DiagramError: 400,
    InvalidState: 409,
    Conflict: 409,
    Forbidden: 403,
    Unauthorized: 401,
    RuleViolation: 422,
}


def status_for(error: SalesError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `test_config` may set DATABASE_URL and a ready `CONTEXT`."""
    app = Flask(__name__)
    app.config.from_mapping(DATABASE_URL=database_url_from_env(), JSON_SORT_KEYS=False)
    if test_config:
        app.config.from_mapping(test_config)
    ctx = app.config.get("CONTEXT") or Context(app.config["DATABASE_URL"])
    app.extensions["bpmn_sales"] = ctx
    # Room for one file at the upload limit plus its multipart envelope; the file limit itself
    # is checked (and named in a 400) by the use case.
    app.config.setdefault("MAX_CONTENT_LENGTH", ctx.max_upload_bytes + 1024 * 1024)

    from bpmn_sales.api import bp as api_bp

    app.register_blueprint(api_bp)
    _register_errors(app)

    @app.get("/")
    def index() -> Any:
        return jsonify(
            name="bpmn-sales",
            api="/api/v1/",
            openapi="/api/v1/openapi.json",
        )

    return app


def _register_errors(app: Flask) -> None:
    @app.errorhandler(SalesError)
    def sales_error(error: SalesError) -> Any:
        response = jsonify(error.to_dict())
        response.status_code = status_for(error)
        if isinstance(error, Unauthorized):
            response.headers["WWW-Authenticate"] = 'Bearer realm="bpmn-sales"'
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        response = jsonify(
            error=(error.name or "error").lower().replace(" ", "_"),
            message=error.description or error.name,
            path=request.path,
        )
        response.status_code = error.code or 500
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        response = jsonify(error="internal_error", message="an internal error occurred")
        response.status_code = 500
        return response
