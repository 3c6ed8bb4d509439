"""Placing a new instance at a later stage without running the stages before it (an import).

A deal brought from another system stands at some stage already; the activities of the stages
before it were done there, not here. As version migration re-points an instance's tasks, this
re-shapes the tree of a just-started instance: the stage it runs now is closed (its tasks and
its boundary timers cancelled, its sub-process dropped), the stages on the predicted path up to
the target are marked passed, and the target stage's task (with its boundary events) is reset
to run, so the engine starts it as it starts any stage: its first activities ready, its
reminders waiting. Nothing of the earlier stages' rules runs; the caller records the move as
imported.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.task import Task, TaskState

from bpmn_sales.engine.running.instance import Instance, translate_errors
from bpmn_sales.engine.running.projection import stage_of
from bpmn_sales.errors import InvalidState
from bpmn_sales.i18n import _

PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE
ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _stage_task(instance: Instance, stage_key: str) -> Task | None:
    """The predicted task of the stage (its boundary split when it has boundary events)."""
    for task in instance.workflow.get_tasks(state=PREDICTED):
        stage = stage_of(task.task_spec)
        if stage is not None and stage.key == stage_key:
            parent = task.parent
            if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
                return parent
            return task
    return None


def _path(target: Task) -> list[Task]:
    """The target's ancestors in its workflow, from the first one that is not predicted."""
    path: list[Task] = []
    current = target.parent
    while current is not None:
        path.append(current)
        if not current.has_state(PREDICTED):
            break
        current = current.parent
    path.reverse()
    return path


def place_at_stage(instance: Instance, stage_key: str) -> None:
    """Bring a new instance to the stage `stage_key` of its predicted path (see the module)."""
    target = _stage_task(instance, stage_key)
    if target is None:
        raise InvalidState(
            _("the process cannot place a deal at stage '%(stage)s'", stage=stage_key),
            stage=stage_key,
        )
    top = instance.workflow
    workflow = target.workflow
    path = _path(target)
    on_path = {task.id for task in path} | {target.id}

    def place() -> None:
        # Whatever runs or waits beside the path in that workflow stops: the running stage's
        # activities and timers, the boundary events of the stages passed.
        for task in list(workflow.get_tasks(state=ACTIVE)):
            if task.id not in on_path and task.id in workflow.tasks:
                task.cancel()
        for task in path:
            if task.id in top.subprocesses:
                top.delete_subprocess(task)
            for child in list(task.children):
                if child.id not in on_path and child.has_state(PREDICTED):
                    workflow._remove_task(child.id)
            task._set_state(TaskState.COMPLETED)
        workflow.last_task = path[-1] if path else workflow.last_task
        target.reset_branch(None)
        top.do_engine_steps()

    instance.run(lambda: translate_errors(place))
    running = instance.running_stage()
    if running is None or running.key != stage_key:
        raise InvalidState(
            _("the process cannot place a deal at stage '%(stage)s'", stage=stage_key),
            stage=stage_key,
        )
