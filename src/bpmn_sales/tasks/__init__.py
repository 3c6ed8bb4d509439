"""Service-task functions: a diagram's `operation_name` is the name of a function here.

Each function takes the evaluated parameters of its service task as keyword arguments and
returns a JSON-serializable dict, stored in the task's `resultVariable`. They raise
`RuleViolation` (or `InvalidInput`) to refuse; the use case then rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bpmn_sales.tasks import closing, notifications, qualification

ServiceFunction = Callable[..., Mapping[str, Any]]

SERVICE_TASKS: dict[str, ServiceFunction] = {
    function.__name__: function
    for module in (qualification, closing, notifications)
    for function in module.SERVICE_TASKS
}

__all__ = ["SERVICE_TASKS", "ServiceFunction"]
