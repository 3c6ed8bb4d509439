"""Drive the sales-rule diagrams of tests/data/rules through the real use cases.

`Desk` calls the use cases the way the web and CLI do. With `roundtrip`, it empties the
in-memory live-instance cache before every step, so each step restores the instance from the
stored state, the snapshot in `instance_snapshots` with the deltas journalled after it (the
serialize/restore round trip of every workflow test). Without it, after every step each
instance kept in memory must equal what storage holds of it (snapshot plus journal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pytest
from sqlalchemy import text

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, DealView, HistoryView, TaskView
from bpmn_sales.engine import Instance
from bpmn_sales.persistence.models import Deal, Lead
from bpmn_sales.services import common, deals, processes, worklist
from bpmn_sales.services.deals import records
from bpmn_sales.services.people import users

RULES = Path(__file__).resolve().parents[1] / "data" / "rules"

ROUNDTRIP = pytest.mark.parametrize("roundtrip", [False, True], ids=["straight", "roundtrip"])

# Small files the upload checks accept as real PDF and PNG content.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"

T = TypeVar("T")


class Desk:
    """The team's use cases on one database, restoring instances from storage if asked."""

    def __init__(self, ctx: Context, team: Any, roundtrip: bool) -> None:
        self.ctx = ctx
        self.team = team
        self.roundtrip = roundtrip
        self.restores = 0
        self.engine_steps = 0  # steps that run the process instance
        self.live_checks = 0  # live instances compared with storage

    # -- plumbing --------------------------------------------------------------------------
    def step(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one use case; with the round trip, from the stored state only."""
        if self.roundtrip:
            self.ctx.live.clear()
        result = action(self.ctx, *args, **kwargs)
        if not self.roundtrip:
            self.assert_live_matches_stored()
        return result

    def deploy(self, name: str) -> str:
        """Deploy tests/data/rules/<name>.bpmn as the admin; return the process key."""
        path = RULES / f"{name}.bpmn"
        (result,) = processes.deploy_process(
            self.ctx, self.team.admin, {path.name: path.read_bytes()}
        )
        return result.key

    def user(
        self,
        username: str,
        role: str = "rep",
        manager: str | None = None,
        email: str | None = None,
        groups: list[str] | None = None,
    ) -> Actor:
        users.create_user(
            self.ctx,
            self.team.admin,
            username,
            username.title(),
            role,
            manager,
            email,
            groups=groups,
        )
        return users.actor_for_username(self.ctx, username)

    # -- use cases -------------------------------------------------------------------------
    def create(
        self,
        process: str,
        owner: Actor | None = None,
        name: str = "Acme rollout",
        customer: str | None = "Acme",
        value: str = "10000",
    ) -> DealView:
        return self.step(
            deals.create_deal, owner or self.team.rob, name, customer, value, process=process
        )

    def deal(self, deal_id: int, actor: Actor | None = None) -> DealView:
        return self.step(deals.get_deal, actor or self.team.admin, deal_id)

    def tasks(self, deal_id: int) -> list[TaskView]:
        return self.step(deals.deal_tasks, self.team.admin, deal_id)

    def titles(self, deal_id: int) -> list[str]:
        return sorted(t.title for t in self.tasks(deal_id))

    def task(self, deal_id: int, title: str) -> TaskView:
        found = [t for t in self.tasks(deal_id) if t.title == title]
        assert len(found) == 1, f"expected one ready '{title}', got {self.titles(deal_id)}"
        return found[0]

    def do(self, actor: Actor, deal_id: int, title: str, **kwargs: Any) -> TaskView:
        """Complete the deal's one ready task with this title as `actor`."""
        task_id = self.task(deal_id, title).task_id
        self.engine_steps += 1
        return self.step(worklist.complete_task, actor, task_id, **kwargs)

    def update(self, actor: Actor, deal_id: int, changes: dict[str, Any]) -> DealView:
        return self.step(deals.update_deal, actor, deal_id, changes)

    def move(self, actor: Actor, deal_id: int, stage: str) -> DealView:
        self.engine_steps += 1
        return self.step(deals.move_deal, actor, deal_id, stage)

    def close(
        self, actor: Actor, deal_id: int, outcome: str, reason: str | None = None
    ) -> DealView:
        self.engine_steps += 1
        return self.step(deals.close_deal, actor, deal_id, outcome, reason)

    def reopen(self, actor: Actor, deal_id: int) -> DealView:
        return self.step(deals.reopen_deal, actor, deal_id)

    def contact(self, actor: Actor, deal_id: int, name: str, email: str | None = None) -> None:
        self.step(records.add_contact, actor, deal_id, name, email)

    def upload(self, actor: Actor, deal_id: int, filename: str, data: bytes) -> int:
        return int(self.step(records.upload_attachment, actor, deal_id, filename, data)["id"])

    def order(self, actor: Actor, deal_id: int) -> dict[str, Any]:
        return self.step(records.create_order, actor, deal_id)

    def history(self, deal_id: int) -> list[HistoryView]:
        return self.step(deals.deal_history, self.team.admin, deal_id)

    def my_tasks(self, actor: Actor) -> list[TaskView]:
        return self.step(worklist.list_tasks, actor)

    # -- what was stored -------------------------------------------------------------------
    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.ctx.db.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]

    def stored_state(self, deal_id: int) -> str:
        """The deal's full stored state: its snapshot with the journal applied."""
        with self.ctx.uow() as store:
            return common.stored_state(self.ctx, store, store.get(Deal, deal_id, "deal"))

    def restore_stored(self, deal_id: int) -> Instance:
        """The deal's instance restored from its stored snapshot and journal (no live cache)."""
        with self.ctx.uow() as store:
            deal = store.get(Deal, deal_id, "deal")
            version_id = deal.process_version_id
            snapshot, journal = store.instance_state(deal)
            digest = store.version_digest(version_id)
            spec_json = store.spec_json(version_id)
        return self.ctx.engine.restore(digest, lambda: spec_json, snapshot, journal)

    def assert_live_matches_stored(self) -> None:
        """Each instance kept in memory for the current row version is what storage holds."""
        for (kind, subject_id, version), instance in self.ctx.live.entries():
            with self.ctx.uow() as store:
                model = Deal if kind == "deal" else Lead
                subject = store.get(model, subject_id, kind)
                if subject.version != version:
                    continue  # an entry nobody will use again: the row moved on
                stored = common.stored_state(self.ctx, store, subject)
            assert orjson.loads(stored) == orjson.loads(self.ctx.engine.dump(instance))
            self.live_checks += 1

    def assert_state_round_trips(self, deal_id: int) -> None:
        """The stored state restores, and dumping the restored instance gives it back."""
        state = orjson.loads(self.stored_state(deal_id))
        assert orjson.loads(self.ctx.engine.dump(self.restore_stored(deal_id))) == state

    def frozen(self, deal_id: int) -> dict[str, Any]:
        """Everything a refused step must leave alone: the row, work items, history."""
        return {
            "deal": self.rows(
                "SELECT version, state_version, instance_version, stage_key, status, "
                "probability, activities_done FROM deals WHERE id = :i",
                i=deal_id,
            ),
            "snapshot": self.rows(
                "SELECT state FROM instance_snapshots WHERE subject_type = 'deal' "
                "AND subject_id = :i",
                i=deal_id,
            ),
            "journal": self.rows(
                "SELECT version, base_version, body FROM instance_journal "
                "WHERE subject_type = 'deal' AND subject_id = :i ORDER BY version",
                i=deal_id,
            ),
            "work_items": self.rows(
                "SELECT task_id, element_id, assignee_id, group_id FROM work_items "
                "WHERE subject_type = 'deal' AND subject_id = :i ORDER BY task_id",
                i=deal_id,
            ),
            "history": self.rows(
                "SELECT id, action FROM history WHERE subject_type = 'deal' "
                "AND subject_id = :i ORDER BY id",
                i=deal_id,
            ),
            "notes": self.rows(
                "SELECT id FROM notes WHERE subject_type = 'deal' AND subject_id = :i", i=deal_id
            ),
        }


def counting_restores(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Count the instances restored from stored state (the shared engine is patched back)."""
    engine = desk.ctx.engine
    original = engine.restore

    def restore(*args: Any, **kwargs: Any) -> Instance:
        desk.restores += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "restore", restore)


def make_desk(
    ctx: Context, team: Any, roundtrip: bool, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Desk]:
    """A desk that, on the round trip, checks the steps did restore from storage."""
    desk = Desk(ctx, team, roundtrip)
    counting_restores(desk, monkeypatch)
    yield desk
    if roundtrip and desk.engine_steps:
        assert desk.restores > 0, "the round trip never restored an instance from storage"
    if not roundtrip and desk.engine_steps:
        assert desk.live_checks > 0, "no live instance was compared with storage"
