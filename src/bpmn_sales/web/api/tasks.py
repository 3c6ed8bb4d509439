"""Tasks over HTTP: the work list, a task's form, claiming and completing a task."""

from __future__ import annotations

from typing import Any

from bpmn_sales.services import worklist
from bpmn_sales.web.api.base import actor, ctx, expected_version
from bpmn_sales.web.api.operation import get, post
from bpmn_sales.web.api.paging import page_of, paged
from bpmn_sales.web.schemas.tasks import CompleteTask, Task, TaskForm, TaskListQuery

TASK_ID = {"task_id": {"description": "A ready task's id, or follow-up-N"}}


@get("/tasks", query=TaskListQuery, responses={200: page_of(list[Task])})
def list_tasks(query: TaskListQuery) -> Any:
    """Ready tasks on visible leads and deals, assigned tasks, then open follow-ups.

    A page at a time: oldest tasks first, then follow-ups by due date; paging headers as for
    deals. `scope` gives the tasks page's tabs (mine, groups).
    """
    found = worklist.list_tasks(
        ctx(), actor(), query.role, scope=query.scope, cursor=query.cursor, limit=query.limit
    )
    return paged(found, [t.to_dict() for t in found])


@post(
    "/tasks/<task_id>/complete",
    body=CompleteTask,
    path=TASK_ID,
    responses={200: Task},
    errors=(403, 409, 422),
)
def complete_task(task_id: str, body: CompleteTask) -> Any:
    """Complete a ready task or a follow-up (task_id follow-up-N)."""
    view = worklist.complete_task(
        ctx(),
        actor(),
        task_id,
        body.data,
        expected_version(body.version),
        body.note,
        body.attachment_ids,
    )
    return view.to_dict()


@post("/tasks/<task_id>/claim", path=TASK_ID, responses={200: Task}, errors=(403, 409))
def claim_task(task_id: str) -> Any:
    """Claim a ready task assigned to one of your groups: it becomes yours."""
    return worklist.claim_task(ctx(), actor(), task_id).to_dict()


@get("/tasks/<task_id>/form", path=TASK_ID, responses={200: TaskForm}, errors=(403,))
def get_task_form(task_id: str) -> Any:
    """A ready task with its form.

    The JSON Schema and UI schema its user task names (formJsonSchemaFilename,
    formUiSchemaFilename), null when it has none.
    """
    return worklist.task_form(ctx(), actor(), task_id).to_dict()
