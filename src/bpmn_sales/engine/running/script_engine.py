"""The script engine diagrams run with: restricted expressions and service tasks from `tasks/`."""

from __future__ import annotations

import copy
import json
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from bpmn_sales.engine.expressions.evaluator import RestrictedEvaluator
from bpmn_sales.errors import DiagramError, SalesError
from bpmn_sales.i18n import _

ServiceFunction = Callable[..., Mapping[str, Any]]


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Evaluate diagram code with the restricted evaluator; dispatch service tasks by name."""

    def __init__(
        self, evaluator: RestrictedEvaluator, services: Mapping[str, ServiceFunction]
    ) -> None:
        super().__init__({})
        self.evaluator = evaluator
        self.services = services

    def evaluate(
        self,
        expression: str,
        context: Mapping[str, Any],
        external_context: Mapping[str, Any] | None = None,
    ) -> Any:
        names = ChainMap(dict(context), dict(external_context)) if external_context else context
        return self.evaluator.evaluate(expression, names)

    def execute(
        self,
        script: str,
        context: MutableMapping[str, Any],
        external_context: Mapping[str, Any] | None = None,
    ) -> bool:
        # On a deep copy: SpiffWorkflow copies task data one level deep, so a script's
        # `deal["fields"]["x"] = 1` would otherwise change the data of the finished tasks
        # before it too, behind the back of the stored deltas (journal.py).
        names = copy.deepcopy(dict(context))
        self.evaluator.execute(script, names)
        context.clear()
        context.update(names)
        return True

    def call_service(
        self,
        context: Mapping[str, Any],
        operation_name: str,
        operation_params: Mapping[str, Mapping[str, Any]],
        **_ignored: Any,
    ) -> str:
        function = self.services.get(operation_name)
        if function is None:
            raise DiagramError(_("unknown service task operation '%(name)s'", name=operation_name))
        params = {name: param["value"] for name, param in operation_params.items()}
        return json.dumps(function(**params))


class SalesScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """A PythonScriptEngine that lets our own errors through and wraps the rest with the task."""

    def call_service(self, task: Any, **kwargs: Any) -> str:
        try:
            result: str = self.environment.call_service(task.data, **kwargs)
        except SalesError:
            raise
        except Exception as err:
            raise WorkflowTaskException(
                _("service task failed: %(error)s", error=err), task=task, exception=err
            ) from err
        return result


def make_script_engine(services: Mapping[str, ServiceFunction]) -> SalesScriptEngine:
    return SalesScriptEngine(environment=RestrictedEnvironment(RestrictedEvaluator(), services))
