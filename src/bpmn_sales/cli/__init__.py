"""The `bpmn-sales` command line: operators' verbs and the whole lifecycle from a shell."""

from bpmn_sales.cli import board, lifecycle, operators, tasks
from bpmn_sales.cli.base import main

__all__ = ["board", "lifecycle", "main", "operators", "tasks"]
