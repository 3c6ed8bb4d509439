"""Run the real bundled diagrams through the engine, optionally round-tripping the state.

`Run` wraps an `Instance`: every step (start, complete, send) is saved the way the product
saves it (a full snapshot now and then, a delta of the step otherwise), and the stored snapshot
plus journal must compose to, and restore as, exactly the instance's full state. With the round
trip, the next step then runs on the instance restored from them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest

from bpmn_sales.context import Context
from bpmn_sales.engine import CompiledProcess, Instance, ProcessEngine, Snapshot, WorkItem
from bpmn_sales.tasks import SERVICE_TASKS
from tests.team import Team
from tests.workflow.rules_helpers import Desk, make_desk

BPMN = Path(__file__).resolve().parents[2] / "bpmn"

LEAD = "lead_qualification"
DEAL = "sales_process"


def cache_key(spec_json: str) -> str:
    return hashlib.sha256(spec_json.encode()).hexdigest()


@dataclass
class Run:
    """One process instance driven step by step, with a round trip after each step if asked."""

    engine: ProcessEngine
    key: str
    loader: Callable[[], str]
    roundtrip: bool
    instance: Instance
    restores: int = 0
    history: list[str] = field(default_factory=list)
    # What the product would have stored: the last snapshot and the deltas after it.
    stored: tuple[str, list[str]] = ("", [])
    deltas: int = 0

    def _after_step(self) -> None:
        self.save()
        if self.roundtrip:
            self.instance = self.engine.restore(self.key, self.loader, *self.stored)
            self.restores += 1

    def save(self) -> None:
        """Store the step as the product does; check snapshot + journal equal a full dump."""
        saved = self.engine.save(self.instance)
        if saved.snapshot is not None:
            self.stored = (saved.snapshot, [])
        else:
            assert saved.delta is not None
            self.stored = (self.stored[0], [*self.stored[1], saved.delta])
            self.deltas += 1
        full = orjson.loads(self.dump())
        assert orjson.loads(self.engine.compose(*self.stored)) == full
        restored = self.engine.restore(self.key, self.loader, *self.stored)
        assert orjson.loads(self.engine.dump(restored)) == full

    def dump(self) -> str:
        return self.engine.dump(self.instance)

    def restore(self, state: str) -> Instance:
        return self.engine.restore(self.key, self.loader, state)

    def reset_to(self, state: str) -> None:
        """Throw the in-memory instance away and continue from a stored state (a rollback)."""
        self.instance = self.restore(state)
        self.stored = (state, [])

    def snap(self) -> Snapshot:
        return self.instance.snapshot()

    def ready_titles(self) -> list[str]:
        return sorted(item.title for item in self.snap().ready)

    def item(self, title: str) -> WorkItem:
        items = [w for w in self.snap().ready if w.title == title]
        assert len(items) == 1, f"expected one ready '{title}', got {self.ready_titles()}"
        return items[0]

    def complete(self, title: str, data: Mapping[str, Any] | None = None) -> WorkItem:
        item = self.instance.complete(self.item(title).task_id, data or {})
        self.history.append(title)
        self._after_step()
        return item

    def complete_id(self, task_id: str, data: Mapping[str, Any] | None = None) -> WorkItem:
        item = self.instance.complete(task_id, data or {})
        self._after_step()
        return item

    def send(self, name: str, payload: Mapping[str, Any] | None = None) -> None:
        self.instance.send_message(name, payload or {})
        self.history.append(f"message {name}")
        self._after_step()


@pytest.fixture(scope="session")
def engine() -> ProcessEngine:
    return ProcessEngine(SERVICE_TASKS)


@pytest.fixture(scope="session")
def compiled(engine: ProcessEngine) -> dict[str, CompiledProcess]:
    paths = [*BPMN.glob("*.bpmn"), *BPMN.glob("*.json")]  # the diagrams and their task forms
    files = {p.name: p.read_bytes() for p in sorted(paths)}
    return {c.key: c for c in engine.compile(files)}


StartRun = Callable[..., Run]


@pytest.fixture
def start(engine: ProcessEngine, compiled: dict[str, CompiledProcess]) -> Iterator[StartRun]:
    runs: list[Run] = []

    def _start(process: str, data: Mapping[str, Any], roundtrip: bool) -> Run:
        spec_json = compiled[process].spec_json
        key = cache_key(spec_json)

        def loader() -> str:
            return spec_json

        run = Run(engine, key, loader, roundtrip, engine.start(key, loader, data))
        run._after_step()
        runs.append(run)
        return run

    yield _start
    # The checks in Run.save saw deltas, not only snapshots, wherever a run took a step.
    for run in runs:
        assert run.deltas > 0 or not run.history, "no step of the run was saved as a delta"


@pytest.fixture
def desk(
    ctx: Context, team: Team, roundtrip: bool, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Desk]:
    """The team's use cases on the rule diagrams of tests/data/rules (rules_helpers.py), for
    the modules parametrised with `ROUNDTRIP`: with `roundtrip`, every step restores from
    storage."""
    yield from make_desk(ctx, team, roundtrip, monkeypatch)
