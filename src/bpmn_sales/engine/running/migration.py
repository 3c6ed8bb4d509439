"""Moving a running instance to a newer spec: SpiffWorkflow's diff and migrate, our policy.

SpiffWorkflow's `SpecDiff` aligns each task spec of the old version with one of the new (by
BPMN id, then by position) and `migrate_workflow` re-points an instance's tasks and re-predicts
its ready and waiting branches. The policy around it is ours:

- refused, with the reason: a ready activity, the stage the instance is in, or an event it
  waits at that the new version removes; a task it has run or runs now whose kind changed;
- finished work on removed elements is folded out of the history (its data lives on in the
  tasks after it); a removed boundary event that only waits (a reminder) is dropped;
- the path predicted after a running stage is recomputed, so a stage added, removed or
  reordered after it is where the instance goes next; waiting timers keep their due time;
- the result must survive a save/restore round trip on the new spec and the engine's own
  steps; anything that fails there is a refusal too, and the old state is left as it was.

The spec diffs of one pair of versions are computed once per `VersionMove` (Spiff's
`diff_workflow` would diff every sub-process spec again for each instance).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task, TaskState

from bpmn_sales.engine.diagrams.wording import words
from bpmn_sales.engine.running.instance import Instance, translate_errors
from bpmn_sales.engine.running.projection import StageRef, stage_of
from bpmn_sales.engine.running.runtime import ProcessEngine, ProcessInfo
from bpmn_sales.engine.running.workflow import forget_names
from bpmn_sales.errors import SalesError
from bpmn_sales.i18n import _

SpecSource = tuple[str, Callable[[], str]]
ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
UNSTARTED = TaskState.PREDICTED_MASK | TaskState.FUTURE
FAILURES = (SalesError, SpiffWorkflowException, KeyError, ValueError, TypeError, AttributeError)


@dataclass(frozen=True)
class Place:
    """Where an instance stands: its stage and the activities ready in it."""

    stage: StageRef | None
    tasks: tuple[str, ...] = ()


@dataclass
class Plan:
    """What moving one instance would do: where it stands, where it lands, or why not."""

    before: Place
    after: Place | None
    reasons: list[str] = field(default_factory=list)
    instance: Instance | None = None  # the instance on the new version, when it can move

    @property
    def movable(self) -> bool:
        return not self.reasons and self.instance is not None


@dataclass
class _Part:
    """One workflow of an instance (the top level or a sub-process) and its diff."""

    workflow: Any
    diff: WorkflowDiff | None
    spec_diff: SpecDiff | None
    new_spec: Any


def place_of(instance: Instance) -> Place:
    snap = instance.snapshot()
    return Place(snap.running_stage or snap.stage, tuple(item.title for item in snap.ready))


def _title(spec: Any) -> str:
    return str(spec.bpmn_name or spec.bpmn_id or spec.name)


def _kind(spec: Any) -> str:
    name = type(spec).__name__
    tag = name[:1].lower() + name[1:]
    return (
        words(tag)
        if tag in ("userTask", "manualTask", "scriptTask", "serviceTask")
        else (re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower())
    )


def _kind_matters(task: Task, part: _Part) -> bool:
    """A task's new kind matters where it is at the task, or the task holds a sub-process."""
    if task.has_state(ACTIVE):
        return True
    if not task.has_state(TaskState.COMPLETED) or part.spec_diff is None:
        return False
    new = part.spec_diff.alignment.get(task.task_spec)
    return isinstance(task.task_spec, SubWorkflowTask) or isinstance(new, SubWorkflowTask)


def _message(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else str(exc)
    return f"{type(exc).__name__}: {text}" if isinstance(exc, KeyError) else text


class VersionMove:
    """Moving instances from one version of a process to another."""

    def __init__(self, engine: ProcessEngine, old: SpecSource, new: SpecSource, label: str) -> None:
        self.engine = engine
        self.label = label
        self.old_spec, self.old_subs, self.old_info = engine.specs(*old)
        self.new_spec, self.new_subs, self.new_info = engine.specs(*new)
        self._diffs: dict[str, SpecDiff] = {}

    @property
    def new_rules_info(self) -> ProcessInfo:
        return self.new_info

    def _restore(self, state: str, spec: Any, subs: dict[str, Any], info: ProcessInfo) -> Instance:
        serializer = self.engine.serializer
        workflow = translate_errors(lambda: serializer.load_state(state, spec, subs))
        workflow.script_engine = self.engine.script_engine
        return Instance(workflow, info.rules)

    def restore_old(self, state: str) -> Instance:
        return self._restore(state, self.old_spec, self.old_subs, self.old_info)

    def plan(self, state: str) -> Plan:
        """Restore a stored state of the old version and work out its move (never stored)."""
        try:
            old = self.restore_old(state)
        except FAILURES as exc:
            reason = _("its stored state cannot be read: %(error)s", error=_message(exc))
            return Plan(Place(None), None, [reason])
        before = place_of(old)
        parts = self._parts(old.workflow)
        reasons = self._refusals(old, parts)
        if reasons:
            return Plan(before, None, reasons)
        try:
            instance = self._migrate(old.workflow, parts)
            after = place_of(instance)
        except FAILURES as exc:
            reason = _(
                "%(version)s cannot continue it: %(error)s", version=self.label, error=_message(exc)
            )
            return Plan(before, None, [reason])
        if before.stage is not None and after.stage is None:
            reason = _("%(version)s leaves it outside any stage", version=self.label)
            return Plan(before, None, [reason])
        return Plan(before, after, [], instance)

    # -- diff --------------------------------------------------------------------------
    def _diff(self, name: str, old: Any, new: Any) -> SpecDiff:
        found = self._diffs.get(name)
        if found is None:
            found = self._diffs[name] = SpecDiff(self.engine.serializer.registry, old, new)
        return found

    def _parts(self, workflow: BpmnWorkflow) -> list[_Part]:
        top = self._diff("", workflow.spec, self.new_spec)
        parts = [_Part(workflow, WorkflowDiff(workflow, top), top, self.new_spec)]
        for sub in workflow.subprocesses.values():
            new = self.new_subs.get(sub.spec.name)
            if new is None:
                parts.append(_Part(sub, None, None, None))
                continue
            spec_diff = self._diff(sub.spec.name, sub.spec, new)
            parts.append(_Part(sub, WorkflowDiff(sub, spec_diff), spec_diff, new))
        return parts

    # -- policy ------------------------------------------------------------------------
    def _refusals(self, old: Instance, parts: list[_Part]) -> list[str]:
        reasons: list[str] = []
        lost: list[str] = []
        for part in parts:
            if part.diff is None or part.spec_diff is None:
                if not part.workflow.completed:
                    name = part.workflow.spec.description or part.workflow.spec.name
                    lost.append(
                        _(
                            "it is inside '%(name)s', which %(version)s does not have",
                            name=name,
                            version=self.label,
                        )
                    )
                continue
            for task in part.diff.removed:
                if task.has_state(ACTIVE):
                    reason = self._gone(old, task)
                    if reason:
                        reasons.append(reason)
            changed = part.spec_diff.changed
            for task in part.diff.changed:
                if "typename" not in changed[task.task_spec] or not _kind_matters(task, part):
                    continue
                new = part.diff.alignment.get(task) or part.spec_diff.alignment[task.task_spec]
                reasons.append(
                    _(
                        "'%(task)s' is a %(kind)s in its version and a %(new_kind)s in %(version)s",
                        task=_title(task.task_spec),
                        kind=_kind(task.task_spec),
                        new_kind=_kind(new),
                        version=self.label,
                    )
                )
        # A sub-process without a spec is mostly the removed stage already named.
        return list(dict.fromkeys(reasons or lost))

    def _gone(self, old: Instance, task: Task) -> str | None:
        spec = task.task_spec
        stage = stage_of(spec)
        if stage is not None:
            return _(
                "its stage '%(stage)s' is not in %(version)s", stage=stage.name, version=self.label
            )
        if isinstance(spec, BoundaryEvent) and task.state == TaskState.WAITING:
            return None  # a removed reminder or escalation: nothing waits there any more
        where = old.stage_for(task)
        if task.state == TaskState.STARTED and not spec.manual:
            return _(
                "it is inside '%(task)s', which %(version)s removes",
                task=_title(spec),
                version=self.label,
            )
        if where:
            return _(
                "it waits at '%(task)s' (stage '%(stage)s'), which %(version)s removes",
                task=_title(spec),
                stage=where.name,
                version=self.label,
            )
        return _(
            "it waits at '%(task)s', which %(version)s removes",
            task=_title(spec),
            version=self.label,
        )

    # -- the move ----------------------------------------------------------------------
    def _migrate(self, workflow: BpmnWorkflow, parts: list[_Part]) -> Instance:
        for part in parts:
            if part.diff is None:
                continue
            wf = part.workflow
            timers = {
                t.id: (t.task_spec.name, dict(t.internal_data))
                for t in wf.get_tasks(state=TaskState.WAITING, skip_subprocesses=True)
            }
            _fold_removed(wf, part.diff)
            # The tasks' specs change: indexes by spec name are rebuilt when next asked, on
            # every table (a gateway's question reads them all), before and after.
            forget_names(workflow)
            migrate_workflow(part.diff, wf, part.new_spec)
            forget_names(workflow)
            for task_id, (name, data) in timers.items():
                task = wf.tasks.get(task_id)
                if task is not None and task.task_spec.name == name and "event_value" in data:
                    task.internal_data.update(data)
            _start_added_branches(wf)
            _repredict(wf)
        _drop_orphans(workflow)
        workflow.subprocess_specs = self.new_subs
        state = self.engine.serializer.dump_state(workflow)
        instance = self._restore(state, self.new_spec, self.new_subs, self.new_info)
        instance.advance()
        return instance


def _fold_removed(workflow: Any, diff: WorkflowDiff) -> None:
    """Take tasks of removed elements out: finished ones spliced out, waiting ones dropped."""
    for task in diff.removed:
        if task.id not in workflow.tasks or task.parent is None:
            continue
        if task.state == TaskState.COMPLETED:
            parent = task.parent
            index = parent._children.index(task.id)
            parent._children[index : index + 1] = list(task._children)
            for child in task.children:
                child._parent = parent.id
            workflow.tasks.pop(task.id)
            if workflow.last_task is task:
                workflow.last_task = parent
        elif not task.has_state(TaskState.READY | TaskState.STARTED):
            workflow._remove_task(task.id)


def _start_added_branches(workflow: Any) -> None:
    """An activity added beside others in a stage already begun starts now (its parallel
    gateway has passed, and the join would otherwise wait for it forever)."""
    if workflow.completed:
        return
    for task in workflow.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True):
        if not isinstance(task.task_spec, ParallelGateway) or not _join_pending(task):
            continue
        have = {child.task_spec for child in task.children}
        for spec in task.task_spec.outputs:
            if spec not in have:
                child = task._add_child(spec, TaskState.FUTURE)
                spec._predict(child, mask=UNSTARTED)
                spec._update(child)


def _join_pending(split: Task) -> bool:
    """Whether a parallel split's branches still wait to be joined."""
    waiting = UNSTARTED | TaskState.WAITING | TaskState.READY
    return any(
        isinstance(t.task_spec, ParallelGateway) and t is not split and t.has_state(waiting)
        for t in split
    )


def _repredict(workflow: Any) -> None:
    """Re-predict the path after each running task from the new spec's outputs."""
    for task in workflow.get_tasks(state=TaskState.STARTED, skip_subprocesses=True):
        for child in list(task.children):
            if all(t.has_state(UNSTARTED) for t in child):
                workflow._remove_task(child.id)
        have = {child.task_spec for child in task.children}
        for spec in task.task_spec.outputs:
            if spec not in have:
                child = task._add_child(spec, TaskState.FUTURE)
                spec._predict(child, mask=UNSTARTED)


def _drop_orphans(top: BpmnWorkflow) -> None:
    """Forget sub-processes whose task was folded out of their parent workflow."""
    while True:
        alive = set(top.tasks).union(*(sub.tasks for sub in top.subprocesses.values()))
        gone = [sub_id for sub_id in top.subprocesses if sub_id not in alive]
        if not gone:
            return
        for sub_id in gone:
            del top.subprocesses[sub_id]
