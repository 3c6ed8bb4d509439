"""Task forms: the JSON Schema a user task names, checked against the data it is completed with."""

from __future__ import annotations

from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain import forms
from bpmn_sales.domain.forms import TaskForm
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.policy import can_access
from bpmn_sales.domain.rules import ActivityRule
from bpmn_sales.errors import InvalidInput, NotFound
from bpmn_sales.i18n import _, ngettext
from bpmn_sales.persistence.models import Deal, FollowUp, User, WorkItem
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.worklist import follow_ups
from bpmn_sales.services.worklist.follow_ups import follow_up_view
from bpmn_sales.tasks.completion import Party, allowed

# user: and group: parties are judged without the deal's people.
NOBODY = Party(0, "", None, None)


def form_of(
    store: Store, version_id: int | None, rule: ActivityRule
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The (schema, ui schema) of a task's form, or (None, None) when it has none."""
    if not rule.form or version_id is None:
        return None, None
    files = store.version_forms(version_id)
    schema = files.get(rule.form)
    ui_schema = files.get(rule.ui_form) if rule.ui_form else None
    return (
        schema if isinstance(schema, dict) else None,
        ui_schema if isinstance(ui_schema, dict) else None,
    )


def check_data(schema: dict[str, Any] | None, data: dict[str, Any], title: str) -> None:
    """Refuse data that does not fit the task's form, naming every field that is wrong."""
    if schema is None:
        return
    errors = forms.validate(schema, data)
    if not errors:
        return
    name, message = next(iter(errors.items()))
    where = (
        _("field '%(field)s' of the '%(form)s' form", field=name, form=title)
        if name
        else _("the '%(form)s' form", form=title)
    )
    raise InvalidInput(
        _("%(reason)s (%(where)s)", reason=message, where=where)
        if len(errors) == 1
        else ngettext(
            "%(reason)s (%(where)s) (and %(num)s more)",
            "%(reason)s (%(where)s) (and %(num)s more)",
            len(errors) - 1,
            reason=message,
            where=where,
        ),
        field=f"data.{name}" if name else "data",
        errors=errors,
    )


def may_act(store: Store, actor: Actor, item: WorkItem, owner: User, rule: ActivityRule) -> bool:
    """Whether the actor may see and try to complete a ready task.

    The actor's groups are read only when the answer depends on them (a group task, or a rule
    naming users or groups), so completing one's own task costs no query here.
    """
    if item.assignee_id == actor.id or can_access(actor, owner.id, owner.manager_id):
        return True
    named = [p for p in rule.completed_by if p.startswith(("user:", "group:"))]
    if item.group_id is None and not named:
        return False
    groups = store.groups_of(actor.id)
    if item.group_id is not None and item.group_id in groups:
        return True
    # A user or group named among several parties (completed_by=owner;group:after_sales) is not
    # assigned the task, but may still complete it, as the parties table promises.
    return any(allowed(p, actor, NOBODY, groups.values()) for p in named)


def _follow_up_form(ctx: Context, actor: Actor, follow_up_id: int) -> TaskForm:
    with ctx.uow() as store:
        follow_up = store.session.get(FollowUp, follow_up_id)
        if follow_up is None or follow_up.done_at is not None:
            raise NotFound(_("task 'follow-up-%(id)s' is not an open follow-up", id=follow_up_id))
        deal = store.get(Deal, follow_up.deal_id, "deal")
        owner = store.get(User, deal.owner_id, "user")
        if not follow_ups.may_see(store, actor, follow_up, owner):
            raise NotFound(_("task 'follow-up-%(id)s' is not an open follow-up", id=follow_up_id))
        names = store.usernames([follow_up.assignee_id, deal.owner_id])
        view = follow_up_view(store, follow_up, deal, names)
        return TaskForm(view, None, None, "", deal.version)


def task_form(ctx: Context, actor: Actor, task_id: str) -> TaskForm:
    """A ready task the actor may act on, with its form, tip and description."""
    if task_id.startswith("follow-up-") and task_id[10:].isdigit():
        return _follow_up_form(ctx, actor, int(task_id[10:]))
    with ctx.uow() as store:
        found = store.work_item_with_subject(task_id)
        if found is None:
            raise NotFound(_("task '%(task)s' is not a ready task", task=task_id), task_id=task_id)
        item, subject, owner = found
        rule = common.task_rule(ctx, store, subject.process_version_id, item.element_id)
        if not may_act(store, actor, item, owner, rule):
            raise NotFound(_("task '%(task)s' is not a ready task", task=task_id), task_id=task_id)
        [view] = common.task_views(ctx, store, [item])
        schema, ui_schema = form_of(store, subject.process_version_id, rule)
        return TaskForm(view, schema, ui_schema, rule.description, subject.version)
