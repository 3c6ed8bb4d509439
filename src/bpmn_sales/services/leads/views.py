"""What a lead looks like to readers: its view, one lead, a page of the list, its history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, HistoryView, LeadStatus, LeadView, TaskView, money
from bpmn_sales.domain.paging import DEFAULT_LIMIT, Page, checked_limit, decode_cursor
from bpmn_sales.domain.search import query_words
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Lead
from bpmn_sales.persistence.queries.subjects import LEAD_SORTS, LeadFilters
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common

SORTS = tuple(LEAD_SORTS)


def lead_views(ctx: Context, store: Store, leads: Sequence[Lead]) -> list[LeadView]:
    """Views of many leads in a constant number of queries (owners, versions, tasks)."""
    owners = store.usernames(lead.owner_id for lead in leads)
    versions = store.version_labels(lead.process_version_id for lead in leads)
    items = store.work_items_of("lead", [lead.id for lead in leads])
    known = {("lead", lead.id): (lead.name, lead.process_version_id) for lead in leads}
    tasks: dict[int, list[TaskView]] = {}
    for item, task in zip(items, common.task_views(ctx, store, items, known), strict=True):
        tasks.setdefault(item.subject_id, []).append(task)
    views = []
    for lead in leads:
        key, number, process_name = versions.get(lead.process_version_id, ("", 0, ""))
        views.append(
            LeadView(
                id=lead.id,
                name=lead.name,
                company=lead.company,
                email=lead.email,
                phone=lead.phone,
                estimated_value=lead.estimated_value,
                currency=lead.currency,
                status=lead.status,
                owner=owners.get(lead.owner_id, ""),
                process=f"{key} v{number}",
                process_name=process_name,
                process_version=number,
                disqualify_reason=lead.disqualify_reason,
                deal_id=lead.deal_id,
                version=lead.version,
                created_at=lead.created_at,
                tasks=tasks.get(lead.id, []),
            )
        )
    return views


def lead_view(ctx: Context, store: Store, lead: Lead) -> LeadView:
    [view] = lead_views(ctx, store, [lead])
    return view


def get_lead(ctx: Context, actor: Actor, lead_id: int) -> LeadView:
    with ctx.uow() as store:
        lead = store.get(Lead, lead_id, "lead")
        common.require_subject_access(store, actor, lead)
        return lead_view(ctx, store, lead)


def list_leads(
    ctx: Context,
    actor: Actor,
    status: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
    owner: str | None = None,
    *,
    process: str | None = None,
    q: str | None = None,
    value_min: object = None,
    value_max: object = None,
    sort: str | None = None,
    cursor: str | None = None,
) -> Page[LeadView]:
    """A page of the leads the actor may see: filtered by status, owner, process, words of the
    name or company and estimated value; newest first or as `sort` says."""
    if status is not None and status not in {s.value for s in LeadStatus}:
        raise InvalidInput(
            _("status must be new, qualified or disqualified, not %(status)s", status=repr(status)),
            field="status",
        )
    order = sort or SORTS[0]
    if order not in SORTS:
        raise InvalidInput(
            _(
                "sort must be one of %(known)s, not %(sort)s",
                known=", ".join(SORTS),
                sort=repr(order),
            ),
            field="sort",
        )
    size = checked_limit(limit)
    filters = LeadFilters(
        status=status or None,
        process_key=process or None,
        words=tuple(query_words(q)),
        value_min=money(value_min, "value_min"),
        value_max=money(value_max, "value_max"),
    )
    at = decode_cursor(cursor, LEAD_SORTS[order].name)
    with ctx.uow() as store:
        filters = replace(
            filters,
            owner_ids=common.visible_owner_ids(store, actor),
            owner_id=common.owner_filter(store, owner),
        )
        page = store.lead_page(filters, order, at, size)
        return page.map(lambda leads: lead_views(ctx, store, leads))


def lead_history(
    ctx: Context,
    actor: Actor,
    lead_id: int,
    *,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[HistoryView]:
    """A page of the lead's history, oldest first (or newest first)."""
    with ctx.uow() as store:
        return common.history_page(store, actor, "lead", lead_id, sort, cursor, limit)
