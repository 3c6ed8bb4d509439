"""The approvals inbox: the approval tasks a manager (or an admin) may decide."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, Role, TaskView, money_out
from bpmn_sales.errors import Forbidden
from bpmn_sales.persistence.models import Deal
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


def approval_inbox(ctx: Context, actor: Actor) -> list[ApprovalRequest]:
    """Approval tasks assigned to the manager (every one for an admin), oldest first."""
    if actor.role not in (Role.MANAGER, Role.ADMIN):
        raise Forbidden("only managers and admins decide approvals", actor=actor.username)
    with ctx.uow() as store:
        items = store.approval_work_items(None if actor.is_admin else actor.id)
        found = []
        for item, view in zip(items, common.task_views(ctx, store, list(items)), strict=True):
            if view.kind != "approval" or item.subject_type != "deal":
                continue
            deal = store.get(Deal, item.subject_id, "deal")
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
