"""Follow-up tasks a completed activity created: how they look on a task list, completing one."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, TaskView
from bpmn_sales.domain.policy import can_access
from bpmn_sales.errors import InvalidState, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Deal, FollowUp, Group, User
from bpmn_sales.persistence.store import Store

FOLLOW_UP_ID = re.compile(r"^follow-up-(\d{1,18})$")


def follow_up_view(
    store: Store, follow_up: FollowUp, deal: Deal, names: dict[int, str]
) -> TaskView:
    group = store.session.get(Group, follow_up.group_id) if follow_up.group_id else None
    return _view(follow_up, deal, names, group.name if group else None)


def _view(follow_up: FollowUp, deal: Deal, names: dict[int, str], group: str | None) -> TaskView:
    return TaskView(
        task_id=f"follow-up-{follow_up.id}",
        element_id=follow_up.source_element_id,
        title=follow_up.title,
        lane=None,
        role="rep",
        stage=deal.stage_key,
        subject_type="deal",
        subject_id=deal.id,
        subject_name=deal.name,
        owner=names.get(deal.owner_id),
        kind="follow_up",
        assignee=(
            names.get(follow_up.assignee_id)
            if follow_up.assignee_id
            else (f"group:{group}" if group else None)
        ),
        due_on=follow_up.due_on,
        group=group,
        stage_name=deal.stage_name,
    )


def follow_up_views(store: Store, pending: Sequence[FollowUp]) -> list[TaskView]:
    """Views of many follow-ups: their deals, groups and people read in bulk."""
    if not pending:
        return []
    deals = store.deals_by_id({f.deal_id for f in pending})
    groups = store.group_names({f.group_id for f in pending if f.group_id is not None})
    names = store.usernames([f.assignee_id for f in pending] + [d.owner_id for d in deals.values()])
    return [_view(f, deals[f.deal_id], names, groups.get(f.group_id or 0)) for f in pending]


def may_see(store: Store, actor: Actor, follow_up: FollowUp, owner: User) -> bool:
    """Whether the follow-up is the actor's, their group's, or on a deal they may see."""
    mine = follow_up.assignee_id == actor.id or follow_up.group_id in store.groups_of(actor.id)
    return mine or can_access(actor, owner.id, owner.manager_id)


def complete_follow_up(ctx: Context, actor: Actor, follow_up_id: int) -> TaskView:
    with ctx.uow() as store:
        follow_up = store.session.get(FollowUp, follow_up_id)
        if follow_up is None:
            raise NotFound(
                _("task 'follow-up-%(id)s' does not exist", id=follow_up_id), task_id=follow_up_id
            )
        deal = store.get(Deal, follow_up.deal_id, "deal")
        owner = store.get(User, deal.owner_id, "user")
        if not may_see(store, actor, follow_up, owner):
            # Not theirs to see: told exactly as a missing one is.
            raise NotFound(
                _("task 'follow-up-%(id)s' does not exist", id=follow_up_id), task_id=follow_up_id
            )
        if follow_up.done_at is not None:
            raise InvalidState(_("follow-up '%(title)s' is already done", title=follow_up.title))
        now = ctx.clock()
        follow_up.done_at, follow_up.done_by_id = now, actor.id
        store.record(
            "deal",
            deal.id,
            now,
            actor.id,
            "follow_up_done",
            from_stage=None,
            to_stage=deal.stage_key,
            from_status=deal.status,
            to_status=deal.status,
            detail={"follow_up": follow_up.title},
        )
        view = follow_up_view(
            store, follow_up, deal, store.usernames([follow_up.assignee_id, deal.owner_id])
        )
        store.commit()
        return view
