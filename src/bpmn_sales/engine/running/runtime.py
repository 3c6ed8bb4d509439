"""The engine facade: compile diagrams, cache each version's spec, start, restore and save
instances (a full snapshot now and then, a delta of what changed otherwise)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from bpmn_sales.domain.rules import ProcessRules
from bpmn_sales.engine.diagrams.compiler import DiagramCompiler, ParsedProcess
from bpmn_sales.engine.diagrams.problems import Problem
from bpmn_sales.engine.diagrams.rules import read_rules
from bpmn_sales.engine.running.instance import Instance, translate_errors
from bpmn_sales.engine.running.projection import StageRef, message_names, stage_of
from bpmn_sales.engine.running.script_engine import ServiceFunction, make_script_engine
from bpmn_sales.engine.running.serialization import Serializer, share_finished_data
from bpmn_sales.engine.running.workflow import SalesWorkflow
from bpmn_sales.errors import InvalidState
from bpmn_sales.i18n import _

# A full snapshot is written at the latest after this many deltas, or once the deltas since
# the last one would weigh more than JOURNAL_WEIGHT snapshots: a cold restore then reads at
# most about three snapshots' bytes. (With a weight of 1, a deal of the small test diagrams
# wrote a snapshot every other step: finishing a stage rewrites a sub-process.)
SNAPSHOT_EVERY = 16
JOURNAL_WEIGHT = 2


@dataclass(frozen=True)
class CompiledProcess:
    """A checked process ready to store: its key, name and serialized spec."""

    key: str
    name: str
    file: str
    spec_json: str
    forms: dict[str, Any] = field(default_factory=dict)  # the task forms, by file name


@dataclass(frozen=True)
class ProcessInfo:
    """What the diagram says that use cases and clients need without running it."""

    key: str
    name: str
    stages: list[StageRef]
    messages: list[str]
    rules: ProcessRules

    @property
    def lost_reasons(self) -> list[str]:
        return self.rules.lost_reasons


@dataclass(frozen=True)
class SavedState:
    """What a save of an instance gives storage: a full snapshot (the journal starts over) or
    a delta to append to the journal."""

    snapshot: str | None = None
    delta: str | None = None


@dataclass
class _LoadedSpec:
    spec: Any
    subprocess_specs: dict[str, Any]
    info: ProcessInfo

    def instance(self, workflow: BpmnWorkflow) -> Instance:
        return Instance(workflow, self.info.rules)


class ProcessEngine:
    """Everything that touches SpiffWorkflow at run time goes through here."""

    def __init__(self, services: Mapping[str, ServiceFunction], cache_size: int = 256) -> None:
        self.services = services
        self.compiler = DiagramCompiler(set(services))
        self.serializer = Serializer()
        self.script_engine = make_script_engine(services)
        self._cache: OrderedDict[str, _LoadedSpec] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}  # versions being loaded: their gates

    # -- deploy time -------------------------------------------------------------------
    def lint(self, files: Mapping[str, bytes]) -> list[Problem]:
        return self.compiler.lint(files)

    def compile(self, files: Mapping[str, bytes]) -> list[CompiledProcess]:
        parsed = self.compiler.compile(files)
        return [self._compiled(p) for p in parsed]

    def _compiled(self, parsed: ParsedProcess) -> CompiledProcess:
        spec_json = self.serializer.dump_spec(parsed.spec, parsed.subprocess_specs)
        return CompiledProcess(parsed.key, parsed.name, parsed.file, spec_json, parsed.forms)

    # -- run time ----------------------------------------------------------------------
    def _load(self, cache_key: str, spec_json: Callable[[], str]) -> _LoadedSpec:
        with self._lock:
            loaded = self._cache.get(cache_key)
            if loaded is not None:
                self._cache.move_to_end(cache_key)
                return loaded
            # One thread loads a version; the others wanting it meanwhile wait for that load
            # (~30 ms of CPU each: after a restart, a burst of requests would all repeat it).
            gate = self._loading.setdefault(cache_key, threading.Lock())
        with gate:
            with self._lock:
                loaded = self._cache.get(cache_key)
                if loaded is not None:
                    self._cache.move_to_end(cache_key)
                    return loaded
            spec, subs = self.serializer.load_spec(spec_json())
            loaded = _LoadedSpec(spec, subs, _describe(spec, subs))
            with self._lock:
                self._cache[cache_key] = loaded
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
                self._loading.pop(cache_key, None)
        return loaded

    def info(self, cache_key: str, spec_json: Callable[[], str]) -> ProcessInfo:
        return self._load(cache_key, spec_json).info

    def specs(
        self, cache_key: str, spec_json: Callable[[], str]
    ) -> tuple[Any, dict[str, Any], ProcessInfo]:
        """A version's top-level spec, its sub-process specs and info (for running/migration.py)."""
        loaded = self._load(cache_key, spec_json)
        return loaded.spec, loaded.subprocess_specs, loaded.info

    def start(
        self, cache_key: str, spec_json: Callable[[], str], data: Mapping[str, Any]
    ) -> Instance:
        """Start a new instance with initial data and run it to its first wait."""
        loaded = self._load(cache_key, spec_json)
        workflow = SalesWorkflow(
            loaded.spec, loaded.subprocess_specs, script_engine=self.script_engine
        )
        workflow.data.update(data)
        start = workflow.task_tree
        start.data.update(data)
        instance = loaded.instance(workflow)
        # Nothing of a new instance is stored or projected yet.
        instance.projected, instance.projected_timers = set(), frozenset()
        instance.advance()
        return instance

    def restore(
        self,
        cache_key: str,
        spec_json: Callable[[], str],
        state: str,
        journal: Sequence[str] = (),
    ) -> Instance:
        """The instance a stored snapshot and the deltas journalled after it describe."""
        loaded = self._load(cache_key, spec_json)
        try:
            workflow = translate_errors(
                lambda: self.serializer.load_state(
                    state, loaded.spec, loaded.subprocess_specs, journal
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidState(
                _("the stored instance state cannot be read: %(error)s", error=exc)
            ) from None
        workflow.script_engine = self.script_engine
        instance = loaded.instance(workflow)
        instance.baseline = self.serializer.baseline(workflow)
        instance.journal_entries = len(journal)
        instance.journal_bytes = sum(len(d) for d in journal)
        instance.snapshot_bytes = len(state)
        return instance

    def dump(self, instance: Instance) -> str:
        """The instance's full state (what a snapshot stores)."""
        return self.serializer.dump_state(instance.workflow)

    def save(self, instance: Instance) -> SavedState:
        """What to store after a step: a delta of what changed since the last save, or a full
        snapshot (the first save, after SNAPSHOT_EVERY deltas, or once the deltas outweigh
        JOURNAL_WEIGHT snapshots).

        The instance remembers what it gave; keep it only if the transaction commits.
        """
        share_finished_data(instance.workflow)
        if instance.baseline is not None and instance.journal_entries < SNAPSHOT_EVERY:
            text, baseline = self.serializer.dump_delta(instance.workflow, instance.baseline)
            if instance.journal_bytes + len(text) <= JOURNAL_WEIGHT * instance.snapshot_bytes:
                instance.baseline = baseline
                instance.journal_entries += 1
                instance.journal_bytes += len(text)
                return SavedState(delta=text)
        text = self.serializer.dump_state(instance.workflow)
        instance.baseline = self.serializer.baseline(instance.workflow)
        instance.journal_entries = instance.journal_bytes = 0
        instance.snapshot_bytes = len(text)
        return SavedState(snapshot=text)

    def compose(self, state: str, journal: Sequence[str]) -> str:
        """The full state text of a stored snapshot and its journal."""
        try:
            return self.serializer.compose_state(state, journal)
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidState(
                _("the stored instance state cannot be read: %(error)s", error=exc)
            ) from None


def _describe(spec: Any, subprocess_specs: Mapping[str, Any]) -> ProcessInfo:
    stages: list[StageRef] = []
    messages: set[str] = set()
    for process_spec in [spec, *subprocess_specs.values()]:
        for task_spec in process_spec.task_specs.values():
            stage = stage_of(task_spec)
            if stage is not None:
                stages.append(stage)
            messages.update(message_names(getattr(task_spec, "event_definition", None)))
    stages.sort(key=lambda s: s.order)
    rules = read_rules(spec, subprocess_specs)
    return ProcessInfo(spec.name, spec.description or spec.name, stages, sorted(messages), rules)
