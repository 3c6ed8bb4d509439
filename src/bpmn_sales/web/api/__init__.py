"""The JSON API under /api/v1: thin views that parse, call one use case and return JSON.

Each view module holds one capability's routes; importing this package registers them all on
`bp` and in the OpenAPI document (`document.py`).
"""

from bpmn_sales.web.api import (
    analytics,
    board,
    conformance,
    deals,
    delivery,
    drafts,
    imports,
    leads,
    library,
    meta,
    migrations,
    people,
    processes,
    records,
    settings,
    tasks,
    timers,
)
from bpmn_sales.web.api.base import bp

__all__ = [
    "analytics",
    "board",
    "bp",
    "conformance",
    "deals",
    "delivery",
    "drafts",
    "imports",
    "leads",
    "library",
    "meta",
    "migrations",
    "people",
    "processes",
    "records",
    "settings",
    "tasks",
    "timers",
]
