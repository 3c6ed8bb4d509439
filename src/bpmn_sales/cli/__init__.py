"""The `bpmn-sales` command line: operators' verbs and the whole lifecycle from a shell."""

from bpmn_sales.cli import lifecycle, operators
from bpmn_sales.cli.base import main

__all__ = ["lifecycle", "main", "operators"]
