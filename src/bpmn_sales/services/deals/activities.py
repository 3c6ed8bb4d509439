"""Completing a deal's activity: who may, the note and files it needs, approvals, follow-ups."""

from __future__ import annotations

from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import (
    Actor,
)
from bpmn_sales.errors import Forbidden, InvalidInput
from bpmn_sales.i18n import _, formats
from bpmn_sales.persistence.models import (
    Approval,
    Attachment,
    Deal,
    FollowUp,
    Note,
    User,
)
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals import approval_waits
from bpmn_sales.services.deals.steps import apply_step
from bpmn_sales.services.delivery import notices
from bpmn_sales.services.people.preferences import company_preferences
from bpmn_sales.tasks import approvals, completion, follow_ups


def complete_deal_task(
    ctx: Context,
    store: Store,
    actor: Actor,
    deal: Deal,
    task_id: str,
    data: dict[str, Any],
    note: str | None = None,
    attachment_ids: list[int] | None = None,
) -> list[str]:
    """Complete a ready activity: who may, the note and files it needs, approvals, notices.

    Returns what the deal's approval waits for now, in sentences for the rep ([] when none
    waits)."""
    instance = common.restore(ctx, store, deal)
    before = instance.running_stage()
    item = instance.work_item(instance.find_ready(task_id))
    rule = item.rule
    if "anyone" not in rule.completed_by:
        # The actor's groups matter only to a rule that names a group, the manager's name
        # only to the refusal's message.
        named = any(p.startswith("group:") for p in rule.completed_by)
        groups = set(store.groups_of(actor.id).values()) if named else set()
        people = common.party_of(store, deal, named=False)
        if completion.refusal(rule, actor, people, groups) is not None:
            reason = completion.refusal(rule, actor, common.party_of(store, deal), groups)
            raise Forbidden(reason or "", task_id=task_id)
    if rule.approval:
        stage_key = item.stage.key if item.stage else None
        approval_waits.refuse_waiting(store, deal, instance.rules, task_id, stage_key, item.title)
    files = deal_attachments(store, deal, attachment_ids or [])
    problem = completion.note_problem(rule, note, len(files))
    if problem is not None:
        raise InvalidInput(problem[1], field=problem[0])
    now = ctx.clock()
    detail: dict[str, Any] = {"task": item.title, "element_id": item.element_id}
    decided = approvals.decision(data) if rule.approval else None
    if decided is not None:
        data = approvals.task_data(*decided, actor.username)
        detail.update(decision=decided[0], comment=decided[1])
    # The engine runs before the first write, so SQLite's write lock is held for the writes
    # only; the deal row changes last, in the step's one write (apply_step).
    instance.complete(task_id, data)
    if decided is not None:
        stage_key = item.stage.key if item.stage else ""
        store.add(
            Approval(
                deal_id=deal.id,
                stage_key=stage_key,
                task_element_id=item.element_id,
                decision=decided[0],
                comment=decided[1],
                decided_by_id=actor.id,
                decided_at=now,
            )
        )
        store.flush()
    if note and note.strip():
        record = Note(
            subject_type="deal",
            subject_id=deal.id,
            author_id=actor.id,
            text=note.strip()[: completion.MAX_NOTE],
            task_element_id=item.element_id,
            created_at=now,
        )
        store.add(record)
        store.flush()
        for attachment in files:
            attachment.note_id = record.id
        detail["note_id"] = record.id
    changes = {}
    if rule.stage_key and item.element_id not in (deal.activities_done or []):
        changes["activities_done"] = [*(deal.activities_done or []), item.element_id]
    waits: list[approval_waits.Wait] = []
    apply_step(ctx, store, deal, instance, actor, "task_completed", detail, before, changes, waits)
    told = [w.sentence() for w in waits if w.unmet]
    if not (rule.approval or rule.notify or rule.follow_up):
        return told
    owner = common.owner_of(store, deal)
    directory = common.StoreDirectory(store, owner, deal)
    if rule.approval:
        subject, text = notices.approval_text(item, deal, detail, actor)
        notices.notify(
            ctx,
            store,
            ["owner"],
            directory,
            deal,
            "approval",
            subject,
            text,
        )
    if rule.notify:
        subject, text = notices.completion_text(item.title, deal, actor)
        notices.notify(ctx, store, rule.notify, directory, deal, "activity_done", subject, text)
    # A follow-up is due so many days after the company's date of completion, not UTC's.
    local = formats.in_zone(now, company_preferences(ctx).time_zone) if rule.follow_up else now
    plan = follow_ups.plan(rule, local)
    if plan is not None:
        assignee_id, group_id = _follow_up_assignee(store, owner, plan.assignee)
        store.add(
            FollowUp(
                deal_id=deal.id,
                title=plan.title,
                assignee_id=assignee_id,
                group_id=group_id,
                due_on=plan.due_on,
                source_element_id=item.element_id,
                created_at=now,
            )
        )
    return told


def _follow_up_assignee(store: Store, owner: User, party: str) -> tuple[int | None, int | None]:
    if party == "direct_manager":
        return owner.manager_id or owner.id, None
    if party.startswith("user:"):
        user = store.user_by_username(party[5:])
        return (user.id if user else owner.id), None
    if party.startswith("group:"):
        group = store.group_by_name(party[6:])
        return (None, group.id) if group else (owner.id, None)
    return owner.id, None


def deal_attachments(store: Store, deal: Deal, ids: list[int]) -> list[Attachment]:
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise InvalidInput(
            _("attachment_ids must be a list of attachment ids"), field="attachment_ids"
        )
    found = []
    for attachment_id in dict.fromkeys(ids):
        attachment = store.session.get(Attachment, attachment_id)
        if attachment is None or attachment.deal_id != deal.id:
            raise InvalidInput(
                _(
                    "attachment %(attachment)s does not belong to deal %(deal)s",
                    attachment=attachment_id,
                    deal=deal.id,
                ),
                field="attachment_ids",
            )
        if attachment.note_id is not None:
            raise InvalidInput(
                _(
                    "attachment %(attachment)s is already attached to a note",
                    attachment=attachment_id,
                ),
                field="attachment_ids",
            )
        found.append(attachment)
    return found
