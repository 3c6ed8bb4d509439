"""Keep the stage-visit projection in step with every deal change, in the same transaction.

Whichever use case changes a deal's stage or closes it (a task completed, a free move, a
close, a process migration), the change closes the stay the deal left, opens one for the stage
it entered and adds that stage to `deals.stages_reached`. A step written by `write_step`
(queries/instances.py) calls `plan`/`write` itself; any other change passes through the
session, where a `before_flush` listener does the same. Analytics then read these rows with
indexed queries instead of replaying workflow instances.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    String,
    bindparam,
    event,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Session

from bpmn_sales.persistence.models import (
    Deal,
    ProcessVersion,
    StageVisit,
    UTCDateTime,
    table_of,
)
from bpmn_sales.persistence.prepared import Prepared

SEPARATOR = "|"
VISITS = table_of(StageVisit)
OPEN_STAYS = select(VISITS.c.id, VISITS.c.entered_at).where(
    VISITS.c.deal_id == bindparam("deal_id"), VISITS.c.left_at.is_(None)
)
CLOSE_STAY = update(VISITS).where(VISITS.c.id == bindparam("_id"))
# The deal's open stay began when the deal entered its stage (stage_entered_at), which the
# writer knows: one UPDATE closes it, with its hours worked out here as everywhere else.
CLOSE_KNOWN_STAY = Prepared(
    update(VISITS).where(
        VISITS.c.deal_id == bindparam("_deal_id"),
        VISITS.c.left_at.is_(None),
        VISITS.c.entered_at == bindparam("_since"),
    )
)
VERSIONS = table_of(ProcessVersion)
# One statement: the stay's process is the one of the deal's process version.
ENTER_STAY = Prepared(
    insert(VISITS).from_select(
        ["deal_id", "process_id", "stage_key", "owner_id", "entered_at"],
        select(
            bindparam("deal_id", type_=Integer),
            VERSIONS.c.process_id,
            bindparam("stage_key", type_=String),
            bindparam("owner_id", type_=Integer),
            bindparam("entered_at", type_=UTCDateTime()),
        ).where(VERSIONS.c.id == bindparam("version_id")),
    )
)


def merge_reached(reached: str | None, stage_key: str) -> str:
    """The sorted set of stage keys a deal has entered, with one more."""
    keys = set(reached.split(SEPARATOR)) if reached else set()
    keys.add(stage_key)
    return SEPARATOR.join(sorted(keys))


@dataclass(frozen=True)
class Move:
    """What one write does to a deal's stays: close the open one, open one for a stage."""

    close_at: datetime | None
    enter: str | None
    at: datetime


def plan(old_stage: str | None, old_status: str | None, new: Any) -> Move | None:
    """The stays a change from (old stage, old status) to the deal's new values needs."""
    at = new.stage_entered_at or new.updated_at
    if new.stage_key != old_stage and new.stage_key is not None:
        return Move(at if old_stage is not None else None, new.stage_key, at)
    if new.status != old_status and old_status == "open" and new.status != "open":
        at = new.closed_at or new.updated_at
        return Move(at, None, at)
    return None


def hours_between(entered_at: datetime, left_at: datetime) -> int:
    return max(0, int((left_at - entered_at).total_seconds() // 3600))


def write(connection: Connection, deal: Any, move: Move, since: datetime | None = None) -> None:
    """Write the stays of a move by SQL (the deal row is written by the caller).

    `since` is when the deal entered the stage it leaves, if known: the open stay that began
    then is closed by one UPDATE. Otherwise (or if no stay began then, as in data older than
    the projection) the open stays are read and closed one by one.
    """
    if move.close_at is not None:
        closed = 0
        if since is not None:
            closed = CLOSE_KNOWN_STAY(
                connection,
                {
                    "_deal_id": deal.id,
                    "_since": since,
                    "left_at": move.close_at,
                    "hours": hours_between(since, move.close_at),
                },
            ).rowcount
        if not closed:
            for row in connection.execute(OPEN_STAYS, {"deal_id": deal.id}).all():
                hours = hours_between(row.entered_at, move.close_at)
                connection.execute(
                    CLOSE_STAY, {"_id": row.id, "left_at": move.close_at, "hours": hours}
                )
    if move.enter is not None:
        ENTER_STAY(
            connection,
            {
                "deal_id": deal.id,
                "version_id": deal.process_version_id,
                "stage_key": move.enter,
                "owner_id": deal.owner_id,
                "entered_at": move.at,
            },
        )


def _change(deal: Deal, name: str) -> tuple[Any, bool]:
    """(old value, changed?) of one attribute in this flush."""
    history = inspect(deal).attrs[name].history
    if not history.added:
        return getattr(deal, name), False
    old = history.deleted[0] if history.deleted else None
    return old, old != history.added[0]


def _track(session: Session, deal: Deal) -> None:
    old_stage, stage_moved = _change(deal, "stage_key")
    old_status, status_changed = _change(deal, "status")
    if not (stage_moved or status_changed):
        return
    move = plan(old_stage, old_status, deal)
    if move is None:
        return
    if move.enter is not None:
        deal.stages_reached = merge_reached(deal.stages_reached, move.enter)
    if deal.id is None:
        move = Move(None, move.enter, move.at)
        if move.enter is not None:
            version = session.get(ProcessVersion, deal.process_version_id)
            assert version is not None
            session.add(
                StageVisit(
                    deal=deal,
                    process_id=version.process_id,
                    stage_key=move.enter,
                    owner_id=deal.owner_id,
                    entered_at=move.at,
                )
            )
        return
    write(session.connection(), deal, move)


@event.listens_for(Session, "before_flush")
def _project_stage_visits(session: Session, _context: object, _instances: object) -> None:
    deals = [o for o in (*session.new, *session.dirty) if isinstance(o, Deal)]
    if not deals:
        return
    with session.no_autoflush:
        for deal in deals:
            _track(session, deal)
