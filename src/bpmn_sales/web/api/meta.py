"""Where the API is, its document, and who is calling."""

from __future__ import annotations

from typing import Any

from bpmn_sales.services.people import users
from bpmn_sales.web.api.base import ctx
from bpmn_sales.web.api.document import openapi_document
from bpmn_sales.web.api.operation import get
from bpmn_sales.web.schemas.common import ApiIndex
from bpmn_sales.web.schemas.people import Group


@get("/", responses={200: ApiIndex}, public=True)
def api_index() -> Any:
    """Where the API and its description are."""
    return {"name": "bpmn-sales", "api": "/api/v1/", "openapi": "/api/v1/openapi.json"}


@get("/openapi.json", responses={200: dict[str, Any]}, public=True)
def openapi() -> Any:
    """This document."""
    return openapi_document()


@get("/groups", responses={200: list[Group]})
def list_groups() -> Any:
    """Groups and their members."""
    return users.list_groups(ctx())
