"""Use cases for leads: create, qualify into an opportunity, disqualify, renew."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import (
    Actor,
    LeadStatus,
    LeadView,
    currency,
    every_field,
    money,
    optional_email,
    optional_text,
    required_text,
)
from bpmn_sales.domain.rules import ActivityRule
from bpmn_sales.engine import Instance, Snapshot
from bpmn_sales.errors import Forbidden, InvalidInput, InvalidState
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Contact, Lead, ProcessVersion, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals.start import deal_fields, optional_date, resolve_owner, start_deal
from bpmn_sales.services.leads.views import lead_view
from bpmn_sales.services.people.preferences import company_preferences
from bpmn_sales.services.processes import choice
from bpmn_sales.tasks import completion

REVIEW_TASK = "Activity_ReviewLead"
RENEW_MESSAGE = "lead_renewed"


def _lead_data(lead: Lead) -> dict[str, Any]:
    return {
        "name": lead.name,
        "company": lead.company,
        "email": lead.email,
        "phone": lead.phone,
        # Money goes into the instance as exact text, never through float.
        "estimated_value": str(lead.estimated_value) if lead.estimated_value else None,
        "currency": lead.currency,
    }


def apply_step(
    ctx: Context,
    store: Store,
    actor: Actor,
    lead: Lead,
    instance: Instance,
    action: str,
    detail: dict[str, Any] | None = None,
    terms: dict[str, Any] | None = None,
) -> None:
    """Store state and projections; a lead that reached 'qualified' opens its deal here, on
    `terms` (value, currency, expected close date) where given, else the lead's."""
    snap = instance.snapshot()
    before = lead.status
    values = _step_values(ctx, snap)
    status = values["status"]
    common.save_step(ctx, store, lead, instance, values)
    common.project_work_items(ctx, store, lead, snap, instance)
    store.record(
        "lead",
        lead.id,
        ctx.clock(),
        actor.id,
        action,
        from_status=before if action != "created" else None,
        to_status=status,
        detail=detail,
    )
    if status == LeadStatus.QUALIFIED and lead.deal_id is None:
        _open_deal(ctx, store, actor, lead, snap.data.get("opportunity") or {}, terms or {})


def _step_values(ctx: Context, snap: Snapshot) -> dict[str, Any]:
    """The lead row's values after a step: the status its process gives it, and why it was
    disqualified."""
    status = snap.state_properties.get("lead_status")
    if status not in {s.value for s in LeadStatus}:
        raise InvalidState(
            _("the lead process left the lead in an unknown status %(status)s", status=repr(status))
        )
    values: dict[str, Any] = {"status": status, "updated_at": ctx.clock()}
    if status == LeadStatus.DISQUALIFIED:
        values["disqualify_reason"] = (snap.data.get("disqualification") or {}).get("reason")
    elif status == LeadStatus.NEW:
        values["disqualify_reason"] = None
    return values


def _open_deal(
    ctx: Context,
    store: Store,
    actor: Actor,
    lead: Lead,
    proposal: dict[str, Any],
    terms: dict[str, Any],
) -> None:
    """The qualified lead's deal: the proposal's name and customer, the terms (or the lead's
    value and currency), and the lead's person as the customer's first contact."""
    fields = deal_fields(
        proposal.get("name") or lead.name,
        proposal.get("customer"),
        terms["value"] if terms.get("value") is not None else proposal.get("value"),
        terms.get("currency") or lead.currency,
        terms.get("expected_close_date"),
    )
    owner = store.get(User, lead.owner_id, "user")
    deal = start_deal(
        ctx,
        store,
        actor,
        owner,
        fields,
        lead_id=lead.id,
        detail={"source": "lead", "lead_id": lead.id},
    )
    lead.deal_id = deal.id
    known = {c.name.casefold() for c in store.contacts(deal.customer_id)}
    if deal.customer_id is not None and lead.name.casefold() not in known:
        now = ctx.clock()
        store.add(
            Contact(
                customer_id=deal.customer_id,
                name=lead.name,
                email=lead.email,
                phone=lead.phone,
                created_at=now,
            )
        )
        store.record(
            "deal",
            deal.id,
            now,
            actor.id,
            "contact_added",
            to_stage=deal.stage_key,
            from_status=deal.status,
            to_status=deal.status,
            detail={"contact": lead.name, "lead_id": lead.id},
        )


def lead_fields(
    name: object,
    company: object = None,
    email: object = None,
    phone: object = None,
    estimated_value: object = None,
    currency_code: object = None,
    default_currency: str = "USD",
) -> dict[str, Any]:
    """The checked fields of a new lead; every bad one refused at once."""
    return every_field(
        {
            "name": lambda: required_text(name, "name"),
            "company": lambda: optional_text(company, "company"),
            "email": lambda: optional_email(email),
            "phone": lambda: optional_text(phone, "phone", 50),
            "estimated_value": lambda: money(estimated_value, "estimated_value"),
            "currency": lambda: currency(currency_code, default_currency),
        }
    )


def create_lead(
    ctx: Context,
    actor: Actor,
    name: object,
    company: object = None,
    email: object = None,
    phone: object = None,
    estimated_value: object = None,
    owner: str | None = None,
    currency_code: object = None,
) -> LeadView:
    """Create a lead and start its qualification process (in the company's currency unless
    `currency_code` names another)."""
    fields = lead_fields(
        name,
        company,
        email,
        phone,
        estimated_value,
        currency_code,
        company_preferences(ctx).currency,
    )
    lead_name = fields.pop("name")
    with ctx.uow() as store:
        owner_user = resolve_owner(store, actor, owner)
        version = choice.version_for(ctx, store, owner_user, "lead")
        lead = add_lead(ctx, store, actor, owner_user, version, lead_name, fields)
        store.commit()
        return lead_view(ctx, store, lead)


def add_lead(
    ctx: Context,
    store: Store,
    actor: Actor,
    owner: User,
    version: ProcessVersion,
    name: str,
    fields: dict[str, Any],
    *,
    external_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Lead:
    """Create a lead row of checked fields and start its process, in the caller's transaction."""
    lead, instance = new_lead(ctx, store, owner, version, name, fields, external_id=external_id)
    store.flush()
    apply_step(ctx, store, actor, lead, instance, "created", detail)
    return lead


def new_lead(
    ctx: Context,
    store: Store,
    owner: User,
    version: ProcessVersion,
    name: str,
    fields: dict[str, Any],
    *,
    external_id: str | None = None,
    add: bool = True,
) -> tuple[Lead, Instance]:
    """A lead row (added to the session unless not `add`, not yet flushed) and its started
    process, whose first step `apply_step` takes (`new_leads` writes many at once)."""
    now = ctx.clock()
    lead = Lead(
        name=name,
        status=LeadStatus.NEW,
        owner_id=owner.id,
        process_version_id=version.id,
        external_id=external_id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    key, loader = common.spec_loader(store, version)
    instance = ctx.engine.start(key, loader, {"lead": _lead_data(lead)})
    if add:
        store.add(lead)
    return lead, instance


@dataclass(frozen=True)
class NewLead:
    """A lead to create among many (`new_leads`): its owner, process, checked fields and the
    detail of its history's first entry."""

    owner: User
    version: ProcessVersion
    name: str
    fields: dict[str, Any]
    external_id: str | None = None
    detail: dict[str, Any] | None = None


# A new lead's row version once its first step is written: 1 as inserted, 2 after the step.
FIRST_STEP_VERSION = 2
LEAD_COLUMNS = (
    "name",
    "company",
    "email",
    "phone",
    "estimated_value",
    "currency",
    "owner_id",
    "process_version_id",
    "external_id",
    "created_at",
)


def new_leads(ctx: Context, store: Store, actor: Actor, wanted: Sequence[NewLead]) -> list[int]:
    """Create many leads in the caller's transaction, each as `add_lead` would (its process
    started, its first step 'created' taken, its tasks and history), in a constant number of
    statements: each lead's row is inserted with its values after that step (no UPDATE per
    row), then the leads' tasks, timers and history entries are written table by table."""
    started: list[tuple[Lead, Instance, Snapshot, dict[str, Any]]] = []
    rows: list[dict[str, Any]] = []
    for item in wanted:
        lead, instance = new_lead(
            ctx,
            store,
            item.owner,
            item.version,
            item.name,
            item.fields,
            external_id=item.external_id,
            add=False,
        )
        snap = instance.snapshot()
        values = _step_values(ctx, snap)
        saved = ctx.engine.save(instance)  # a new instance's first save: a whole snapshot
        assert saved.snapshot is not None
        values.setdefault("disqualify_reason", None)  # every row the same columns
        values.update(
            state_version=FIRST_STEP_VERSION,
            instance_version=FIRST_STEP_VERSION,
            version=FIRST_STEP_VERSION,
        )
        lead_row = {c: getattr(lead, c) for c in LEAD_COLUMNS}
        rows.append({**lead_row, **values, "state": saved.snapshot})
        started.append((lead, instance, snap, values))
    ids = store.insert_leads(rows)
    with store.batched():
        for lead_id, item, (lead, instance, snap, values) in zip(ids, wanted, started, strict=True):
            lead.id = lead_id
            for name, value in values.items():
                setattr(lead, name, value)
            common.keep_live(ctx, store, lead, instance)
            common.project_work_items(ctx, store, lead, snap, instance)
            store.record(
                "lead",
                lead_id,
                ctx.clock(),
                actor.id,
                "created",
                to_status=values["status"],
                detail=item.detail,
            )
    for lead_id, (_lead, _instance, snap, values) in zip(ids, started, strict=True):
        if values["status"] == LeadStatus.QUALIFIED:  # a process that qualifies at once
            stored = store.get(Lead, lead_id, "lead")
            _open_deal(ctx, store, actor, stored, snap.data.get("opportunity") or {}, {})
    return ids


def _load(store: Store, actor: Actor, lead_id: int, expected_version: int | None) -> Lead:
    lead = store.get(Lead, lead_id, "lead")
    common.require_subject_access(store, actor, lead)
    common.check_version(lead, expected_version)
    return lead


def _may_complete(store: Store, actor: Actor, lead: Lead, rule: ActivityRule, task_id: str) -> None:
    """Refuse an actor the task's `completed_by` does not name (admins may always)."""
    if "anyone" in rule.completed_by:
        return
    groups = set(store.groups_of(actor.id).values())
    reason = completion.refusal(rule, actor, common.party_of(store, lead), groups)
    if reason is not None:
        raise Forbidden(reason, task_id=task_id)


def _review(
    ctx: Context,
    store: Store,
    actor: Actor,
    lead: Lead,
    decision: dict[str, Any],
    action: str,
    terms: dict[str, Any] | None = None,
) -> None:
    if lead.status != LeadStatus.NEW:
        raise InvalidState(
            (
                _(
                    "lead %(lead)s is %(status)s; only a new lead can be qualified",
                    lead=lead.id,
                    status=lead.status,
                )
                if action == "qualified"
                else _(
                    "lead %(lead)s is %(status)s; only a new lead can be disqualified",
                    lead=lead.id,
                    status=lead.status,
                )
            ),
            status=lead.status,
        )
    instance = common.restore(ctx, store, lead)
    ready = [t for t in instance.ready_tasks() if t.task_spec.bpmn_id == REVIEW_TASK]
    if not ready:
        raise InvalidState(
            _("lead %(lead)s has no ready '%(task)s' task", lead=lead.id, task=REVIEW_TASK)
        )
    _may_complete(store, actor, lead, instance.work_item(ready[0]).rule, str(ready[0].id))
    instance.complete(str(ready[0].id), decision)
    apply_step(ctx, store, actor, lead, instance, action, decision, terms)


def qualify_lead(
    ctx: Context,
    actor: Actor,
    lead_id: int,
    expected_version: int | None = None,
    *,
    value: object = None,
    currency_code: object = None,
    expected_close_date: object = None,
) -> LeadView:
    """Qualify a new lead: its process opens an opportunity, linked to the lead, worth `value`
    in `currency_code` (the lead's estimate and currency when not given), expected to close on
    `expected_close_date`; the lead's person becomes the customer's first contact."""
    terms = {
        "value": money(value, "value"),
        "currency": currency(currency_code, "") or None,
        "expected_close_date": optional_date(expected_close_date, "expected_close_date"),
    }
    with ctx.uow() as store:
        lead = _load(store, actor, lead_id, expected_version)
        _review(ctx, store, actor, lead, {"decision": "qualify"}, "qualified", terms)
        store.commit()
        return lead_view(ctx, store, lead)


def disqualify_lead(
    ctx: Context,
    actor: Actor,
    lead_id: int,
    reason: str | None,
    expected_version: int | None = None,
) -> LeadView:
    """Disqualify a new lead with a reason."""
    with ctx.uow() as store:
        lead = _load(store, actor, lead_id, expected_version)
        decision = {"decision": "disqualify", "disqualify_reason": reason}
        _review(ctx, store, actor, lead, decision, "disqualified")
        store.commit()
        return lead_view(ctx, store, lead)


def renew_lead(
    ctx: Context, actor: Actor, lead_id: int, expected_version: int | None = None
) -> LeadView:
    """Set a disqualified lead back to New: qualification runs again."""
    with ctx.uow() as store:
        lead = _load(store, actor, lead_id, expected_version)
        if lead.status != LeadStatus.DISQUALIFIED:
            raise InvalidState(
                _(
                    "lead %(lead)s is %(status)s; only a disqualified lead can be renewed",
                    lead=lead_id,
                    status=lead.status,
                ),
                status=lead.status,
            )
        instance = common.restore(ctx, store, lead)
        instance.send_message(RENEW_MESSAGE, {"by": actor.username})
        apply_step(ctx, store, actor, lead, instance, "renewed")
        store.commit()
        return lead_view(ctx, store, lead)


def set_lead_status(
    ctx: Context,
    actor: Actor,
    lead_id: int,
    status: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> LeadView:
    """Edit a lead's status the OroCRM way: each change runs the matching transition."""
    if status == LeadStatus.QUALIFIED:
        return qualify_lead(ctx, actor, lead_id, expected_version)
    if status == LeadStatus.DISQUALIFIED:
        return disqualify_lead(ctx, actor, lead_id, reason, expected_version)
    if status == LeadStatus.NEW:
        return renew_lead(ctx, actor, lead_id, expected_version)
    raise InvalidInput(
        _("status must be new, qualified or disqualified, not %(status)s", status=repr(status)),
        field="status",
    )


def complete_lead_task(
    ctx: Context, store: Store, actor: Actor, lead: Lead, task_id: str, data: dict[str, Any]
) -> None:
    instance = common.restore(ctx, store, lead)
    item = instance.work_item(instance.find_ready(task_id))
    _may_complete(store, actor, lead, item.rule, task_id)
    if item.element_id == REVIEW_TASK and data.get("decision") not in ("qualify", "disqualify"):
        raise InvalidInput(
            _("decision must be 'qualify' or 'disqualify' to complete the lead review"),
            field="data.decision",
        )
    instance.complete(task_id, data)
    apply_step(
        ctx,
        store,
        actor,
        lead,
        instance,
        "task_completed",
        {"task": item.title, "element_id": item.element_id},
    )
