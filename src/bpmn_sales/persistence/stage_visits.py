"""Keep the stage-visit projection in step with every deal change, in the same flush.

Whichever use case changes a deal's stage or closes it (a task completed, a free move, a
close, a process migration), the row change passes through the session: a `before_flush`
listener closes the stay the deal left, opens one for the stage it entered and adds that
stage to `deals.stages_reached`. Analytics then read these rows with indexed queries instead
of replaying workflow instances.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from bpmn_sales.persistence.models import Deal, ProcessVersion, StageVisit

SEPARATOR = "|"


def merge_reached(reached: str | None, stage_key: str) -> str:
    """The sorted set of stage keys a deal has entered, with one more."""
    keys = set(reached.split(SEPARATOR)) if reached else set()
    keys.add(stage_key)
    return SEPARATOR.join(sorted(keys))


def _change(deal: Deal, name: str) -> tuple[Any, Any, bool]:
    """(old value, new value, changed?) of one attribute in this flush."""
    history = inspect(deal).attrs[name].history
    if not history.added:
        return None, getattr(deal, name), False
    old = history.deleted[0] if history.deleted else None
    return old, history.added[0], old != history.added[0]


def _close_open_stay(session: Session, deal: Deal, at: datetime) -> None:
    if deal.id is None:
        return
    stays = session.scalars(
        select(StageVisit).where(StageVisit.deal_id == deal.id, StageVisit.left_at.is_(None))
    )
    for stay in stays:
        stay.left_at = at
        stay.hours = max(0, int((at - stay.entered_at).total_seconds() // 3600))


def _track(session: Session, deal: Deal) -> None:
    old_stage, new_stage, stage_moved = _change(deal, "stage_key")
    old_status, new_status, status_changed = _change(deal, "status")
    at = deal.stage_entered_at or deal.updated_at
    if stage_moved and new_stage is not None:
        if old_stage is not None:
            _close_open_stay(session, deal, at)
        version = session.get(ProcessVersion, deal.process_version_id)
        assert version is not None
        session.add(
            StageVisit(
                deal=deal,
                process_id=version.process_id,
                stage_key=new_stage,
                owner_id=deal.owner_id,
                entered_at=at,
            )
        )
        deal.stages_reached = merge_reached(deal.stages_reached, new_stage)
    elif status_changed and old_status == "open" and new_status != "open":
        _close_open_stay(session, deal, deal.closed_at or deal.updated_at)


@event.listens_for(Session, "before_flush")
def _project_stage_visits(session: Session, _context: object, _instances: object) -> None:
    deals = [o for o in (*session.new, *session.dirty) if isinstance(o, Deal)]
    if not deals:
        return
    with session.no_autoflush:
        for deal in deals:
            _track(session, deal)
