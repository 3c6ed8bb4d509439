"""Creating a batch of imported deals with a constant number of statements.

Each deal is started on its process, brought to the stage of its row and closed as the row
says, with the rules of the stages it passes not enforced and each step recorded as imported
(`situations.py`). The engine does that once per situation (process version, stage, status,
reason), and each deal's state is a copy of it with its own task ids and fields
(`engine.InstanceCopies`); a situation whose path reads a deal's own values in a way a copy
cannot repeat runs the engine for each of its deals instead. The rows are then written as the
steps would have left them: the deals with their final values and state (one INSERT), their
customers, search terms, tasks, timers, stage visits and history (one statement per table).

The history and the stage visits carry the days the file gives (`dates`), so analytics and
calibration see when deals really entered their stages and closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, DealStatus
from bpmn_sales.domain.rules import ActivityRule
from bpmn_sales.persistence.models import Deal, ProcessVersion, User
from bpmn_sales.persistence.stage_visits import hours_between
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals import approval_waits
from bpmn_sales.services.deals.steps import outcome_of
from bpmn_sales.services.importing.situations import (
    Dates,
    Placed,
    Situation,
    Step,
    dates,
    deal_data,
    place,
    run_steps,
)
from bpmn_sales.tasks.weights import whole_percent, win_probability

# How long the situations worked out are copied (their timers' due times are as of then).
PLACED_FOR = timedelta(minutes=1)


@dataclass
class _Row:
    """One deal of the batch as it is worked out before its row is written."""

    owner: User
    version: ProcessVersion
    fields: dict[str, Any]
    external_id: str | None
    line: int
    placed: Placed
    state: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)


def _values(row: _Row, when: Dates, now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The deal row's values once its steps are written, and its history entries (each
    step's), as `deals.steps.apply_step` writes them; the stays are `_stays`'."""
    rules = row.placed.rules
    stage_key: str | None = None
    status: str = DealStatus.OPEN
    values: dict[str, Any] = {"outcome_label": None, "closed_at": None, "lost_reason": None}
    history: list[dict[str, Any]] = []
    at = {"created": when.created, "moved": when.stage, "closed": when.closed or now}
    for step in row.steps:
        snap = step.snapshot
        terminal = outcome_of(rules, snap)
        new_status = terminal.outcome if terminal else DealStatus.OPEN
        before_stage, before_status = stage_key, status
        stage = snap.running_stage or (snap.stage if stage_key is None else None)
        if stage is not None and stage.key != stage_key:
            values.update(
                stage_key=stage.key, stage_name=stage.name, stage_entered_at=at[step.action]
            )
            stage_key = stage.key
        if terminal is not None:
            values["outcome_label"] = terminal.label
            if before_status == DealStatus.OPEN:
                values["closed_at"] = at[step.action]
                close = snap.data.get("close") or {}
                values["lost_reason"] = (
                    close.get("reason") if new_status != DealStatus.WON else None
                )
        status = new_status
        history.append(
            {
                "at": at[step.action],
                "action": step.action,
                "from_stage": before_stage
                if before_stage != stage_key or step.action == "created"
                else None,
                "to_stage": stage_key,
                "from_status": before_status,
                "to_status": status,
                "detail": step.detail,
            }
        )
    values["status"] = status
    values["probability"] = (
        win_probability(rules, stage_key, ())
        if status == DealStatus.OPEN
        else whole_percent(terminal.probability if terminal else 0)
    )
    values.setdefault("stage_key", None)
    values.setdefault("stage_name", None)
    values.setdefault("stage_entered_at", None)
    return values, history


def _stays(history: list[dict[str, Any]]) -> list[tuple[str, datetime, datetime | None]]:
    """The deal's stays (stage, entered, left) as `persistence.stage_visits` plans them."""
    stays: list[tuple[str, datetime, datetime | None]] = []
    for entry in history:
        # A step that stays in its stage records no from_stage (see `_values`).
        moved = entry["to_stage"] is not None and (
            entry["from_stage"] is not None or entry["action"] == "created"
        )
        closing_now = entry["from_status"] == "open" and entry["to_status"] != "open"
        if moved:
            if stays and stays[-1][2] is None:
                stays[-1] = (stays[-1][0], stays[-1][1], entry["at"])
            stays.append((entry["to_stage"], entry["at"], None))
        elif closing_now and stays and stays[-1][2] is None:
            stays[-1] = (stays[-1][0], stays[-1][1], entry["at"])
    return stays


class DealBatch:
    """The situations of one import's deals, worked out once per batch."""

    def __init__(self, ctx: Context, store: Store, actor: Actor) -> None:
        self.ctx, self.store, self.actor = ctx, store, actor
        self.placed: dict[Situation, Placed] = {}
        self.placed_at: datetime | None = None
        self.assignments: dict[tuple[int, tuple[str, ...]], tuple[int | None, int | None]] = {}

    def situation(self, version: ProcessVersion, fields: dict[str, Any]) -> Situation:
        status = fields.get("status") or DealStatus.OPEN
        reason = fields.get("reason") if status != DealStatus.OPEN else None
        return version.id, fields.get("stage"), status, reason

    def _placed(self, version: ProcessVersion, situation: Situation) -> Placed:
        found = self.placed.get(situation)
        if found is None:
            found = self.placed[situation] = place(self.ctx, self.store, version, situation)
        return found

    def create(self, rows: Sequence[tuple[User, ProcessVersion, Any, str | None, int]]) -> None:
        """Write a batch of imported deals (owner, version, parsed row, external id, line)."""
        now = self.ctx.clock()
        if self.placed_at is None or now - self.placed_at > PLACED_FOR:
            # The situations' timers count from when they were worked out: not long ago.
            self.placed, self.placed_at = {}, now
        work: list[_Row] = []
        for owner, version, parsed, external_id, line in rows:
            fields = parsed.fields
            placed = self._placed(version, self.situation(version, fields))
            row = _Row(owner, version, fields, external_id, line, placed)
            data = deal_data(fields)
            if placed.copies is not None:
                copy = placed.copies.copy(data)
                row.state, row.ids, row.steps = copy.state, copy.ids, placed.steps
            else:
                instance, steps = run_steps(
                    self.ctx, self.store, version, data, self.situation(version, fields), line
                )
                row.state, row.steps = self.ctx.engine.dump(instance), steps
            work.append(row)
        self._write(work, now)

    def _write(self, work: list[_Row], now: datetime) -> None:
        customers = self.store.customer_ids(
            {r.fields["customer"] for r in work if r.fields.get("customer")}, now
        )
        inserted: list[dict[str, Any]] = []
        planned = []
        for row in work:
            when = dates(row.fields, now)
            values, history = _values(row, when, now)
            stays = _stays(history)
            version = len(row.steps) + 1
            inserted.append(
                {
                    "name": row.fields["name"],
                    "customer": row.fields.get("customer"),
                    "customer_id": customers.get(row.fields.get("customer") or ""),
                    "value": row.fields.get("value") or Decimal("0.00"),
                    "currency": row.fields["currency"],
                    "expected_close_date": row.fields.get("expected_close_date"),
                    "fields": {},
                    "stage_fields": {},
                    "activities_done": [],
                    "owner_id": row.owner.id,
                    "lead_id": None,
                    "reopened_from_id": None,
                    "external_id": row.external_id,
                    "process_version_id": row.version.id,
                    "state": row.state,
                    "state_version": version,
                    "instance_version": version,
                    "version": version,
                    "stages_reached": "|".join(sorted({s for s, _e, _l in stays})) or None,
                    "created_at": when.created,
                    "updated_at": now,
                    **values,
                }
            )
            planned.append((row, history, stays))
        ids = self.store.insert_deals(inserted)
        with self.store.batched():
            for deal_id, (row, history, stays) in zip(ids, planned, strict=True):
                self._projections(deal_id, row, history, stays, now)
        for deal_id, (row, _history, _visits) in zip(ids, planned, strict=True):
            if row.placed.approvals:  # what the ready approvals wait for is the deal's own
                self._approval_waits(deal_id, row)

    def _projections(
        self,
        deal_id: int,
        row: _Row,
        history: list[dict[str, Any]],
        stays: list[tuple[str, datetime, datetime | None]],
        now: datetime,
    ) -> None:
        snap = row.steps[-1].snapshot
        ids = row.ids
        rules = row.placed.rules
        items = []
        for item in snap.ready:
            stage_key = item.stage.key if item.stage else None
            assignee_id, group_id = self._assignment(row.owner, item.rule)
            items.append(
                {
                    "task_id": ids.get(item.task_id, item.task_id),
                    "subject_type": "deal",
                    "subject_id": deal_id,
                    "element_id": item.element_id,
                    "title": item.title,
                    "lane": item.lane,
                    "role": item.role,
                    "stage_key": stage_key,
                    "owner_id": row.owner.id,
                    "assignee_id": assignee_id,
                    "group_id": group_id,
                    "created_at": now,
                    "waiting": False,
                    "due_at": common.due_at(rules, item.rule, stage_key, now),
                }
            )
        if items:
            self.store.add_batched("work_items", items)
        timers = [
            {
                "task_id": ids.get(t.task_id, t.task_id),
                "subject_type": "deal",
                "subject_id": deal_id,
                "element_id": t.element_id[:200],
                "name": t.name[:200],
                "due_at": t.due_at,
                "created_at": now,
            }
            for t in snap.timers
        ]
        if timers:
            self.store.add_batched("timers", timers)
        visits = [
            {
                "deal_id": deal_id,
                "process_id": row.version.process_id,
                "stage_key": stage_key,
                "owner_id": row.owner.id,
                "entered_at": entered,
                "left_at": left,
                "hours": None if left is None else hours_between(entered, left),
            }
            for stage_key, entered, left in stays
        ]
        if visits:
            self.store.add_batched("stage_visits", visits)
        for entry in history:
            detail = {**entry["detail"], "line": row.line}
            self.store.record(
                "deal",
                deal_id,
                entry["at"],
                self.actor.id,
                entry["action"],
                from_stage=entry["from_stage"],
                to_stage=entry["to_stage"],
                from_status=entry["from_status"],
                to_status=entry["to_status"],
                detail=detail,
            )

    def _assignment(self, owner: User, rule: ActivityRule) -> tuple[int | None, int | None]:
        if rule.completed_by == ("anyone",):
            return None, None
        key = (owner.id, tuple(rule.completed_by))
        if key not in self.assignments:
            self.assignments[key] = common.assignment(self.store, owner, rule)
        return self.assignments[key]

    def _approval_waits(self, deal_id: int, row: _Row) -> None:
        deal = self.store.get(Deal, deal_id, "deal")
        snap = row.steps[-1].snapshot
        ready = [
            (row.ids.get(i.task_id, i.task_id), i.stage.key if i.stage else None)
            for i in snap.ready
            if i.rule.approval
        ]
        found = approval_waits.waits(self.store, deal, row.placed.rules, ready)
        self.store.mark_waiting(
            [w.task_id for w in found if w.unmet], [w.task_id for w in found if not w.unmet]
        )


__all__ = ["DealBatch"]
