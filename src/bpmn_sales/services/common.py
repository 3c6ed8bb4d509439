"""Helpers shared by the use cases: loading instances, projecting snapshots, building views."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.analytics import duration
from bpmn_sales.domain.model import Actor, HistoryView, TaskView
from bpmn_sales.domain.paging import Page, checked_limit, decode_cursor
from bpmn_sales.domain.policy import require_access
from bpmn_sales.domain.rules import ActivityRule, ProcessRules
from bpmn_sales.engine import Instance, ProcessInfo, Snapshot
from bpmn_sales.errors import Conflict, InvalidInput
from bpmn_sales.i18n import _, formats
from bpmn_sales.persistence.models import (
    Deal,
    HistoryEntry,
    Lead,
    ProcessVersion,
    Timer,
    User,
    WorkItem,
)
from bpmn_sales.persistence.queries.records import HISTORY_SORTS
from bpmn_sales.persistence.queries.worklist import DueBounds
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.sentences import history_sentence
from bpmn_sales.tasks.completion import Party

Subject = Lead | Deal
# A history page holds this many entries unless the caller asks for another size.
HISTORY_LIMIT = 100


def subject_type(subject: Subject) -> str:
    return "lead" if isinstance(subject, Lead) else "deal"


def check_version(subject: Subject, expected_version: int | None) -> None:
    """Refuse a change based on a stale read (the caller passes the version it saw)."""
    if expected_version is None:
        return
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise InvalidInput(_("version must be an integer"), field="version")
    if subject.version != expected_version:
        values = {"id": subject.id, "version": subject.version, "expected": expected_version}
        raise Conflict(
            _(
                "deal %(id)s is at version %(version)s, not %(expected)s: someone else changed "
                "it; reload and try again",
                **values,
            )
            if subject_type(subject) == "deal"
            else _(
                "lead %(id)s is at version %(version)s, not %(expected)s: someone else changed "
                "it; reload and try again",
                **values,
            ),
            current_version=subject.version,
        )


def owner_of(store: Store, subject: Subject) -> User:
    return store.get(User, subject.owner_id, "user")


def require_subject_access(store: Store, actor: Actor, subject: Subject) -> None:
    owner = owner_of(store, subject)
    require_access(actor, owner.id, owner.manager_id, subject_type(subject), subject.id)


def visible_owner_ids(store: Store, actor: Actor) -> list[int] | None:
    """The owners whose records the actor may list; None means everyone."""
    if actor.is_admin:
        return None
    if actor.role == "manager":
        return [actor.id, *store.report_ids(actor.id)]
    return [actor.id]


def owner_filter(store: Store, owner: str | None) -> int | None:
    """The user id a list is filtered to (None: no owner filter); an unknown name is refused."""
    if not owner:
        return None
    user = store.user_by_username(owner)
    if user is None:
        raise InvalidInput(_("owner '%(owner)s' does not exist", owner=owner), field="owner")
    return user.id


def spec_loader(store: Store, version: ProcessVersion) -> tuple[str, Any]:
    return version.digest, lambda: store.spec_json(version.id)


def digest_of(ctx: Context, store: Store, version_id: int) -> str:
    digest = ctx.digests.get(version_id)
    if digest is None:
        digest = ctx.digests[version_id] = store.version_digest(version_id)
    return digest


def info_for(ctx: Context, store: Store, version_id: int) -> ProcessInfo:
    """What a process version's diagram says (stages, rules), from the shared spec cache."""
    digest = digest_of(ctx, store, version_id)
    return ctx.engine.info(digest, lambda: store.spec_json(version_id))


def rules_for(ctx: Context, store: Store, subject: Subject) -> ProcessRules:
    return info_for(ctx, store, subject.process_version_id).rules


def restore(ctx: Context, store: Store, subject: Subject) -> Instance:
    """The subject's instance: from the live cache if nobody changed the row, else from its
    stored snapshot and journal (as of the row version this transaction read)."""
    live = ctx.live.take((subject_type(subject), subject.id, subject.version))
    if live is not None:
        return live
    version_id = subject.process_version_id
    digest = digest_of(ctx, store, version_id)
    snapshot, journal = store.instance_state(subject)
    instance = ctx.engine.restore(digest, lambda: store.spec_json(version_id), snapshot, journal)
    # What the last step projected is what the stored state has ready and waiting.
    view = instance.snapshot()
    instance.projected = {item.task_id for item in view.ready}
    instance.projected_timers = frozenset((t.task_id, t.due_at) for t in view.timers)
    return instance


def stored_state(ctx: Context, store: Store, subject: Subject) -> str:
    """The subject's full instance state as stored (its snapshot with the journal applied)."""
    snapshot, journal = store.instance_state(subject)
    return ctx.engine.compose(snapshot, journal)


def save_step(
    ctx: Context, store: Store, subject: Subject, instance: Instance, values: dict[str, Any]
) -> None:
    """Write one step: the row's new values and the instance's delta or snapshot, by SQL with
    the version check; the instance goes back to the live cache once the transaction commits."""
    saved = ctx.engine.save(instance)
    store.write_step(subject, values, saved.snapshot, saved.delta)
    keep_live(ctx, store, subject, instance)


def party_of(store: Store, subject: Subject, *, named: bool = True) -> Party:
    """The owner and the owner's direct manager, as completion rules name them; without the
    manager's user name (no query) unless `named`, which only a refusal's message needs."""
    owner = owner_of(store, subject)
    if not named:
        return Party(owner.id, owner.username, owner.manager_id, None)
    names = store.usernames([owner.manager_id])
    manager_name = names.get(owner.manager_id) if owner.manager_id else None
    return Party(owner.id, owner.username, owner.manager_id, manager_name)


class StoreDirectory:
    """The people party names refer to, for one record's owner (tasks.notifications.Directory)."""

    def __init__(self, store: Store, owner: User, deal: Deal | None = None) -> None:
        self.store = store
        self._owner = owner
        self._deal = deal

    def participants(self) -> list[int]:
        """The owner, whoever completed an activity on the deal, and whoever added a contact
        to its customer (the contacts' internal owners)."""
        if self._deal is None:
            return [self._owner.id]
        others = self.store.participant_ids(self._deal.id, self._deal.customer_id)
        return [self._owner.id, *(i for i in others if i != self._owner.id)]

    def owner(self) -> int:
        return self._owner.id

    def direct_manager(self) -> int | None:
        return self._owner.manager_id

    def managers(self) -> list[int]:
        """Managers who can see the record: the owner's manager, or the owner if a manager."""
        found = [self._owner.id] if self._owner.role == "manager" else []
        if self._owner.manager_id is not None:
            found.append(self._owner.manager_id)
        return found

    def admins(self) -> list[int]:
        return self.store.user_ids("admin")

    def user(self, username: str) -> int | None:
        user = self.store.user_by_username(username)
        return user.id if user else None

    def group(self, name: str) -> list[int]:
        return self.store.group_member_ids(name)


def assignment(store: Store, owner: User, rule: ActivityRule) -> tuple[int | None, int | None]:
    """(assignee user id, group id) of a task whose completed_by names one person or group."""
    if len(rule.completed_by) != 1:
        return None, None
    party = rule.completed_by[0]
    if party == "owner":
        return owner.id, None
    if party == "direct_manager":
        return owner.manager_id, None
    if party.startswith("user:"):
        user = store.user_by_username(party[5:])
        return (user.id if user else None), None
    if party.startswith("group:"):
        group = store.group_by_name(party[6:])
        return None, (group.id if group else None)
    return None, None


def keep_live(ctx: Context, store: Store, subject: Subject, instance: Instance) -> None:
    """Once the transaction commits, keep the instance in memory under the new row version."""
    if store.bulk:
        return
    kind = subject_type(subject)
    store.after_commit(lambda: ctx.live.put((kind, subject.id, subject.version), instance))


def project_work_items(
    ctx: Context, store: Store, subject: Subject, snapshot: Snapshot, instance: Instance
) -> None:
    kind = subject_type(subject)
    now = ctx.clock()
    previous = instance.projected
    instance.projected = {item.task_id for item in snapshot.ready}
    owner: User | None = None
    rules = instance.rules
    rows = []
    for item in snapshot.ready:
        if previous is not None and item.task_id in previous:
            continue  # its row stays as it is: no object built for it
        assignee_id = group_id = None
        if item.rule.completed_by != ("anyone",):
            owner = owner or owner_of(store, subject)
            assignee_id, group_id = assignment(store, owner, item.rule)
        rows.append(
            {
                "task_id": item.task_id,
                "subject_type": kind,
                "subject_id": subject.id,
                "element_id": item.element_id,
                "title": item.title,
                "lane": item.lane,
                "role": item.role,
                "stage_key": item.stage.key if item.stage else None,
                "owner_id": subject.owner_id,
                "assignee_id": assignee_id,
                "group_id": group_id,
                "created_at": now,
                "waiting": False,
                "due_at": due_at(rules, item.rule, item.stage.key if item.stage else None, now),
            }
        )
    store.replace_work_items(kind, subject.id, rows, previous, instance.projected)
    project_timers(store, subject, snapshot, instance, now)


def due_at(
    rules: ProcessRules, rule: ActivityRule, stage_key: str | None, ready_at: datetime
) -> datetime | None:
    """When a task that became ready at `ready_at` is due: after its `due_days`, else after its
    stage's reminder period; None when the diagram sets neither."""
    if rule.due_days is not None:
        return ready_at + timedelta(days=rule.due_days)
    stage = rules.stage(stage_key) if stage_key else None
    period = duration(stage.reminder_after) if stage else None
    return ready_at + period if period else None


def project_timers(
    store: Store, subject: Subject, snapshot: Snapshot, instance: Instance, now: datetime
) -> None:
    """Keep the timers table in step with the timers the instance waits for (issue 7)."""
    kind = subject_type(subject)
    previous = instance.projected_timers
    instance.projected_timers = frozenset((t.task_id, t.due_at) for t in snapshot.timers)
    if previous == instance.projected_timers:
        return
    rows = [
        Timer(
            task_id=t.task_id,
            subject_type=kind,
            subject_id=subject.id,
            element_id=t.element_id[:200],
            name=t.name[:200],
            due_at=t.due_at,
            created_at=now,
        )
        for t in snapshot.timers
    ]
    store.replace_timers(kind, subject.id, rows, previous)


def task_rule(ctx: Context, store: Store, version_id: int | None, element_id: str) -> ActivityRule:
    rule = info_for(ctx, store, version_id).rules.tasks.get(element_id) if version_id else None
    return rule or ActivityRule(element_id, element_id, None, weight=0)


def stage_name(
    ctx: Context, store: Store, version_id: int | None, stage_key: str | None
) -> str | None:
    """The stage's name as its diagram gives it (the key when the diagram has no such stage)."""
    if stage_key is None or version_id is None:
        return None
    stage = info_for(ctx, store, version_id).rules.stage(stage_key)
    return stage.name if stage else stage_key


def task_view(
    item: WorkItem,
    subject_name: str,
    owner: str | None,
    assignee: str | None,
    rule: ActivityRule,
    group: str | None = None,
    stage_name: str | None = None,
) -> TaskView:
    return TaskView(
        task_id=item.task_id,
        element_id=item.element_id,
        title=item.title,
        lane=item.lane,
        role=item.role,
        stage=item.stage_key,
        subject_type=item.subject_type,
        subject_id=item.subject_id,
        subject_name=subject_name,
        owner=owner,
        kind="approval" if rule.approval else "task",
        assignee=assignee,
        tip=rule.tip,
        note_required=rule.note_required,
        group=group,
        waiting=bool(item.waiting),
        due_at=item.due_at,
        stage_name=stage_name,
    )


def due_bounds(now: datetime) -> DueBounds:
    """Where overdue, today and upcoming meet for the reader: their date and next midnight in
    the time zone in force."""
    local = formats.in_zone(now)
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=local.tzinfo)
    return DueBounds(now, local.date(), tomorrow.astimezone(UTC))


def task_views(
    ctx: Context,
    store: Store,
    items: Sequence[WorkItem],
    known: Mapping[tuple[str, int], tuple[str, int]] | None = None,
) -> list[TaskView]:
    """Views of ready tasks in a constant number of queries; `known` gives (name, version id)
    of subjects the caller has already read."""
    facts = dict(known or {})
    for kind in ("lead", "deal"):
        ids = {i.subject_id for i in items if i.subject_type == kind} - {
            subject_id for k, subject_id in facts if k == kind
        }
        facts.update(((kind, i), fact) for i, fact in store.subject_facts(kind, ids).items())
    users = store.usernames([i.owner_id for i in items] + [i.assignee_id for i in items])
    groups = store.group_names([i.group_id for i in items if i.group_id is not None])
    due = due_bounds(ctx.clock())
    views = []
    for i in items:
        name, version = facts.get((i.subject_type, i.subject_id), ("", None))
        views.append(
            task_view(
                i,
                name,
                users.get(i.owner_id),
                users.get(i.assignee_id)
                if i.assignee_id
                else (f"group:{groups[i.group_id]}" if i.group_id in groups else None),
                task_rule(ctx, store, version, i.element_id),
                groups.get(i.group_id) if i.group_id is not None else None,
                stage_name(ctx, store, version, i.stage_key),
            )
        )
        views[-1] = replace(views[-1], due=due.group(i.due_at))
    return views


def subject_tasks(ctx: Context, store: Store, subject: Subject) -> list[TaskView]:
    items = list(store.work_items_for(subject_type(subject), subject.id))
    known = {(subject_type(subject), subject.id): (subject.name, subject.process_version_id)}
    return task_views(ctx, store, items, known)


HISTORY_ORDERS = tuple(HISTORY_SORTS)


def history_page(
    store: Store,
    actor: Actor,
    kind: str,
    subject_id: int,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    stage_names: Mapping[str, str] | None = None,
) -> Page[HistoryView]:
    """A page of a lead's or deal's history (oldest first unless `sort` is newest); each
    entry's summary names stages by `stage_names` (the designer's labels) where given."""
    order = sort or HISTORY_ORDERS[0]
    if order not in HISTORY_ORDERS:
        raise InvalidInput(
            _("sort must be oldest or newest, not %(sort)s", sort=repr(order)), field="sort"
        )
    size = checked_limit(limit, HISTORY_LIMIT)
    at = decode_cursor(cursor, HISTORY_SORTS[order].name)
    owner = store.subject_owner(kind, subject_id)
    require_access(actor, owner.id, owner.manager_id, kind, subject_id)
    page = store.history_page(kind, subject_id, order, at, size)
    names = store.usernames(e.actor_id for e in page)
    labels = stage_names or {}
    return page.map(lambda entries: [_history_view(store, e, names, labels) for e in entries])


def _history_view(
    store: Store, e: HistoryEntry, names: Mapping[int, str], labels: Mapping[str, str]
) -> HistoryView:
    detail = json.loads(e.detail or "{}")
    told = dict(detail)
    if e.action == "created" and isinstance(detail.get("lead_id"), int):
        # A deal's history starts with one such entry: the lead's name reads better than its id.
        lead = store.session.get(Lead, detail["lead_id"])
        told["lead_name"] = lead.name if lead else None
    before = labels.get(e.from_stage, e.from_stage) if e.from_stage else None
    after = labels.get(e.to_stage, e.to_stage) if e.to_stage else None
    return HistoryView(
        at=e.at,
        actor=names.get(e.actor_id) if e.actor_id else None,
        action=e.action,
        from_stage=e.from_stage,
        to_stage=e.to_stage,
        from_status=e.from_status,
        to_status=e.to_status,
        detail=detail,
        summary=history_sentence(e.action, before, after, e.to_status, told),
    )
