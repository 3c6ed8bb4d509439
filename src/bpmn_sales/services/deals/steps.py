"""One step of a deal's process: check the sales rules, store the state, project, record history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import (
    Actor,
    DealStatus,
)
from bpmn_sales.domain.rules import ProcessRules, TerminalRule
from bpmn_sales.engine import Instance, Snapshot, StageRef
from bpmn_sales.errors import DiagramError, RuleViolation
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import (
    Deal,
)
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals import approval_waits
from bpmn_sales.services.deals.views import deal_facts
from bpmn_sales.tasks.requirements import (
    leave_unmet,
    win_unmet,
)
from bpmn_sales.tasks.weights import whole_percent, win_probability


def refuse(
    deal: Deal, unmet: list[str], leaving: str | None = None, target: str | None = None
) -> RuleViolation:
    """The refusal to win the deal (or to leave stage `leaving` for `target`) while rules
    are unmet."""
    listed = "; ".join(unmet)
    if leaving is None:
        message = _("deal %(deal)s cannot be won: %(unmet)s", deal=deal.id, unmet=listed)
    elif target is None:
        message = _(
            "deal %(deal)s cannot leave stage '%(stage)s': %(unmet)s",
            deal=deal.id,
            stage=leaving,
            unmet=listed,
        )
    else:
        message = _(
            "deal %(deal)s cannot leave stage '%(stage)s' for '%(target)s': %(unmet)s",
            deal=deal.id,
            stage=leaving,
            target=target,
            unmet=listed,
        )
    return RuleViolation(message, unmet=unmet)


def check_rules(
    store: Store,
    deal: Deal,
    rules: ProcessRules,
    before: StageRef | None,
    running: StageRef | None,
    status: str,
) -> None:
    """Refuse a step that leaves a stage with unmet requirements, or wins without the rules."""
    if deal.status == DealStatus.OPEN and status == DealStatus.WON:
        unmet = win_unmet(rules, deal_facts(store, deal, [], orders=rules.order_required))
        if unmet:
            raise refuse(deal, unmet)
        return
    if status != deal.status or before is None:
        return
    if running is not None and running.key == before.key:
        return
    target = running.key if running else None
    passed = rules.stages_between(before.key, target) if running else [rules.stage(before.key)]
    facts = deal_facts(store, deal, [s for s in passed if s is not None], orders=False)
    unmet = leave_unmet(rules, facts, before.key, target)
    if unmet:
        raise refuse(deal, unmet, before.name, running.name if running else None)


def outcome_of(rules: ProcessRules, snap: Snapshot) -> TerminalRule | None:
    """The terminal state a step ended the deal at (None: still open); a process that ended
    at an end event without an outcome is the diagram's fault."""
    terminal = rules.terminal_at(snap.outcome_event)
    if snap.completed and terminal is None:
        raise DiagramError(
            _(
                "the process ended at '%(element)s', which carries no outcome",
                element=snap.end_event,
            ),
            element_id=snap.end_event,
        )
    return terminal


def apply_step(
    ctx: Context,
    store: Store,
    deal: Deal,
    instance: Instance,
    actor: Actor,
    action: str,
    detail: dict[str, Any] | None = None,
    before: StageRef | None = None,
    changes: dict[str, Any] | None = None,
    waits: list[approval_waits.Wait] | None = None,
    imported: bool = False,
) -> Snapshot:
    """Check the sales rules, store the state and every projection, and record the history.

    `changes` are other columns of the deal this step sets (the rules see them already); the
    deal row is written once, by SQL, with its version checked. `waits` receives what the
    deal's ready approval tasks wait for. An `imported` step (a deal brought from another
    system at its stage, or closed there) does not enforce the rules of the stages it passes;
    `changes` may then give the day it closed (`closed_at`).
    """
    rules = instance.rules
    snap = instance.snapshot()
    terminal = outcome_of(rules, snap)
    status = terminal.outcome if terminal else DealStatus.OPEN
    values: dict[str, Any] = dict(changes or {})
    store.show_values(deal, values)
    if not imported:
        with store.no_autoflush():
            check_rules(store, deal, rules, before, snap.running_stage, status)
    before_stage, before_status = deal.stage_key, deal.status
    now = ctx.clock()
    stage_key = deal.stage_key
    stage = snap.running_stage or (snap.stage if deal.stage_key is None else None)
    if stage is not None and stage.key != deal.stage_key:
        values.update(stage_key=stage.key, stage_name=stage.name, stage_entered_at=now)
        stage_key = stage.key
    if terminal is not None:
        values["outcome_label"] = terminal.label
        if before_status == DealStatus.OPEN:
            values["closed_at"] = (values.get("closed_at") if imported else None) or now
            close = snap.data.get("close") or {}
            values["lost_reason"] = close.get("reason") if status != DealStatus.WON else None
    values["status"] = status
    if status == DealStatus.OPEN:
        values["probability"] = win_probability(rules, stage_key, deal.activities_done or ())
    else:
        values["probability"] = whole_percent(terminal.probability if terminal else 0)
    values["updated_at"] = now
    common.save_step(ctx, store, deal, instance, values)
    common.project_work_items(ctx, store, deal, snap, instance)
    found = approval_waits.mark_step(store, deal, rules, snap)
    if waits is not None:
        waits.extend(found)
    store.record(
        "deal",
        deal.id,
        now,
        actor.id,
        action,
        from_stage=before_stage if before_stage != deal.stage_key or action == "created" else None,
        to_stage=deal.stage_key,
        from_status=before_status,
        to_status=deal.status,
        detail=detail,
    )
    if before_status == DealStatus.OPEN and deal.status != DealStatus.OPEN:
        cancel_follow_ups(store, deal, actor, now)
    return snap


def cancel_follow_ups(store: Store, deal: Deal, actor: Actor, now: datetime) -> None:
    """A closed deal's open follow-ups leave the task lists: cancelled, and the history says
    which."""
    titles = store.cancel_follow_ups(deal.id, now)
    if titles:
        store.record(
            "deal",
            deal.id,
            now,
            actor.id,
            "follow_ups_cancelled",
            to_stage=deal.stage_key,
            from_status=deal.status,
            to_status=deal.status,
            detail={"follow_ups": titles},
        )
