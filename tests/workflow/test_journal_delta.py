"""The journal's deltas: what they leave out, and that nothing they leave out had changed.

Every step the `start` fixture's runs take is saved as the product saves it and checked there
(snapshot plus journal compose to, and restore as, the full dump). Here: the JSON the journal
builds itself is the registry's byte for byte, changes no task state shows (data merged in
place into a waiting or ready task, a sub-process's own data) still reach the journal, and
parts where nothing changed are left out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest
from SpiffWorkflow.task import Task, TaskState

from bpmn_sales.engine import ProcessEngine
from bpmn_sales.engine.running import journal
from bpmn_sales.tasks import SERVICE_TASKS
from tests.helpers import APPROVAL, APPROVED, run_pre_sale
from tests.workflow.conftest import Run

StartRun = Callable[..., Run]
DEAL = "sales_process"
LEAD = "lead_qualification"
DEAL_DATA: dict[str, Any] = {"deal": {"name": "Acme", "value": 12000}}
RATED = Path(__file__).resolve().parents[1] / "data" / "rules" / "rated.bpmn"
WAITING = TaskState.WAITING
READY = TaskState.READY


def registry_json(engine: ProcessEngine, value: Any) -> bytes:
    return orjson.dumps(engine.serializer.registry.convert(value))


def assert_journal_json_is_the_registrys(engine: ProcessEngine, top: Any) -> int:
    """The journal's own JSON of every task, every workflow's data and every sub-process equals
    the registry's; the number of tasks compared."""
    codec, registry = engine.serializer.codec, engine.serializer.registry
    compared = 0
    for key, wf in journal.workflows(top):
        for task in wf.tasks.values():
            assert codec.task_json(task) == registry_json(engine, task), task
            compared += 1
        assert codec.plain(wf.data) == registry.convert(registry.clean(wf.data))
        if key is None:
            continue
        dct = registry.convert(wf)
        tasks = {UUID(tid): orjson.Fragment(orjson.dumps(t)) for tid, t in dct["tasks"].items()}
        attributes = {name: dct[name] for name in journal.ATTRIBUTES}
        built = codec.subprocess(wf, attributes, tasks)
        assert orjson.dumps(built, option=orjson.OPT_NON_STR_KEYS) == orjson.dumps(dct)
    return compared


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Check the journal's JSON after every step of the runs of the test (before the save)."""
    counts: list[int] = []
    after_step = Run._after_step

    def check_then_save(run: Run) -> None:
        counts.append(assert_journal_json_is_the_registrys(run.engine, run.instance.workflow))
        after_step(run)

    monkeypatch.setattr(Run, "_after_step", check_then_save)
    yield counts


def last_delta(run: Run) -> dict[str, Any]:
    body: dict[str, Any] = orjson.loads(run.stored[1][-1])
    return body


def active(run: Run, state: int) -> Iterator[tuple[UUID | None, Task]]:
    for key, wf in journal.workflows(run.instance.workflow):
        for task in wf.tasks.values():
            if task.state == state and "deal" in task.data:
                yield key, task


# -- the journal's JSON is the registry's ----------------------------------------------------


@pytest.mark.parametrize("roundtrip", [False, True], ids=["straight", "roundtrip"])
def test_journal_json_at_every_step_of_a_deal_and_a_lead(
    start: StartRun, checked: list[int], roundtrip: bool
) -> None:
    deal = start(DEAL, DEAL_DATA, roundtrip)
    run_pre_sale(deal)
    lead = start(LEAD, {"lead": {"name": "Jane"}}, roundtrip)
    lead.complete("Review lead", {"decision": "disqualify", "disqualify_reason": "Not now"})
    lead.send("lead_renewed", {"note": "budget approved"})
    lead.complete("Review lead", {"decision": "qualify"})
    assert len(checked) >= 12 and min(checked) > 5


def test_journal_json_at_every_step_of_the_benchs_diagram() -> None:
    """tests/data/rules/rated.bpmn, as bench/roundtrip.py runs it (no round trip)."""
    engine = ProcessEngine(SERVICE_TASKS)
    compiled = next(c for c in engine.compile({RATED.name: RATED.read_bytes()}))
    key = hashlib.sha256(compiled.spec_json.encode()).hexdigest()
    instance = engine.start(key, lambda: compiled.spec_json, DEAL_DATA)
    stored = (engine.save(instance).snapshot or "", [])
    steps = 0
    while ready := instance.ready_tasks():
        instance.complete(str(min(ready, key=lambda t: str(t.id)).id), {"note": steps})
        assert_journal_json_is_the_registrys(engine, instance.workflow)
        saved = engine.save(instance)
        stored = (saved.snapshot, []) if saved.snapshot else (stored[0], [*stored[1], saved.delta])
        assert orjson.loads(engine.compose(stored[0], stored[1])) == orjson.loads(
            engine.dump(instance)
        )
        steps += 1
    assert steps >= 4 and stored[1]


def test_the_engines_tasks_take_the_journals_own_path(
    start: StartRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not the registry's: a task class the journal does not know would still be written
    right, but as slowly as before."""
    run = start(DEAL, DEAL_DATA, False)
    run.complete("Meet the customer")
    serializer = run.engine.serializer
    calls: list[Any] = []
    monkeypatch.setattr(serializer.registry, "convert", lambda value: calls.append(value))
    tasks = [t for _, wf in journal.workflows(run.instance.workflow) for t in wf.tasks.values()]
    assert all(serializer.codec.task_json(task) for task in tasks)
    assert len(tasks) > 10 and calls == []


class Weird(dict[str, Any]):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {"deal": {"name": "Acme", "value": 12.5, "won": True, "lost": None, "n": 3}},
        {"when": datetime(2026, 12, 3, 8, 0, tzinfo=UTC), "for": timedelta(days=2)},
        {"id": uuid4(), "pair": (1, "a"), "set": {1}, "list": [[{"x": uuid4()}], ()]},
        {"call": len, "module": orjson, "kept": "yes", "nested": {"f": print, "g": 1}},
        {"sub": Weird(a=1), "ordered": Weird(b=[uuid4()]), 7: "int key"},
        [1, {"a": ModuleType("m")}, "x"],
        "text",
        None,
    ],
    ids=["scalars", "times", "ids-and-tuples", "callables", "dict-subclass", "list", "str", "none"],
)
def test_plain_is_the_registrys_convert(engine: ProcessEngine, value: Any) -> None:
    registry = engine.serializer.registry
    plain = engine.serializer.codec.plain(value)
    expected = registry.convert(value)
    # repr tells a tuple from a list, True from 1 and a UUID from its text.
    assert repr(plain) == repr(expected)


def test_task_json_with_unusual_data_is_the_registrys(start: StartRun) -> None:
    run = start(DEAL, DEAL_DATA, False)
    engine = run.engine
    when = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    for _, task in active(run, READY):
        task.data["when"] = when
        task.data["pair"] = (1, 2)
        task.data["deal"] = {**task.data["deal"], "value": 12000.0}
        task.internal_data["seen"] = {"at": when, "ids": [uuid4()]}
        assert engine.serializer.codec.task_json(task) == registry_json(engine, task)
    # A root task holds its whole data, not a delta against a parent.
    root = run.instance.workflow.task_tree
    assert root.parent is None
    assert engine.serializer.codec.task_json(root) == registry_json(engine, root)


def test_task_json_of_an_id_orjson_refuses_falls_back_to_the_registry(start: StartRun) -> None:
    class OddId(UUID):
        def __str__(self) -> str:
            return "odd-" + super().__str__()

    run = start(DEAL, DEAL_DATA, False)
    _, task = next(active(run, READY))
    task.id = OddId(int=task.id.int)
    blob = run.engine.serializer.codec.task_json(task)
    assert blob == registry_json(run.engine, task)
    assert b'"id":"odd-' in blob


# -- changes no task state shows ------------------------------------------------------------


def test_a_waiting_tasks_data_changed_in_place_is_journalled(start: StartRun) -> None:
    run = start(DEAL, DEAL_DATA, False)
    run.complete("Meet the customer")
    key, task = next(active(run, WAITING))
    before = journal.fingerprints([task])
    # The same keys, the same dict: only the content shows the change.
    task.data["deal"] = {**task.data["deal"], "name": "Renamed in place"}
    assert journal.fingerprints([task]) == before
    run.save()  # snapshot + journal still compose to (and restore as) the full dump
    part = last_delta(run) if key is None else last_delta(run)["subprocesses"][str(key)]
    assert str(task.id) in part["tasks"]
    assert "Renamed in place" in run.stored[1][-1]


def test_a_ready_tasks_data_changed_in_place_reaches_its_children(start: StartRun) -> None:
    run = start(DEAL, DEAL_DATA, False)
    key, task = next(active(run, READY))
    child = task.workflow.tasks[task._children[0]]
    assert child.state != READY
    child.data = {"deal": dict(task.data["deal"])}  # the same as its parent's: no update stored
    run.save()
    assert str(child.id) in last_delta(run)["subprocesses"][str(key)]["tasks"]
    # Merged into the parent's data in place, as SpiffWorkflow does (the nested dicts may be
    # shared with finished tasks: a script changes a deep copy, script_engine.py).
    before = journal.fingerprints([task, child])
    task.data.update(deal={**task.data["deal"], "value": 99})
    assert journal.fingerprints([task, child]) == before
    run.save()
    tasks = last_delta(run)["subprocesses"][str(key)]["tasks"]
    assert str(task.id) in tasks
    # The child's stored data is relative to its parent's: it now differs from it.
    assert tasks[str(child.id)]["delta"]["updates"] == {"deal": DEAL_DATA["deal"]}


def test_a_key_added_in_place_to_a_ready_task_reaches_its_empty_child(start: StartRun) -> None:
    """A child without data of its own stores its parent's keys as deletions: it is written
    again when they change, and not when only the parent's values do."""
    run = start(DEAL, DEAL_DATA, False)
    key, task = next(active(run, READY))
    child = task.workflow.tasks[task._children[0]]
    assert child.state != READY and not child.data
    task.data.update(deal={**task.data["deal"], "value": 5})
    run.save()
    tasks = last_delta(run)["subprocesses"][str(key)]["tasks"]
    assert str(task.id) in tasks and str(child.id) not in tasks
    task.data["note"] = "added in place"
    run.save()
    tasks = last_delta(run)["subprocesses"][str(key)]["tasks"]
    assert tasks[str(child.id)]["delta"]["deletions"] == ["deal", "note"]


def test_an_empty_child_moved_to_another_parent_with_the_same_keys_is_journalled(
    start: StartRun,
) -> None:
    run = start(DEAL, DEAL_DATA, False)
    (key, first), (_, second) = list(active(run, READY))[:2]
    child = first.workflow.tasks[first._children[0]]
    run.save()  # the child compared (as a ready task's child) and stored
    assert not child.data and list(first.data) == list(second.data)
    first._children.remove(child.id)
    second._children.append(child.id)
    child._parent = second.id
    run.save()
    tasks = last_delta(run)["subprocesses"][str(key)]["tasks"]
    assert tasks[str(child.id)]["parent"] == str(second.id)


def test_a_subprocess_whose_data_alone_changed_is_journalled(start: StartRun) -> None:
    run = start(DEAL, DEAL_DATA, False)
    run.complete("Meet the customer")
    key, sub = next(iter(run.instance.workflow.subprocesses.items()))
    sub.data["note"] = "set on the sub-process only"
    run.save()
    part = last_delta(run)["subprocesses"][str(key)]
    assert part == {
        "workflow": {"data": {"note": "set on the sub-process only"}},
        "tasks": {},
        "removed": [],
    }
    # The top workflow's data changed in place too: only its data is written again.
    top_data = run.instance.workflow.data
    top_data["deal"] = {**top_data["deal"], "name": "Acme (renamed)"}
    run.save()
    body = last_delta(run)
    assert body["workflow"] == {"data": {"deal": {**DEAL_DATA["deal"], "name": "Acme (renamed)"}}}
    assert body["subprocesses"] == {} and body["tasks"] == {}


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("success", 1), ("completed", 0), ("correlations", {"deal": "42"}), ("last_task", None)],
)
def test_each_workflow_attribute_is_compared(start: StartRun, attribute: str, value: Any) -> None:
    """1 equals True, but is not the same JSON; correlations change in place."""
    run = start(DEAL, DEAL_DATA, False)
    key, sub = next(iter(run.instance.workflow.subprocesses.items()))
    if attribute == "correlations":
        sub.correlations.update(value)
    else:
        setattr(sub, attribute, value)
    run.save()
    assert last_delta(run)["subprocesses"][str(key)]["workflow"] == {attribute: value}


# -- what is left out ----------------------------------------------------------------------


def test_a_step_leaves_out_what_it_did_not_change(start: StartRun) -> None:
    run = start(DEAL, DEAL_DATA, False)
    run.complete("Meet the customer")
    body = last_delta(run)
    # Only the stage's activities changed: not the top workflow, nor the stage sub-process.
    assert body["workflow"] == {} and body["tasks"] == {}
    assert len(body["subprocesses"]) == 1
    (part,) = body["subprocesses"].values()
    assert set(part["workflow"]) == {"last_task"}
    # A step that changes nothing writes a delta of nothing.
    run.save()
    assert last_delta(run) == {
        "format": journal.DELTA_FORMAT,
        "workflow": {},
        "tasks": {},
        "removed": [],
        "bpmn_events": [],
        "subprocesses": {},
        "removed_subprocesses": [],
    }
    run.complete("Identify decision makers")
    run.complete("Analyse needs")  # needs analysis: the first stage's sub-processes are done
    assert len(last_delta(run)["subprocesses"]) < len(run.instance.workflow.subprocesses)
    assert run.deltas >= 3


def test_a_delta_in_the_earlier_layout_still_applies(start: StartRun) -> None:
    """Deltas written before parts were left out repeat every sub-process and attribute."""
    run = start(DEAL, DEAL_DATA, False)
    snapshot = run.stored[0]
    run.complete("Meet the customer", {"note": "met"})
    top = run.instance.workflow
    engine = run.engine
    full = engine.serializer.state_dict(top)
    old_layout: dict[str, Any] = {
        "format": "bpmn-sales-delta/1",
        "workflow": {k: full[k] for k in journal.ATTRIBUTES},
        "tasks": full["tasks"],
        "removed": [],
        "bpmn_events": full["bpmn_events"],
        "subprocesses": {
            key: {
                "workflow": {k: sub[k] for k in journal.ATTRIBUTES},
                "tasks": sub["tasks"],
                "removed": [],
            }
            for key, sub in full["subprocesses"].items()
        },
        "removed_subprocesses": [],
    }
    composed = engine.compose(snapshot, [orjson.dumps(old_layout).decode()])
    assert orjson.loads(composed) == orjson.loads(engine.dump(run.instance))


def test_the_approval_step_and_its_new_stage(start: StartRun) -> None:
    """A stage's end removes tasks, and the next stage's sub-process is written whole."""
    run = start(DEAL, DEAL_DATA, False)
    for title in ("Meet the customer", "Identify decision makers", "Analyse needs"):
        run.complete(title)
    run.complete("Qualify budget")
    run.complete("Design solution")
    run.complete("Present solution")
    run.complete(APPROVAL, APPROVED)
    bodies = [orjson.loads(d) for d in run.stored[1]]
    assert any("full" in part for b in bodies for part in b["subprocesses"].values())
    assert any(
        b["removed"] or any(p.get("removed") for p in b["subprocesses"].values()) for b in bodies
    )
