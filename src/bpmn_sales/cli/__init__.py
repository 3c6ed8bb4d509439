"""The `bpmn-sales` command line: operators' verbs and the whole lifecycle from a shell."""

from bpmn_sales.cli import (
    board,
    deals,
    delivery,
    leads,
    library,
    migrate,
    operators,
    reports,
    tasks,
    worker,
)
from bpmn_sales.cli.base import main

__all__ = [
    "board",
    "deals",
    "delivery",
    "leads",
    "library",
    "main",
    "migrate",
    "operators",
    "reports",
    "tasks",
    "worker",
]
