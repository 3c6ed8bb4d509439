"""Form handling shared by the deal and lead pages: field errors, filters, owner choices."""

from __future__ import annotations

from flask import request

from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import InvalidInput
from bpmn_sales.services.people import users
from bpmn_sales.web.pages.common import ctx


def field_errors(error: InvalidInput, default: str = "form") -> dict[str, str]:
    """Each message keyed by the field it names (shown beside that field): every bad field
    when the refusal lists them (`errors`), else the one it names."""
    listed = error.details.get("errors")
    if isinstance(listed, dict) and listed:
        return {str(name): str(message) for name, message in listed.items()}
    return {error.field or default: error.message}


def query_filters(*names: str) -> dict[str, str | None]:
    """The list page's filters from the query string (blank means no filter)."""
    return {name: (request.args.get(name) or "").strip() or None for name in names}


def owner_choices(actor: Actor) -> list[str]:
    """The owners a list may be filtered by: whose records the actor may see."""
    return users.user_names(ctx(), actor)
