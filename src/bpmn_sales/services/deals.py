"""Use cases for opportunities (deals): start, develop through stages, close, reopen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import (
    Actor,
    DealStatus,
    DealView,
    HistoryView,
    TaskView,
    currency,
    money,
    optional_text,
    required_text,
)
from bpmn_sales.domain.policy import require_access, require_role_for_task
from bpmn_sales.domain.probability import probability
from bpmn_sales.engine import Instance, Snapshot
from bpmn_sales.errors import InvalidInput, InvalidState
from bpmn_sales.persistence.models import Deal, ProcessVersion, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.processes import current_version

SALES_PROCESS = "sales_process"
CLOSE_MESSAGE = "deal_close"
MAX_LIMIT = 500


def deal_view(store: Store, deal: Deal) -> DealView:
    owner = store.get(User, deal.owner_id, "user")
    pv = store.get(ProcessVersion, deal.process_version_id, "process version")
    return DealView(
        id=deal.id,
        name=deal.name,
        customer=deal.customer,
        value=deal.value,
        currency=deal.currency,
        status=deal.status,
        stage=deal.stage_key,
        stage_name=deal.stage_name,
        probability=deal.probability,
        owner=owner.username,
        process=f"{pv.process.key} v{pv.version}",
        lead_id=deal.lead_id,
        reopened_from_id=deal.reopened_from_id,
        reopened_as_id=store.reopened_as(deal.id),
        lost_reason=deal.lost_reason,
        closed_at=deal.closed_at,
        version=deal.version,
        created_at=deal.created_at,
        tasks=common.subject_tasks(store, deal),
    )


def resolve_owner(store: Store, actor: Actor, owner: str | None) -> User:
    """The actor owns what it creates unless it names someone it may act for."""
    if not owner or owner == actor.username:
        return store.get(User, actor.id, "user")
    user = store.user_by_username(owner)
    if user is None:
        raise InvalidInput(f"owner '{owner}' does not exist", field="owner")
    require_access(actor, user.id, user.manager_id, f"records owned by {owner}")
    return user


def _apply(
    ctx: Context,
    store: Store,
    deal: Deal,
    instance: Instance,
    actor: Actor,
    action: str,
    detail: dict[str, Any] | None = None,
) -> Snapshot:
    """Store the instance state and every projection of it, and record the history entry."""
    snap = instance.snapshot()
    before_stage, before_status = deal.stage_key, deal.status
    if snap.stage is not None and not snap.completed:
        deal.stage_key, deal.stage_name = snap.stage.key, snap.stage.name
    if snap.completed:
        close = snap.data.get("close") or {}
        deal.status = snap.state_properties.get("deal_status", DealStatus.LOST)
        deal.probability = int(close.get("probability", 100 if deal.status == "won" else 0))
        deal.lost_reason = close.get("reason") if deal.status == DealStatus.LOST else None
        deal.closed_at = ctx.clock()
    else:
        deal.status = DealStatus.OPEN
        deal.probability = probability(snap.activities_done, snap.activities_total)
    deal.state = ctx.engine.dump(instance)
    deal.updated_at = ctx.clock()
    common.project_work_items(ctx, store, deal, snap, instance)
    common.keep_live(ctx, store, deal, instance)
    store.record(
        "deal",
        deal.id,
        ctx.clock(),
        actor.id,
        action,
        from_stage=before_stage if before_stage != deal.stage_key or action == "created" else None,
        to_stage=deal.stage_key,
        from_status=before_status,
        to_status=deal.status,
        detail=detail,
    )
    return snap


def start_deal(
    ctx: Context,
    store: Store,
    actor: Actor,
    owner: User,
    fields: dict[str, Any],
    *,
    lead_id: int | None = None,
    reopened_from_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> Deal:
    """Create a deal row and its sales-process instance inside the caller's transaction."""
    version = current_version(store, SALES_PROCESS)
    key, loader = common.spec_loader(store, version)
    data = {"deal": {**fields, "value": float(fields["value"])}}
    instance = ctx.engine.start(key, loader, data)
    now = ctx.clock()
    deal = Deal(
        name=fields["name"],
        customer=fields["customer"],
        value=fields["value"],
        currency=fields["currency"],
        status=DealStatus.OPEN,
        probability=0,
        owner_id=owner.id,
        lead_id=lead_id,
        reopened_from_id=reopened_from_id,
        process_version_id=version.id,
        state="",
        created_at=now,
        updated_at=now,
    )
    store.add(deal)
    store.flush()
    _apply(ctx, store, deal, instance, actor, "created", detail)
    return deal


def deal_fields(
    name: object, customer: object, value: object, currency_code: object
) -> dict[str, Any]:
    return {
        "name": required_text(name, "name"),
        "customer": optional_text(customer, "customer"),
        "value": money(value, "value") or Decimal("0.00"),
        "currency": currency(currency_code),
    }


def create_deal(
    ctx: Context,
    actor: Actor,
    name: object,
    customer: object = None,
    value: object = None,
    currency_code: object = None,
    owner: str | None = None,
) -> DealView:
    """Start an opportunity directly, skipping the lead step."""
    fields = deal_fields(name, customer, value, currency_code)
    with ctx.uow() as store:
        owner_user = resolve_owner(store, actor, owner)
        deal = start_deal(ctx, store, actor, owner_user, fields, detail={"source": "direct"})
        store.commit()
        return deal_view(store, deal)


def _open_deal(store: Store, actor: Actor, deal_id: int, expected_version: int | None) -> Deal:
    deal = store.get(Deal, deal_id, "deal")
    common.require_subject_access(store, actor, deal)
    common.check_version(deal, expected_version)
    if deal.status != DealStatus.OPEN:
        raise InvalidState(f"deal {deal_id} is {deal.status}, not open", status=deal.status)
    return deal


def complete_deal_task(
    ctx: Context,
    store: Store,
    actor: Actor,
    deal: Deal,
    task_id: str,
    data: dict[str, Any],
) -> None:
    instance = common.restore(ctx, store, deal)
    task = instance.work_item(instance.find_ready(task_id))
    require_role_for_task(actor, task.role, task.title)
    instance.complete(task_id, data)
    _apply(
        ctx,
        store,
        deal,
        instance,
        actor,
        "task_completed",
        {"task": task.title, "element_id": task.element_id},
    )


def close_deal(
    ctx: Context,
    actor: Actor,
    deal_id: int,
    outcome: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> DealView:
    """Close an open deal as won or lost (lost needs a reason from the diagram's list)."""
    if outcome not in ("won", "lost"):
        raise InvalidInput(f"outcome must be won or lost, not {outcome!r}", field="outcome")
    with ctx.uow() as store:
        deal = _open_deal(store, actor, deal_id, expected_version)
        instance = common.restore(ctx, store, deal)
        instance.send_message(CLOSE_MESSAGE, {"outcome": outcome, "reason": reason})
        snap = _apply(
            ctx, store, deal, instance, actor, "closed", {"outcome": outcome, "reason": reason}
        )
        if not snap.completed:
            raise InvalidState("the process did not reach an end event after the close request")
        store.commit()
        return deal_view(store, deal)


def reopen_deal(ctx: Context, actor: Actor, deal_id: int) -> DealView:
    """Create a new opportunity linked to a closed one, which stays closed and unchanged."""
    with ctx.uow() as store:
        old = store.get(Deal, deal_id, "deal")
        common.require_subject_access(store, actor, old)
        if old.status == DealStatus.OPEN:
            raise InvalidState(f"deal {deal_id} is open; only a closed deal can be reopened")
        already = store.reopened_as(old.id)
        if already is not None:
            raise InvalidState(
                f"deal {deal_id} was already reopened as deal {already}", reopened_as_id=already
            )
        owner = store.get(User, old.owner_id, "user")
        fields = {
            "name": old.name,
            "customer": old.customer,
            "value": old.value,
            "currency": old.currency,
        }
        deal = start_deal(
            ctx,
            store,
            actor,
            owner,
            fields,
            lead_id=old.lead_id,
            reopened_from_id=old.id,
            detail={"reopened_from": old.id},
        )
        store.commit()
        return deal_view(store, deal)


def get_deal(ctx: Context, actor: Actor, deal_id: int) -> DealView:
    with ctx.uow() as store:
        deal = store.get(Deal, deal_id, "deal")
        common.require_subject_access(store, actor, deal)
        return deal_view(store, deal)


def list_deals(
    ctx: Context,
    actor: Actor,
    status: str | None = None,
    stage: str | None = None,
    limit: int = 100,
) -> list[DealView]:
    if status is not None and status not in {s.value for s in DealStatus}:
        raise InvalidInput(f"status must be open, won or lost, not {status!r}", field="status")
    limit = max(1, min(limit, MAX_LIMIT))
    with ctx.uow() as store:
        owners = common.visible_owner_ids(store, actor)
        return [deal_view(store, d) for d in store.deals(owners, status, stage, limit)]


def deal_history(ctx: Context, actor: Actor, deal_id: int) -> list[HistoryView]:
    with ctx.uow() as store:
        return common.history_for(ctx, store, actor, "deal", deal_id)


def deal_tasks(ctx: Context, actor: Actor, deal_id: int) -> list[TaskView]:
    with ctx.uow() as store:
        deal = store.get(Deal, deal_id, "deal")
        common.require_subject_access(store, actor, deal)
        return common.subject_tasks(store, deal)
