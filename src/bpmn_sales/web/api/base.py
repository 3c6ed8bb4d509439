"""The API blueprint and what every view uses: the context, the caller, the request's JSON."""

from __future__ import annotations

from typing import Any, cast

from flask import Response, current_app, g, jsonify, request
from flask.blueprints import Blueprint, BlueprintSetupState
from werkzeug.routing import BaseConverter

from bpmn_sales.context import Context
from bpmn_sales.domain.model import MAX_ID, Actor
from bpmn_sales.errors import InvalidInput, Unauthorized
from bpmn_sales.i18n import _
from bpmn_sales.services.people import preferences
from bpmn_sales.web import languages

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class RecordId(BaseConverter):
    """`<id:deal_id>`: a record id, 1 or more (the views refuse one past MAX_ID with a 404).

    The bound is not checked here: a converter that refuses a value makes Werkzeug answer 405
    for the other methods of the same path instead of 404.
    """

    regex = r"[1-9][0-9]*"
    part_isolating = True

    def to_python(self, value: str) -> int:
        # Longer than any id: stands for "too large" without converting a huge number.
        return int(value) if len(value) <= len(str(MAX_ID)) else MAX_ID + 1

    def to_url(self, value: Any) -> str:
        return str(int(value))


RESERVED_KEYS = ("import", "lint")


class ProcessKey(BaseConverter):
    """`<key:key>`: a process key, but not a word that names a route beside it.

    `/processes/import` and `/processes/lint` are operations of their own; without this a GET
    on them would also reach `/processes/<key:key>` and an OPTIONS would list its methods too.
    """

    regex = r"(?!(?:import|lint)(?![^/]))[^/]+"
    part_isolating = True


def _add_converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["id"] = RecordId
    state.app.url_map.converters["key"] = ProcessKey


# Recorded before any route, so the converter exists when the rules are added.
bp.record_once(_add_converter)


def ctx() -> Context:
    return cast(Context, current_app.extensions["bpmn_sales"])


def actor() -> Actor:
    return cast(Actor, g.actor)


def authenticate() -> None:
    """Take the acting user from `Authorization: Bearer <token>`."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(_("send an API token as 'Authorization: Bearer <token>'"))
    visit = preferences.token_visit(ctx(), token.strip())
    g.actor = visit.actor
    g.preferences = visit.preferences
    languages.put_in_force(visit.preferences, visit.preferences.company)


def json_object() -> dict[str, Any]:
    """The request's JSON object; {} when there is no body."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # the json module gives up on very deep nesting
        raise InvalidInput(_("the request body is nested too deeply"), field="body") from None
    if data is None and not request.data:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(_("the request body must be a JSON object"), field="body")
    return data


def expected_version(version: int | None) -> int | None:
    """The version the client read: `version` from the body, else an If-Match header."""
    if version is not None:
        return version
    header = request.headers.get("If-Match")
    if not header:
        return None
    value = header.strip('"W/ ')
    if value.isascii() and value.isdigit() and len(value) < 4000:  # int() refuses longer ones
        return int(value)
    raise InvalidInput(_("version %(value)r is not an integer", value=value[:40]), field="version")


def respond_versioned(payload: dict[str, Any]) -> Response:
    """The record with its version as a strong ETag; a bare 304 when the reader's copy is it."""
    etag = str(payload["version"])
    if request.method == "GET" and request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = jsonify(payload)
    response.set_etag(etag)
    return response


def respond_created(payload: dict[str, Any], location: str) -> Response:
    response = jsonify(payload)
    response.status_code = 201
    response.headers["Location"] = location
    return response
