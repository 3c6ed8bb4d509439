"""What a deal looks like to readers: its view, the deal page's detail, the facts rules check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.attention import Attention
from bpmn_sales.domain.model import DealStatus, DealView, TaskView
from bpmn_sales.domain.rules import ProcessRules, StageRule, field_labels
from bpmn_sales.persistence.models import Approval, Attachment, Customer, Deal, Lead
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals.attention import Watched, attention_of, reminder_of
from bpmn_sales.tasks.requirements import (
    DealFacts,
    stage_unmet,
    win_unmet,
)


# -- views ----------------------------------------------------------------------------------
def deal_views(ctx: Context, store: Store, deals: Sequence[Deal]) -> list[DealView]:
    """Views of many deals in a constant number of queries (owners, versions, links, tasks)."""
    ids = [d.id for d in deals]
    owners = store.usernames(d.owner_id for d in deals)
    versions = store.version_labels(d.process_version_id for d in deals)
    reopened = store.reopened_as_many(ids)
    items = store.work_items_of("deal", ids)
    known = {("deal", d.id): (d.name, d.process_version_id) for d in deals}
    tasks: dict[int, list[TaskView]] = {}
    for item, task in zip(items, common.task_views(ctx, store, items, known), strict=True):
        tasks.setdefault(item.subject_id, []).append(task)
    watched = [
        Watched(d.id, d.updated_at, reminder_of(ctx, store, d.process_version_id, d.stage_key))
        for d in deals
        if d.status == DealStatus.OPEN
    ]
    flags = attention_of(store, watched, ctx.clock())
    return [
        _view(
            d,
            owners.get(d.owner_id, ""),
            versions.get(d.process_version_id, ("", 0, "")),
            reopened.get(d.id),
            tasks.get(d.id, []),
            flags.get(d.id, Attention()),
        )
        for d in deals
    ]


def deal_view(ctx: Context, store: Store, deal: Deal, detail: bool = False) -> DealView:
    [view] = deal_views(ctx, store, [deal])
    if detail:
        view = replace(view, detail=deal_detail(ctx, store, deal))
    return view


def _view(
    deal: Deal,
    owner: str,
    version: tuple[str, int, str],
    reopened_as: int | None,
    tasks: list[TaskView],
    flags: Attention,
) -> DealView:
    key, number, process_name = version
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
        owner=owner,
        process=f"{key} v{number}",
        lead_id=deal.lead_id,
        reopened_from_id=deal.reopened_from_id,
        reopened_as_id=reopened_as,
        lost_reason=deal.lost_reason,
        closed_at=deal.closed_at,
        version=deal.version,
        created_at=deal.created_at,
        tasks=tasks,
        process_key=key,
        process_name=process_name,
        process_version=number,
        outcome_label=deal.outcome_label,
        expected_close_date=deal.expected_close_date,
        fields=dict(deal.fields or {}),
        stage_fields=dict(deal.stage_fields or {}),
        next_activity=flags.next_activity,
        flag=flags.flag,
        quiet_since=flags.quiet_since,
    )


def deal_detail(ctx: Context, store: Store, deal: Deal) -> dict[str, Any]:
    """The deal page: stage path, checklist, what is still needed, and the deal's records."""
    rules = common.rules_for(ctx, store, deal)
    facts = deal_facts(store, deal)
    current = rules.stage(deal.stage_key)
    names = store.usernames(
        [a.decided_by_id for a in store.approvals(deal.id)]
        + [n.author_id for n in store.notes("deal", deal.id)]
        + [f.assignee_id for f in store.follow_ups_for(deal.id)]
    )
    contacts = store.contacts(deal.customer_id)
    customer = store.session.get(Customer, deal.customer_id) if deal.customer_id else None
    stages = []
    for stage in rules.stages:
        state = "current" if stage is current else "todo"
        if current is not None and stage.order < current.order:
            state = "passed"
        stages.append(
            {
                "key": stage.key,
                "name": stage.name,
                "order": stage.order,
                "phase": stage.phase,
                "win_rate": stage.win_rate,
                "optional": stage.optional,
                "state": state,
            }
        )
    checklist = []
    requirements: list[str] = []
    if current is not None:
        checklist = [
            {**a.to_dict(), "done": a.element_id in facts.done} for a in current.activities
        ]
        if deal.status in (DealStatus.OPEN, DealStatus.WON):
            requirements = stage_unmet(current, facts)
    return {
        "stages": stages,
        "current_stage": current.to_dict() if current else None,
        "checklist": checklist,
        "unmet_requirements": requirements,
        "win_blockers": win_unmet(rules, facts) if deal.status == DealStatus.OPEN else [],
        "terminals": [t.to_dict() for t in rules.terminals],
        "free_moves": rules.free_moves,
        "customer": {
            "id": customer.id,
            "name": customer.name,
            "fields": dict(customer.fields or {}),
        }
        if customer
        else None,
        "contacts": [
            {"id": c.id, "name": c.name, "email": c.email, "phone": c.phone, "title": c.title}
            for c in contacts
        ],
        "approvals": [
            {
                "stage": a.stage_key,
                "decision": a.decision,
                "comment": a.comment,
                "by": names.get(a.decided_by_id),
                "at": a.decided_at.isoformat(),
            }
            for a in store.approvals(deal.id)
        ],
        "notes": [
            {
                "id": n.id,
                "text": n.text,
                "author": names.get(n.author_id),
                "task": n.task_element_id,
                "task_name": _task_name(rules, n.task_element_id),
                "at": n.created_at.isoformat(),
            }
            for n in store.notes("deal", deal.id)
        ],
        "attachments": [attachment_dict(a) for a in store.attachments(deal.id)],
        "orders": [
            {
                "id": o.id,
                "number": o.number,
                "amount": o.amount,
                "currency": o.currency,
                "at": o.created_at.isoformat(),
            }
            for o in store.orders(deal.id)
        ],
        "follow_ups": [
            {
                "id": f.id,
                "title": f.title,
                "due_on": f.due_on.isoformat(),
                "assignee": names.get(f.assignee_id) if f.assignee_id else None,
                "done": f.done_at is not None,
                "cancelled": f.cancelled_at is not None,
            }
            for f in store.follow_ups_for(deal.id)
        ],
        "linked": _linked(store, deal),
        "field_labels": field_labels(
            rules,
            [f"deal.{k}" for k in deal.fields or {}]
            + [f"customer.{k}" for k in (customer.fields if customer else None) or {}]
            + [f"stage.{k}" for v in (deal.stage_fields or {}).values() for k in v],
        ),
        "reopened_from": earlier_deal(ctx, store, deal) if deal.reopened_from_id else None,
    }


def earlier_deal(ctx: Context, store: Store, deal: Deal) -> dict[str, Any] | None:
    """The closed deal a reopened one came from: its outcome, its notes and files (read where
    they are, not copied) and the stage the new deal restarted at."""
    old = store.session.get(Deal, deal.reopened_from_id) if deal.reopened_from_id else None
    if old is None:
        return None
    notes = list(store.notes("deal", old.id))
    names = store.usernames([n.author_id for n in notes])
    first = list(store.history_page("deal", deal.id, "oldest", None, 1))
    start = first[0].to_stage if first else None
    stage = common.rules_for(ctx, store, deal).stage(start) if start else None
    return {
        "id": old.id,
        "name": old.name,
        "status": old.status,
        "outcome_label": old.outcome_label,
        "lost_reason": old.lost_reason,
        "closed_at": old.closed_at.isoformat() if old.closed_at else None,
        "restarted_at": stage.name if stage else start,
        "notes": [
            {
                "id": n.id,
                "text": n.text,
                "author": names.get(n.author_id),
                "task": n.task_element_id,
                "at": n.created_at.isoformat(),
            }
            for n in notes
        ],
        "attachments": [attachment_dict(a) for a in store.attachments(old.id)],
    }


def _linked(store: Store, deal: Deal) -> dict[str, str | None]:
    """The names of the lead the deal came from and of the deals it was reopened from or as."""
    lead = store.session.get(Lead, deal.lead_id) if deal.lead_id else None
    before = store.session.get(Deal, deal.reopened_from_id) if deal.reopened_from_id else None
    after_id = store.reopened_as(deal.id)
    after = store.session.get(Deal, after_id) if after_id else None
    return {
        "lead": lead.name if lead else None,
        "reopened_from": before.name if before else None,
        "reopened_as": after.name if after else None,
    }


def _task_name(rules: ProcessRules, element_id: str | None) -> str | None:
    """The name people read for a task of the process (None for none, or one it lacks)."""
    if element_id is None:
        return None
    activity = rules.activities.get(element_id)
    return activity.name if activity else None


def attachment_dict(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.id,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "note_id": a.note_id,
        "at": a.created_at.isoformat(),
    }


# -- facts and projection -------------------------------------------------------------------
@dataclass(frozen=True)
class RuleRecords:
    """What `deal_facts` reads for a deal, read for many deals at once (`rule_records`)."""

    customers: dict[int, Customer]
    contacts: dict[int, int]
    approvals: dict[int, list[Approval]]


def rule_records(store: Store, deals: Sequence[Deal]) -> RuleRecords:
    """The customers, contact counts and approvals of many deals."""
    wanted = [d.customer_id for d in deals if d.customer_id]
    return RuleRecords(*store.rule_records([d.id for d in deals], wanted))


def deal_facts(
    store: Store,
    deal: Deal,
    stages: list[StageRule] | None = None,
    orders: bool = True,
    known: RuleRecords | None = None,
) -> DealFacts:
    """What the rule checks look at; with `stages`, only what those stages' rules need;
    with `known`, read from records already read for many deals (no statement per deal)."""
    need_customer = need_contacts = need_approvals = stages is None
    for stage in stages or ():
        need_customer |= any(f.scope == "customer" for f in stage.required_fields)
        need_contacts |= stage.min_contacts > 0
        need_approvals |= stage.approval is not None
    customer = None
    if deal.customer_id and need_customer:
        customer = (
            known.customers.get(deal.customer_id)
            if known is not None
            else store.session.get(Customer, deal.customer_id)
        )
    decisions: dict[str, str] = {}
    if need_approvals:
        found = known.approvals.get(deal.id, []) if known else store.approvals(deal.id)
        for approval in found:
            decisions[approval.stage_key] = approval.decision
    if not need_contacts:
        contacts = 0
    elif known is not None:
        contacts = known.contacts.get(deal.customer_id, 0) if deal.customer_id else 0
    else:
        contacts = store.contact_count(deal.customer_id)
    return DealFacts(
        customer={**(customer.fields if customer else {}), "name": deal.customer},
        deal={
            **(deal.fields or {}),
            "name": deal.name,
            "value": deal.value,
            "currency": deal.currency,
            "expected_close_date": deal.expected_close_date,
        },
        stage_fields=deal.stage_fields or {},
        contacts=contacts,
        approvals=decisions,
        done=frozenset(deal.activities_done or ()),
        orders=store.order_count(deal.id) if orders else 0,
    )
