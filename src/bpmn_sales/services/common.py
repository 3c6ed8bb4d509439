"""Helpers shared by the use cases: loading instances, projecting snapshots, building views."""

from __future__ import annotations

import json
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, HistoryView, TaskView
from bpmn_sales.domain.policy import require_access
from bpmn_sales.engine import Instance, Snapshot
from bpmn_sales.errors import Conflict, InvalidInput
from bpmn_sales.persistence.models import Deal, Lead, ProcessVersion, User, WorkItem
from bpmn_sales.persistence.store import Store

Subject = Lead | Deal


def subject_type(subject: Subject) -> str:
    return "lead" if isinstance(subject, Lead) else "deal"


def check_version(subject: Subject, expected_version: int | None) -> None:
    """Refuse a change based on a stale read (the caller passes the version it saw)."""
    if expected_version is None:
        return
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise InvalidInput("version must be an integer", field="version")
    if subject.version != expected_version:
        raise Conflict(
            f"{subject_type(subject)} {subject.id} is at version {subject.version}, "
            f"not {expected_version}: someone else changed it; reload and try again",
            current_version=subject.version,
        )


def owner_of(store: Store, subject: Subject) -> User:
    return store.get(User, subject.owner_id, "user")


def require_subject_access(store: Store, actor: Actor, subject: Subject) -> None:
    owner = owner_of(store, subject)
    require_access(actor, owner.id, owner.manager_id, f"{subject_type(subject)} {subject.id}")


def visible_owner_ids(store: Store, actor: Actor) -> list[int] | None:
    """The owners whose records the actor may list; None means everyone."""
    if actor.is_admin:
        return None
    if actor.role == "manager":
        return [actor.id, *store.report_ids(actor.id)]
    return [actor.id]


def spec_loader(store: Store, version: ProcessVersion) -> tuple[str, Any]:
    return version.digest, lambda: store.spec_json(version.id)


def restore(ctx: Context, store: Store, subject: Subject) -> Instance:
    """The subject's instance: from the live cache if nobody changed the row, else its state."""
    live = ctx.live.take((subject_type(subject), subject.id, subject.version))
    if live is not None:
        return live
    version_id = subject.process_version_id
    digest = ctx.digests.get(version_id)
    if digest is None:
        digest = ctx.digests[version_id] = store.version_digest(version_id)
    return ctx.engine.restore(digest, lambda: store.spec_json(version_id), subject.state)


def keep_live(ctx: Context, store: Store, subject: Subject, instance: Instance) -> None:
    """Once the transaction commits, keep the instance in memory under the new row version."""
    kind = subject_type(subject)
    store.after_commit(lambda: ctx.live.put((kind, subject.id, subject.version), instance))


def project_work_items(
    ctx: Context, store: Store, subject: Subject, snapshot: Snapshot, instance: Instance
) -> None:
    kind = subject_type(subject)
    now = ctx.clock()
    previous = instance.projected
    instance.projected = {item.task_id for item in snapshot.ready}
    store.replace_work_items(
        kind,
        subject.id,
        [
            WorkItem(
                task_id=item.task_id,
                subject_type=kind,
                subject_id=subject.id,
                element_id=item.element_id,
                title=item.title,
                lane=item.lane,
                role=item.role,
                stage_key=item.stage.key if item.stage else None,
                owner_id=subject.owner_id,
                created_at=now,
            )
            for item in snapshot.ready
        ],
        previous,
    )


def task_views(store: Store, items: list[WorkItem]) -> list[TaskView]:
    names = {
        kind: store.subject_names(kind, [i.subject_id for i in items if i.subject_type == kind])
        for kind in ("lead", "deal")
    }
    owners = store.usernames(i.owner_id for i in items)
    return [
        TaskView(
            task_id=i.task_id,
            element_id=i.element_id,
            title=i.title,
            lane=i.lane,
            role=i.role,
            stage=i.stage_key,
            subject_type=i.subject_type,
            subject_id=i.subject_id,
            subject_name=names[i.subject_type].get(i.subject_id, ""),
            owner=owners.get(i.owner_id),
        )
        for i in items
    ]


def subject_tasks(store: Store, subject: Subject) -> list[TaskView]:
    return task_views(store, list(store.work_items_for(subject_type(subject), subject.id)))


def history_views(store: Store, kind: str, subject_id: int) -> list[HistoryView]:
    entries = store.history(kind, subject_id)
    names = store.usernames(e.actor_id for e in entries)
    return [
        HistoryView(
            at=e.at,
            actor=names.get(e.actor_id) if e.actor_id else None,
            action=e.action,
            from_stage=e.from_stage,
            to_stage=e.to_stage,
            from_status=e.from_status,
            to_status=e.to_status,
            detail=json.loads(e.detail or "{}"),
        )
        for e in entries
    ]


def history_for(
    ctx: Context, store: Store, actor: Actor, kind: str, subject_id: int
) -> list[HistoryView]:
    subject: Subject = (
        store.get(Lead, subject_id, kind) if kind == "lead" else store.get(Deal, subject_id, kind)
    )
    require_subject_access(store, actor, subject)
    return history_views(store, kind, subject_id)
