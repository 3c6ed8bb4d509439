"""Use cases on tasks across leads and deals: list, claim and complete them (follow-ups too)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, TaskView, form_data
from bpmn_sales.domain.paging import DEFAULT_LIMIT, Page, checked_limit, decode_cursor
from bpmn_sales.domain.policy import can_access
from bpmn_sales.errors import Forbidden, InvalidInput, InvalidState, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Deal, FollowUp, Lead, WorkItem
from bpmn_sales.persistence.queries.worklist import TASK_SORTS, TaskReader
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals import records
from bpmn_sales.services.deals.activities import complete_deal_task
from bpmn_sales.services.leads.lifecycle import complete_lead_task
from bpmn_sales.services.worklist import follow_ups, forms

SCOPES = ("all", "mine", "groups")


def list_tasks(
    ctx: Context,
    actor: Actor,
    role: str | None = None,
    *,
    scope: str | None = None,
    cursor: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> Page[TaskView]:
    """A page of the ready tasks and open follow-ups on the records the actor may see or that
    are assigned to it or its groups, grouped by due (overdue, today, upcoming, no due time);
    each view names its group (`due`).

    `scope` narrows it to the tasks page's tabs: mine, or my groups'.
    """
    if role is not None and role not in ("rep", "manager", "admin"):
        raise InvalidInput(
            _("role must be rep, manager or admin, not %(role)s", role=repr(role)), field="role"
        )
    tab = scope or "all"
    if tab not in SCOPES:
        raise InvalidInput(
            _("scope must be all, mine or groups, not %(scope)s", scope=repr(tab)), field="scope"
        )
    size = checked_limit(limit)
    at = decode_cursor(cursor, TASK_SORTS[0].name)
    due = common.due_bounds(ctx.clock())
    with ctx.uow() as store:
        page = store.task_page(task_reader(store, actor, role, tab), due, at, size)
        return page.map(
            lambda rows: [
                replace(view, due=due.group(view.due_at, view.due_on))
                for view in task_list_views(ctx, store, rows)
            ]
        )


def task_reader(store: Store, actor: Actor, role: str | None, scope: str) -> TaskReader:
    owners = common.visible_owner_ids(store, actor)
    return TaskReader(actor.id, owners, list(store.groups_of(actor.id)), role, scope)


def count_tasks(ctx: Context, actor: Actor, scope: str) -> int:
    """How many tasks one of the actor's task lists holds (counted up to COUNT_CAP + 1)."""
    with ctx.uow() as store:
        return store.task_count(task_reader(store, actor, None, scope))


def task_list_views(
    ctx: Context, store: Store, rows: Sequence[WorkItem | FollowUp]
) -> list[TaskView]:
    """Views of a page of work items and follow-ups, each kind read in bulk."""
    items = [r for r in rows if isinstance(r, WorkItem)]
    pending = [r for r in rows if isinstance(r, FollowUp)]
    views = {id(i): v for i, v in zip(items, common.task_views(ctx, store, items), strict=True)}
    views.update(
        (id(f), v) for f, v in zip(pending, follow_ups.follow_up_views(store, pending), strict=True)
    )
    return [views[id(r)] for r in rows]


def complete_task(
    ctx: Context,
    actor: Actor,
    task_id: str,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
    note: str | None = None,
    attachment_ids: list[int] | None = None,
    files: list[tuple[str, bytes]] | None = None,
) -> TaskView:
    """Complete a ready user task of a lead or deal with form data; return the task done.

    `files` (name, content) are stored on the deal in the same transaction, so a refused
    completion leaves no file behind.
    """
    follow_up = follow_ups.FOLLOW_UP_ID.match(task_id)
    if follow_up:
        return follow_ups.complete_follow_up(ctx, actor, int(follow_up[1]))
    form = form_data(data)
    if note is not None and not isinstance(note, str):
        raise InvalidInput(_("note must be text"), field="note")
    with ctx.uow() as store:
        found = store.work_item_with_subject(task_id)
        if found is None:
            raise NotFound(_("task '%(task)s' is not a ready task", task=task_id), task_id=task_id)
        item, subject, owner = found
        rule = common.task_rule(ctx, store, subject.process_version_id, item.element_id)
        if not forms.may_act(store, actor, item, owner, rule):
            # Someone else's task, on a record they may not see: as if there were none.
            raise NotFound(_("task '%(task)s' is not a ready task", task=task_id), task_id=task_id)
        schema, _form = forms.form_of(store, subject.process_version_id, rule)
        forms.check_data(schema, form, item.title)
        common.check_version(subject, expected_version)
        assignee = store.usernames([item.assignee_id]).get(item.assignee_id or 0)
        stage = common.stage_name(ctx, store, subject.process_version_id, item.stage_key)
        view = common.task_view(item, subject.name, owner.username, assignee, rule, None, stage)
        if isinstance(subject, Deal):
            ids = list(attachment_ids or [])
            for name, content in files or []:
                ids.append(records.store_attachment(ctx, store, actor, subject, name, content).id)
            told = complete_deal_task(ctx, store, actor, subject, task_id, form, note, ids or None)
            view = replace(view, approval_waits_for=tuple(told))
        elif files:
            raise InvalidInput(_("files can be added to deals only"), field="file")
        else:
            complete_lead_task(ctx, store, actor, subject, task_id, form)
        store.commit()
    return view


def _claimable(
    store: Store, actor: Actor, title: str, group_id: int | None, assignee_id: int | None
) -> str:
    """The group's name when the actor may claim the task; refuse naming why not."""
    if group_id is None:
        raise InvalidState(
            _("'%(title)s' is not a group task; there is nothing to claim", title=title)
        )
    group = store.group_names([group_id]).get(group_id, "?")
    if group_id not in store.groups_of(actor.id):
        raise Forbidden(
            _(
                "%(user)s is not a member of group %(group)s, so may not claim '%(title)s'",
                user=actor.username,
                group=group,
                title=title,
            ),
            actor=actor.username,
        )
    if assignee_id is not None:
        if assignee_id == actor.id:
            raise InvalidState(_("'%(title)s' is already claimed by you", title=title))
        who = store.usernames([assignee_id]).get(assignee_id)
        raise InvalidState(_("'%(title)s' is already claimed by %(who)s", title=title, who=who))
    return group


def _require_visible(
    store: Store, actor: Actor, task_id: str, group_id: int | None, subject: Deal | Lead
) -> None:
    """A task neither offered to the actor's groups nor on a record they see: as if missing."""
    owner = common.owner_of(store, subject)
    if group_id not in store.groups_of(actor.id) and not can_access(
        actor, owner.id, owner.manager_id
    ):
        raise NotFound(_("task '%(task)s' is not a ready task", task=task_id), task_id=task_id)


def claim_task(ctx: Context, actor: Actor, task_id: str) -> TaskView:
    """Take a ready task assigned to one of the actor's groups: it becomes the actor's."""
    follow_up_id = follow_ups.FOLLOW_UP_ID.match(task_id)
    with ctx.uow() as store:
        if follow_up_id:
            follow_up = store.session.get(FollowUp, int(follow_up_id[1]))
            if follow_up is None or follow_up.done_at is not None:
                raise NotFound(
                    _("task '%(task)s' is not an open follow-up", task=task_id), task_id=task_id
                )
            subject: Deal | Lead = store.get(Deal, follow_up.deal_id, "deal")
            title, kind = follow_up.title, "deal"
            _require_visible(store, actor, task_id, follow_up.group_id, subject)
            group = _claimable(store, actor, title, follow_up.group_id, follow_up.assignee_id)
            claimed = store.claim_follow_up(follow_up.id, actor.id)
        else:
            found = store.work_item_with_subject(task_id)
            if found is None:
                raise NotFound(
                    _("task '%(task)s' is not a ready task", task=task_id), task_id=task_id
                )
            item, subject, _group = found
            title, kind = item.title, item.subject_type
            _require_visible(store, actor, task_id, item.group_id, subject)
            group = _claimable(store, actor, title, item.group_id, item.assignee_id)
            claimed = store.claim_work_item(task_id, actor.id)
        if not claimed:  # someone else claimed it between our read and our write
            raise InvalidState(_("'%(title)s' was just claimed by someone else", title=title))
        store.record(
            kind,
            subject.id,
            ctx.clock(),
            actor.id,
            "task_claimed",
            to_stage=subject.stage_key if isinstance(subject, Deal) else None,
            from_status=subject.status,
            to_status=subject.status,
            detail={"task": title, "task_id": task_id, "group": group},
        )
        store.flush()
        if follow_up_id:
            assert isinstance(subject, Deal) and follow_up is not None
            names = store.usernames([actor.id, subject.owner_id])
            view = follow_ups.follow_up_view(store, follow_up, subject, names)
        else:
            [view] = common.task_views(ctx, store, [item])
        store.commit()
        return view
