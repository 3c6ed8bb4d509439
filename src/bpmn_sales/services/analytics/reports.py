"""Analytics use cases: funnel, losses and time in stage, from the recorded history.

Definitions (the page and the authoring guide say the same):
- Funnel: deals created in the period. A deal reached a stage if it entered it (the stage
  visits recorded with each change); a deal moved past a stage on a free move did not reach
  it and is counted as having skipped it. Conversion to next = deals that went on from the
  stage (entered a later stage, or were won) / deals that reached it; overall = deals that
  reached it / all deals. A reopened deal is a new deal: it counts again from its first stage.
- Losses, win rate, sales cycle: deals closed in the period; the stage is where the deal
  was when it was closed. Win rate = won / (won + lost); invalid deals count in neither.
- Time in stage: each stay that ended in the period (a deal moved back and forth stays
  twice); median and 90th percentile to the hour. Stuck: open deals now in a stage longer
  than its reminder period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.analytics import (
    FunnelStep,
    Money,
    add,
    cents,
    duration,
    funnel_steps,
    percentile_hours,
    share,
)
from bpmn_sales.domain.model import Actor
from bpmn_sales.i18n import _
from bpmn_sales.persistence.queries.analytics import FunnelRows
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.analytics.scope import Filters, Scope, resolve

STUCK_LIMIT = 20


def money(totals: Money) -> dict[str, Decimal]:
    """Amounts by currency, in code order, to the cent: one figure per currency, never summed."""
    return {currency: cents(amount) for currency, amount in sorted(totals.items())}


def stage_names(scope: Scope) -> dict[str, str]:
    return {s.key: s.name for s in scope.stages}


@dataclass
class Funnel:
    process: str
    process_name: str
    filters: dict[str, str | None]
    deals: int
    won: int
    won_value: Money
    steps: list[FunnelStep]
    leads: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["won_value"] = money(self.won_value)
        data["won_rate"] = share(self.won, self.deals)
        data["steps"] = [{**asdict(s), "value": money(s.value)} for s in self.steps]
        data["note"] = self.note
        return data

    @property
    def note(self) -> str:
        """How to read the funnel, in the reader's language."""
        return _(
            "A deal counts at a stage only if it entered it. A deal moved past a stage on a free "
            "move did not reach it: it shows under 'skipped' and not in that stage's conversion."
        )


def funnel(ctx: Context, actor: Actor, filters: Filters) -> Funnel:
    with ctx.uow() as store:
        return funnel_in(store, resolve(ctx, store, actor, filters), filters)


def funnel_in(
    store: Store, scope: Scope, filters: Filters, grouped: FunnelRows | None = None
) -> Funnel:
    """The funnel report of a resolved scope (shareable with others in one
    unit of work: the analytics page reads them all at once, and gives the grouped deals it
    read once for the funnel and the calibration as `grouped`)."""
    order = [s.key for s in scope.stages]
    later = {key: set(order[i + 1 :]) for i, key in enumerate(order)}
    found = store.funnel_rows(scope.part) if grouped is None else grouped
    rows = [
        (frozenset(reached.split("|")) if reached else frozenset(), *rest)
        for reached, *rest in found
    ]
    steps, total, won, won_value = funnel_steps(
        [(s.key, s.name) for s in scope.pre_sale], later, rows
    )
    lead_counts = store.lead_rows(scope.part)
    created = sum(lead_counts.values())
    leads = {
        "created": created,
        "qualified": lead_counts.get("qualified", 0),
        "disqualified": lead_counts.get("disqualified", 0),
        "open": lead_counts.get("new", 0),
        "qualified_rate": share(lead_counts.get("qualified", 0), created),
    }
    return Funnel(
        scope.process.key,
        scope.process.name,
        filters.to_dict(),
        total,
        won,
        won_value,
        steps,
        leads,
    )


@dataclass
class LossStage:
    key: str
    name: str
    lost: int = 0
    value: Money = field(default_factory=dict)
    reopened: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    reason_value: dict[str, Money] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "lost": self.lost,
            "value": money(self.value),
            "reopened": self.reopened,
            "reasons": [
                {"reason": r, "deals": n, "value": money(self.reason_value[r])}
                for r, n in sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))
            ],
        }


@dataclass
class Losses:
    process: str
    filters: dict[str, str | None]
    won: int
    lost: int
    invalid: int
    win_rate: float | None
    won_value: Money
    lost_value: Money
    stages: list[LossStage]

    def to_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in asdict(self).items() if k != "stages"},
            "won_value": money(self.won_value),
            "lost_value": money(self.lost_value),
            "stages": [s.to_dict() for s in self.stages],
        }


def losses(ctx: Context, actor: Actor, filters: Filters) -> Losses:
    with ctx.uow() as store:
        return losses_in(store, resolve(ctx, store, actor, filters), filters)


def losses_in(store: Store, scope: Scope, filters: Filters) -> Losses:
    """The losses report of a resolved scope (shareable with others in one
    unit of work: the analytics page reads them all at once)."""
    names = stage_names(scope)
    by_stage = {s.key: LossStage(s.key, s.name) for s in scope.pre_sale}
    counts = {"won": 0, "lost": 0, "invalid": 0}
    won_value: Money = {}
    lost_value: Money = {}
    for status, stage_key, reason, currency, count, value in store.closed_rows(scope.part):
        counts[status] = counts.get(status, 0) + count
        if status == "won":
            add(won_value, currency, value)
        if status != "lost":
            continue
        key = stage_key or "(none)"
        row = by_stage.setdefault(key, LossStage(key, names.get(key, key)))
        row.lost += count
        add(row.value, currency, value)
        add(lost_value, currency, value)
        label = reason or _("(no reason given)")
        row.reasons[label] = row.reasons.get(label, 0) + count
        add(row.reason_value.setdefault(label, {}), currency, value)
    for at_stage, again in store.reopened_lost(scope.part).items():
        by_stage[at_stage or "(none)"].reopened = again
    return Losses(
        scope.process.key,
        filters.to_dict(),
        counts["won"],
        counts["lost"],
        counts["invalid"],
        share(counts["won"], counts["won"] + counts["lost"]),
        won_value,
        lost_value,
        list(by_stage.values()),
    )


@dataclass
class StageTime:
    key: str
    name: str
    stays: int
    median_days: float | None
    p90_days: float | None
    reminder_after: str | None
    stuck: int
    stuck_deals: list[dict[str, Any]]


@dataclass
class TimeInStage:
    process: str
    filters: dict[str, str | None]
    won: int
    avg_cycle_days: float | None
    stages: list[StageTime]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _days(hours: int | None) -> float | None:
    return None if hours is None else round(hours / 24, 1)


def time_in_stage(ctx: Context, actor: Actor, filters: Filters) -> TimeInStage:
    now = ctx.clock()
    with ctx.uow() as store:
        return time_in_stage_in(store, resolve(ctx, store, actor, filters), filters, now)


def time_in_stage_in(store: Store, scope: Scope, filters: Filters, now: datetime) -> TimeInStage:
    """The time in stage report of a resolved scope (shareable with others in one
    unit of work: the analytics page reads them all at once)."""
    names = {u.id: u.username for u in scope.people}  # whom the actor may see: every owner
    buckets: dict[str, list[tuple[int, int]]] = {}
    for stage_key, hours, count in store.stay_hours(scope.process.id, scope.part):
        buckets.setdefault(stage_key, []).append((hours, count))
    stages = []
    rows: Sequence[Any]
    for stage in scope.stages:
        stays = buckets.get(stage.key, [])
        period = duration(stage.reminder_after)
        stuck, rows = 0, []
        if period is not None:
            stuck, rows = store.stuck_deals(scope.part, stage.key, now - period, STUCK_LIMIT)
        stages.append(
            StageTime(
                stage.key,
                stage.name,
                sum(n for _, n in stays),
                _days(percentile_hours(stays, 0.5)),
                _days(percentile_hours(stays, 0.9)),
                stage.reminder_after,
                stuck,
                [
                    {
                        "id": d.id,
                        "name": d.name,
                        "owner": names.get(d.owner_id, ""),
                        "days_in_stage": (now - d.stage_entered_at).days
                        if d.stage_entered_at
                        else None,
                    }
                    for d in rows
                ],
            )
        )
    won, seconds = store.cycle_seconds(scope.part)
    cycle = round(seconds / 86400, 1) if seconds is not None else None
    return TimeInStage(scope.process.key, filters.to_dict(), won, cycle, stages)
