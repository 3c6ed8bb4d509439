"""Use cases on tasks across leads and deals: list them, complete one."""

from __future__ import annotations

from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, TaskView, form_data
from bpmn_sales.errors import InvalidInput
from bpmn_sales.persistence.models import Deal, Lead
from bpmn_sales.services import common
from bpmn_sales.services.deals import complete_deal_task
from bpmn_sales.services.leads import complete_lead_task


def list_tasks(ctx: Context, actor: Actor, role: str | None = None) -> list[TaskView]:
    """Ready tasks on the records the actor may see, optionally only one role's."""
    if role is not None and role not in ("rep", "manager"):
        raise InvalidInput(f"role must be rep or manager, not {role!r}", field="role")
    with ctx.uow() as store:
        owners = common.visible_owner_ids(store, actor)
        return common.task_views(store, list(store.work_items(owners, role)))


def complete_task(
    ctx: Context,
    actor: Actor,
    task_id: str,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> TaskView:
    """Complete a ready user task of a lead or deal with form data; return the task done."""
    form = form_data(data)
    with ctx.uow() as store:
        item = common.find_work_item(store, task_id)
        view = common.task_views(store, [item])[0]
        if item.subject_type == "deal":
            deal = store.get(Deal, item.subject_id, "deal")
            common.require_subject_access(store, actor, deal)
            common.check_version(deal, expected_version)
            complete_deal_task(ctx, store, actor, deal, task_id, form)
        else:
            lead = store.get(Lead, item.subject_id, "lead")
            common.require_subject_access(store, actor, lead)
            common.check_version(lead, expected_version)
            complete_lead_task(ctx, store, actor, lead, task_id, form)
        store.commit()
    return view
