"""The situations of imported deals: where a row puts its deal (process version, stage,
status, reason), worked out by the engine once and copied for every deal in it.

`run_steps` starts an instance, brings it to the row's stage (by the process's move message
where it has one, else placed there as `engine.place_at_stage` does) and closes it as the row
says, recording each step as imported; `place` does it once with placeholders for the deal's
own values, so that `engine.InstanceCopies` can copy the state for each deal. `dates` reads the
days a row gives (created, entered its stage, closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import DealStatus
from bpmn_sales.domain.rules import ProcessRules
from bpmn_sales.engine import Instance, InstanceCopies, Snapshot, place_at_stage
from bpmn_sales.engine import placeholders as copy_placeholders
from bpmn_sales.errors import DiagramError, InvalidState
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import ProcessVersion
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals.lifecycle import CLOSE_MESSAGE, MOVE_MESSAGE
from bpmn_sales.tasks import closing

# The deal's own values in its instance's data (what `start_deal` gives the process).
DEAL_DATA = ("name", "customer", "currency", "expected_close_date", "value")
# Where a row puts its deal: process version id, stage key (None: the first), status, reason.
Situation = tuple[int, str | None, str, str | None]


@dataclass(frozen=True)
class Step:
    """One step of the imported deal's process: its history action, the instance after it,
    and what the history entry's detail adds."""

    action: str
    snapshot: Snapshot
    detail: dict[str, Any]


@dataclass
class Placed:
    """A situation worked out once: the steps, and the copies of the instance (None: the
    engine runs for each deal of it)."""

    steps: list[Step]
    copies: InstanceCopies | None
    rules: ProcessRules
    process_key: str
    approvals: bool = False  # an approval task is ready at the end: its waits are per deal


def _noon(day: date) -> datetime:
    """A day as an instant that is that day in every time zone people work in."""
    return datetime.combine(day, time(12), tzinfo=UTC)


@dataclass(frozen=True)
class Dates:
    """When the deal was created, entered the stage of its row, and closed (None: open)."""

    created: datetime
    stage: datetime
    closed: datetime | None


def dates(fields: dict[str, Any], now: datetime) -> Dates:
    """The days of a row as instants: a day missing is the next one the row gives (created:
    the stage's day, else the close day; the stage's day: the created day), and the import's
    time when the row gives none."""
    closed = _noon(fields["closed_on"]) if fields.get("closed_on") else None
    stage = _noon(fields["stage_entered_on"]) if fields.get("stage_entered_on") else None
    created = _noon(fields["created_on"]) if fields.get("created_on") else None
    created = created or stage or closed or now
    return Dates(created, stage or created, closed)


def deal_data(fields: dict[str, Any]) -> dict[str, Any]:
    """The deal's values as its instance holds them (as `start_deal` gives them)."""
    due = fields.get("expected_close_date")
    return {
        "name": fields["name"],
        "customer": fields.get("customer"),
        "currency": fields["currency"],
        "expected_close_date": due.isoformat() if isinstance(due, date) else due,
        "value": str(fields.get("value") or Decimal("0.00")),
    }


def run_steps(
    ctx: Context,
    store: Store,
    version: ProcessVersion,
    data: dict[str, Any],
    situation: Situation,
    line: int | None,
) -> tuple[Instance, list[Step]]:
    """Start an instance with `data`, bring it to the situation's stage, close it as it says."""
    _version_id, stage_key, status, reason = situation
    key, loader = common.spec_loader(store, version)
    instance = ctx.engine.start(key, loader, {"deal": data})
    source = {"source": "import", "line": line}
    steps = [Step("created", instance.snapshot(), {**source, "process": version.process.key})]
    before = instance.running_stage()
    if stage_key is not None and (before is None or before.key != stage_key):
        if MOVE_MESSAGE in instance.waiting_messages():
            instance.send_message(MOVE_MESSAGE, {"stage": stage_key})
        else:
            place_at_stage(instance, stage_key)
        moved = {"from": before.key if before else None, "to": stage_key, **source}
        steps.append(Step("moved", instance.snapshot(), moved))
    if status != DealStatus.OPEN:
        payload = closing.close_request(instance.rules, status, reason)
        if CLOSE_MESSAGE not in instance.waiting_messages():
            raise InvalidState(_("the process cannot close a deal at this stage"))
        instance.send_message(CLOSE_MESSAGE, payload)
        steps.append(Step("closed", instance.snapshot(), {**payload, **source}))
    return instance, steps


def place(ctx: Context, store: Store, version: ProcessVersion, situation: Situation) -> Placed:
    """Work out a situation once: its steps, and its instance ready to copy."""
    marks = copy_placeholders(DEAL_DATA)
    instance, steps = run_steps(ctx, store, version, dict(marks), situation, None)
    copies = InstanceCopies.of(ctx.engine.dump(instance), instance, marks)
    approvals = any(item.rule.approval for item in steps[-1].snapshot.ready)
    return Placed(
        steps,
        copies if copies.copyable else None,
        instance.rules,
        version.process.key,
        approvals,
    )


def check_situation(
    ctx: Context, store: Store, version: ProcessVersion, situation: Situation
) -> str | None:
    """Why deals cannot be imported in this situation (None: they can)."""
    try:
        place(ctx, store, version, situation)
    except (InvalidState, DiagramError) as error:
        return error.message
    return None
