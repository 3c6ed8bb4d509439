"""Errors translated at the edge: JSON under /api/, a page elsewhere; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from bpmn_sales.errors import (
    Conflict,
    DiagramError,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    RuleViolation,
    SalesError,
    TooManyAttempts,
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
    TooManyAttempts: 429,
}


def status_for(error: SalesError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def page(status: int, title: str, message: str, details: dict[str, Any] | None = None) -> Any:
    return (
        render_template("error.html", status=status, title=title, message=message, details=details),
        status,
    )


def register(app: Flask) -> None:
    @app.errorhandler(SalesError)
    def sales_error(error: SalesError) -> Any:
        status = status_for(error)
        if wants_json():
            response = jsonify(error.to_dict())
            response.status_code = status
            if isinstance(error, Unauthorized):
                response.headers["WWW-Authenticate"] = 'Bearer realm="bpmn-sales"'
            return response
        return page(status, error.code.replace("_", " ").capitalize(), error.message, error.details)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        name = error.name or "Error"
        message = error.description or name
        if wants_json():
            response = jsonify(
                error=name.lower().replace(" ", "_"), message=message, path=request.path
            )
            response.status_code = status
        else:
            response = make_response(page(status, name, message))
        # The exception's own headers: Allow on a 405, Retry-After where one is given.
        for header, value in error.get_headers():
            if header.lower() != "content-type":
                response.headers[header] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        message = "an internal error occurred"
        if wants_json():
            response = jsonify(error="internal_error", message=message)
            response.status_code = 500
            return response
        return page(500, "Internal error", message)
