"""The approvals inbox: the approval tasks a manager (or an admin) may decide."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, Role, TaskView, money_out
from bpmn_sales.domain.paging import DEFAULT_LIMIT, Page, checked_limit, decode_cursor
from bpmn_sales.errors import Forbidden
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import WorkItem
from bpmn_sales.persistence.queries.worklist import TASK_SORTS
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common


@dataclass(frozen=True)
class ApprovalRequest:
    """An approval waiting for a decision: on which deal and stage, asked by whom, since when."""

    task: TaskView
    deal_id: int
    deal_name: str
    customer: str | None
    value: Decimal
    currency: str
    stage: str | None
    stage_name: str | None
    asked_by: str | None
    asked_at: datetime

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            task=self.task.to_dict(),
            value=money_out(self.value),
            asked_at=self.asked_at.isoformat(),
        )
        return data


def approval_inbox(
    ctx: Context, actor: Actor, *, cursor: str | None = None, limit: int | None = DEFAULT_LIMIT
) -> Page[ApprovalRequest]:
    """A page of the approval tasks assigned to the manager (every one for an admin), oldest
    first."""
    if actor.role not in (Role.MANAGER, Role.ADMIN):
        raise Forbidden(_("only managers and admins decide approvals"), actor=actor.username)
    size = checked_limit(limit)
    at = decode_cursor(cursor, TASK_SORTS[0].name)
    with ctx.uow() as store:
        elements = approval_elements(ctx, store)
        page = store.approval_page(None if actor.is_admin else actor.id, elements, at, size)
        return page.map(lambda items: _requests(ctx, store, items))


def approval_elements(ctx: Context, store: Store) -> list[str]:
    """The element ids of every deployed version's approval tasks (from the cached rules)."""
    found: set[str] = set()
    for version_id in store.all_version_ids():
        tasks = common.info_for(ctx, store, version_id).rules.tasks
        found.update(element for element, rule in tasks.items() if rule.approval)
    return sorted(found)


def _requests(ctx: Context, store: Store, items: Sequence[WorkItem]) -> list[ApprovalRequest]:
    deals = store.deals_by_id(i.subject_id for i in items)
    known = {("deal", d.id): (d.name, d.process_version_id) for d in deals.values()}
    found = []
    for item, view in zip(items, common.task_views(ctx, store, items, known), strict=True):
        deal = deals[item.subject_id]
        rules = common.rules_for(ctx, store, deal)
        stage = next((s for s in rules.stages if s.key == item.stage_key), None)
        found.append(
            ApprovalRequest(
                task=view,
                deal_id=deal.id,
                deal_name=deal.name,
                customer=deal.customer,
                value=deal.value,
                currency=deal.currency,
                stage=item.stage_key,
                stage_name=stage.name if stage else item.stage_key,
                asked_by=view.owner,
                asked_at=item.created_at,
            )
        )
    return found
