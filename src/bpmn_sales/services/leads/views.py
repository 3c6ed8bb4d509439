"""What a lead looks like to readers: its view, one lead, the list, its history."""

from __future__ import annotations

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, HistoryView, LeadStatus, LeadView
from bpmn_sales.errors import InvalidInput
from bpmn_sales.persistence.models import Lead, ProcessVersion, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common

MAX_LIMIT = 500


def lead_view(ctx: Context, store: Store, lead: Lead) -> LeadView:
    owner = store.get(User, lead.owner_id, "user")
    pv = store.get(ProcessVersion, lead.process_version_id, "process version")
    return LeadView(
        id=lead.id,
        name=lead.name,
        company=lead.company,
        email=lead.email,
        phone=lead.phone,
        estimated_value=lead.estimated_value,
        status=lead.status,
        owner=owner.username,
        process=f"{pv.process.key} v{pv.version}",
        disqualify_reason=lead.disqualify_reason,
        deal_id=lead.deal_id,
        version=lead.version,
        created_at=lead.created_at,
        tasks=common.subject_tasks(ctx, store, lead),
    )


def get_lead(ctx: Context, actor: Actor, lead_id: int) -> LeadView:
    with ctx.uow() as store:
        lead = store.get(Lead, lead_id, "lead")
        common.require_subject_access(store, actor, lead)
        return lead_view(ctx, store, lead)


def list_leads(
    ctx: Context,
    actor: Actor,
    status: str | None = None,
    limit: int = 100,
    owner: str | None = None,
) -> list[LeadView]:
    """The leads the actor may see, filtered by status and owner."""
    if status is not None and status not in {s.value for s in LeadStatus}:
        raise InvalidInput(
            f"status must be new, qualified or disqualified, not {status!r}", field="status"
        )
    with ctx.uow() as store:
        owners = common.visible_owner_ids(store, actor)
        owner_id = common.owner_filter(store, owner)
        leads = store.lead_list(owners, status, owner_id, max(1, min(limit, MAX_LIMIT)))
        return [lead_view(ctx, store, lead) for lead in leads]


def lead_history(ctx: Context, actor: Actor, lead_id: int) -> list[HistoryView]:
    with ctx.uow() as store:
        return common.history_for(ctx, store, actor, "lead", lead_id)
