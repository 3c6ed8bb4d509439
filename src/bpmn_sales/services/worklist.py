"""Use cases on tasks across leads and deals: list them, complete one."""

from __future__ import annotations

from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, TaskView, form_data
from bpmn_sales.domain.policy import require_access
from bpmn_sales.errors import InvalidInput, NotFound
from bpmn_sales.persistence.models import Deal
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
        found = store.work_item_with_subject(task_id)
        if found is None:
            raise NotFound(f"task '{task_id}' is not a ready task", task_id=task_id)
        item, subject, owner = found
        require_access(actor, owner.id, owner.manager_id, f"{item.subject_type} {subject.id}")
        common.check_version(subject, expected_version)
        view = TaskView(
            task_id=item.task_id,
            element_id=item.element_id,
            title=item.title,
            lane=item.lane,
            role=item.role,
            stage=item.stage_key,
            subject_type=item.subject_type,
            subject_id=item.subject_id,
            subject_name=subject.name,
            owner=owner.username,
        )
        if isinstance(subject, Deal):
            complete_deal_task(ctx, store, actor, subject, task_id, form)
        else:
            complete_lead_task(ctx, store, actor, subject, task_id, form)
        store.commit()
    return view
