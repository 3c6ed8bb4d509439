"""Use cases for opportunities (deals): start, develop through stages, move, close, reopen."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import (
    Actor,
    DealStatus,
    DealView,
    HistoryView,
    TaskView,
    currency,
    money,
    optional_text,
    required_text,
)
from bpmn_sales.domain.policy import require_access
from bpmn_sales.domain.rules import ProcessRules, StageRule
from bpmn_sales.engine import Instance, Snapshot, StageRef
from bpmn_sales.errors import DiagramError, Forbidden, InvalidInput, InvalidState, RuleViolation
from bpmn_sales.persistence.models import (
    Approval,
    Attachment,
    Customer,
    Deal,
    FollowUp,
    Note,
    ProcessVersion,
    User,
)
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common, notices
from bpmn_sales.services.processes import startable_version
from bpmn_sales.tasks import approvals, closing, completion, follow_ups
from bpmn_sales.tasks.requirements import (
    DealFacts,
    convert,
    declared,
    leave_unmet,
    stage_declared,
    stage_unmet,
    win_unmet,
)
from bpmn_sales.tasks.weights import whole_percent, win_probability

SALES_PROCESS = "sales_process"
CLOSE_MESSAGE = "deal_close"
MOVE_MESSAGE = "deal_move"
MAX_LIMIT = 500
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MAX_CUSTOM_FIELDS = 50


# -- views ----------------------------------------------------------------------------------
def deal_view(ctx: Context, store: Store, deal: Deal, detail: bool = False) -> DealView:
    owner = store.get(User, deal.owner_id, "user")
    pv = store.get(ProcessVersion, deal.process_version_id, "process version")
    return DealView(
        id=deal.id,
        name=deal.name,
        customer=deal.customer,
        value=deal.value,
        currency=deal.currency,
        status=deal.status,
        stage=deal.stage_key,
        stage_name=deal.stage_name,
        probability=deal.probability,
        owner=owner.username,
        process=f"{pv.process.key} v{pv.version}",
        lead_id=deal.lead_id,
        reopened_from_id=deal.reopened_from_id,
        reopened_as_id=store.reopened_as(deal.id),
        lost_reason=deal.lost_reason,
        closed_at=deal.closed_at,
        version=deal.version,
        created_at=deal.created_at,
        tasks=common.subject_tasks(ctx, store, deal),
        process_key=pv.process.key,
        outcome_label=deal.outcome_label,
        expected_close_date=deal.expected_close_date,
        fields=dict(deal.fields or {}),
        stage_fields=dict(deal.stage_fields or {}),
        detail=_detail(ctx, store, deal) if detail else None,
    )


def _detail(ctx: Context, store: Store, deal: Deal) -> dict[str, Any]:
    """The deal page: stage path, checklist, what is still needed, and the deal's records."""
    rules = common.rules_for(ctx, store, deal)
    facts = deal_facts(store, deal)
    current = rules.stage(deal.stage_key)
    names = store.usernames(
        [a.decided_by_id for a in store.approvals(deal.id)]
        + [n.author_id for n in store.notes("deal", deal.id)]
        + [f.assignee_id for f in store.follow_ups_for(deal.id)]
    )
    contacts = store.contacts(deal.customer_id)
    customer = store.session.get(Customer, deal.customer_id) if deal.customer_id else None
    stages = []
    for stage in rules.stages:
        state = "current" if stage is current else "todo"
        if current is not None and stage.order < current.order:
            state = "passed"
        stages.append(
            {
                "key": stage.key,
                "name": stage.name,
                "order": stage.order,
                "phase": stage.phase,
                "win_rate": stage.win_rate,
                "optional": stage.optional,
                "state": state,
            }
        )
    checklist = []
    requirements: list[str] = []
    if current is not None:
        checklist = [
            {**a.to_dict(), "done": a.element_id in facts.done} for a in current.activities
        ]
        if deal.status in (DealStatus.OPEN, DealStatus.WON):
            requirements = stage_unmet(current, facts)
    return {
        "stages": stages,
        "current_stage": current.to_dict() if current else None,
        "checklist": checklist,
        "unmet_requirements": requirements,
        "win_blockers": win_unmet(rules, facts) if deal.status == DealStatus.OPEN else [],
        "terminals": [t.to_dict() for t in rules.terminals],
        "free_moves": rules.free_moves,
        "customer": {
            "id": customer.id,
            "name": customer.name,
            "fields": dict(customer.fields or {}),
        }
        if customer
        else None,
        "contacts": [
            {"id": c.id, "name": c.name, "email": c.email, "phone": c.phone, "title": c.title}
            for c in contacts
        ],
        "approvals": [
            {
                "stage": a.stage_key,
                "decision": a.decision,
                "comment": a.comment,
                "by": names.get(a.decided_by_id),
                "at": a.decided_at.isoformat(),
            }
            for a in store.approvals(deal.id)
        ],
        "notes": [
            {
                "id": n.id,
                "text": n.text,
                "author": names.get(n.author_id),
                "task": n.task_element_id,
                "at": n.created_at.isoformat(),
            }
            for n in store.notes("deal", deal.id)
        ],
        "attachments": [attachment_dict(a) for a in store.attachments(deal.id)],
        "orders": [
            {
                "id": o.id,
                "number": o.number,
                "amount": float(o.amount),
                "currency": o.currency,
                "at": o.created_at.isoformat(),
            }
            for o in store.orders(deal.id)
        ],
        "follow_ups": [
            {
                "id": f.id,
                "title": f.title,
                "due_on": f.due_on.isoformat(),
                "assignee": names.get(f.assignee_id) if f.assignee_id else None,
                "done": f.done_at is not None,
            }
            for f in store.follow_ups_for(deal.id)
        ],
    }


def attachment_dict(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.id,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "note_id": a.note_id,
        "at": a.created_at.isoformat(),
    }


# -- facts and projection -------------------------------------------------------------------
def deal_facts(
    store: Store, deal: Deal, stages: list[StageRule] | None = None, orders: bool = True
) -> DealFacts:
    """What the rule checks look at; with `stages`, only what those stages' rules need."""
    need_customer = need_contacts = need_approvals = stages is None
    for stage in stages or ():
        need_customer |= any(f.scope == "customer" for f in stage.required_fields)
        need_contacts |= stage.min_contacts > 0
        need_approvals |= stage.approval is not None
    customer = (
        store.session.get(Customer, deal.customer_id)
        if deal.customer_id and need_customer
        else None
    )
    decisions: dict[str, str] = {}
    for approval in store.approvals(deal.id) if need_approvals else ():
        decisions[approval.stage_key] = approval.decision
    return DealFacts(
        customer={**(customer.fields if customer else {}), "name": deal.customer},
        deal={
            **(deal.fields or {}),
            "name": deal.name,
            "value": deal.value,
            "currency": deal.currency,
            "expected_close_date": deal.expected_close_date,
        },
        stage_fields=deal.stage_fields or {},
        contacts=store.contact_count(deal.customer_id) if need_contacts else 0,
        approvals=decisions,
        done=frozenset(deal.activities_done or ()),
        orders=store.order_count(deal.id) if orders else 0,
    )


def _refuse(deal: Deal, what: str, unmet: list[str]) -> RuleViolation:
    return RuleViolation(f"deal {deal.id} cannot {what}: " + "; ".join(unmet), unmet=unmet)


def _check_rules(
    store: Store,
    deal: Deal,
    rules: ProcessRules,
    before: StageRef | None,
    running: StageRef | None,
    status: str,
) -> None:
    """Refuse a step that leaves a stage with unmet requirements, or wins without the rules."""
    if deal.status == DealStatus.OPEN and status == DealStatus.WON:
        unmet = win_unmet(rules, deal_facts(store, deal, [], orders=rules.order_required))
        if unmet:
            raise _refuse(deal, "be won", unmet)
        return
    if status != deal.status or before is None:
        return
    if running is not None and running.key == before.key:
        return
    target = running.key if running else None
    passed = rules.stages_between(before.key, target) if running else [rules.stage(before.key)]
    facts = deal_facts(store, deal, [s for s in passed if s is not None], orders=False)
    unmet = leave_unmet(rules, facts, before.key, target)
    if unmet:
        where = f" for '{running.name}'" if running else ""
        raise _refuse(deal, f"leave stage '{before.name}'{where}", unmet)


def _apply(
    ctx: Context,
    store: Store,
    deal: Deal,
    instance: Instance,
    actor: Actor,
    action: str,
    detail: dict[str, Any] | None = None,
    before: StageRef | None = None,
) -> Snapshot:
    """Check the sales rules, store the state and every projection, and record the history."""
    rules = instance.rules
    snap = instance.snapshot()
    terminal = rules.terminal_at(snap.outcome_event)
    if snap.completed and terminal is None:
        raise DiagramError(
            f"the process ended at '{snap.end_event}', which carries no outcome",
            element_id=snap.end_event,
        )
    status = terminal.outcome if terminal else DealStatus.OPEN
    with store.no_autoflush():
        _check_rules(store, deal, rules, before, snap.running_stage, status)
    before_stage, before_status = deal.stage_key, deal.status
    now = ctx.clock()
    stage = snap.running_stage or (snap.stage if deal.stage_key is None else None)
    if stage is not None and stage.key != deal.stage_key:
        deal.stage_key, deal.stage_name, deal.stage_entered_at = stage.key, stage.name, now
    if terminal is not None:
        deal.outcome_label = terminal.label
        if before_status == DealStatus.OPEN:
            deal.closed_at = now
            close = snap.data.get("close") or {}
            deal.lost_reason = close.get("reason") if status != DealStatus.WON else None
    deal.status = status
    if status == DealStatus.OPEN:
        deal.probability = win_probability(rules, deal.stage_key, deal.activities_done or ())
    else:
        deal.probability = whole_percent(terminal.probability if terminal else 0)
    deal.state = ctx.engine.dump(instance)
    deal.updated_at = now
    common.project_work_items(ctx, store, deal, snap, instance)
    common.keep_live(ctx, store, deal, instance)
    store.record(
        "deal",
        deal.id,
        now,
        actor.id,
        action,
        from_stage=before_stage if before_stage != deal.stage_key or action == "created" else None,
        to_stage=deal.stage_key,
        from_status=before_status,
        to_status=deal.status,
        detail=detail,
    )
    return snap


# -- creating -------------------------------------------------------------------------------
def resolve_owner(store: Store, actor: Actor, owner: str | None) -> User:
    """The actor owns what it creates unless it names someone it may act for."""
    if not owner or owner == actor.username:
        return store.get(User, actor.id, "user")
    user = store.user_by_username(owner)
    if user is None:
        raise InvalidInput(f"owner '{owner}' does not exist", field="owner")
    require_access(actor, user.id, user.manager_id, f"records owned by {owner}")
    return user


def customer_for(store: Store, name: str | None, now: Any) -> Customer | None:
    """The customer of that name, created on first use."""
    if not name:
        return None
    customer = store.customer_by_name(name)
    if customer is None:
        customer = Customer(name=name, fields={}, created_at=now, updated_at=now)
        store.add(customer)
        store.flush()
    return customer


def start_deal(
    ctx: Context,
    store: Store,
    actor: Actor,
    owner: User,
    fields: dict[str, Any],
    *,
    process: str = SALES_PROCESS,
    lead_id: int | None = None,
    reopened_from_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> Deal:
    """Create a deal row and its sales-process instance inside the caller's transaction."""
    version = startable_version(store, process)
    key, loader = common.spec_loader(store, version)
    if not ctx.engine.info(key, loader).rules.stages:
        raise InvalidInput(
            f"process '{process}' has no stages; it is not a sales process", field="process"
        )
    data = {"deal": {**_plain(fields), "value": float(fields["value"])}}
    instance = ctx.engine.start(key, loader, data)
    now = ctx.clock()
    customer = customer_for(store, fields.get("customer"), now)
    deal = Deal(
        name=fields["name"],
        customer=fields.get("customer"),
        customer_id=customer.id if customer else None,
        value=fields["value"],
        currency=fields["currency"],
        expected_close_date=fields.get("expected_close_date"),
        fields=dict(fields.get("fields") or {}),
        stage_fields={},
        activities_done=[],
        status=DealStatus.OPEN,
        probability=0,
        owner_id=owner.id,
        lead_id=lead_id,
        reopened_from_id=reopened_from_id,
        process_version_id=version.id,
        state="",
        created_at=now,
        updated_at=now,
    )
    store.add(deal)
    store.flush()
    _apply(ctx, store, deal, instance, actor, "created", {**(detail or {}), "process": process})
    return deal


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in fields.items()
        if k in ("name", "customer", "currency", "expected_close_date")
    }


def optional_date(value: object, field_name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InvalidInput(f"{field_name} must be a date YYYY-MM-DD", field=field_name)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"{field_name} must be a date YYYY-MM-DD, not {value!r}", field=field_name
        ) from None


def deal_fields(
    name: object,
    customer: object,
    value: object,
    currency_code: object,
    expected_close_date: object = None,
) -> dict[str, Any]:
    return {
        "name": required_text(name, "name"),
        "customer": optional_text(customer, "customer"),
        "value": money(value, "value") or Decimal("0.00"),
        "currency": currency(currency_code),
        "expected_close_date": optional_date(expected_close_date, "expected_close_date"),
    }


def create_deal(
    ctx: Context,
    actor: Actor,
    name: object,
    customer: object = None,
    value: object = None,
    currency_code: object = None,
    owner: str | None = None,
    process: object = None,
    expected_close_date: object = None,
) -> DealView:
    """Start an opportunity directly, skipping the lead step."""
    fields = deal_fields(name, customer, value, currency_code, expected_close_date)
    key = optional_text(process, "process") or SALES_PROCESS
    with ctx.uow() as store:
        owner_user = resolve_owner(store, actor, owner)
        deal = start_deal(
            ctx, store, actor, owner_user, fields, process=key, detail={"source": "direct"}
        )
        store.commit()
        return deal_view(ctx, store, deal)


def _load(store: Store, actor: Actor, deal_id: int, expected_version: int | None) -> Deal:
    deal = store.get(Deal, deal_id, "deal")
    common.require_subject_access(store, actor, deal)
    common.check_version(deal, expected_version)
    return deal


def _open_deal(store: Store, actor: Actor, deal_id: int, expected_version: int | None) -> Deal:
    deal = _load(store, actor, deal_id, expected_version)
    if deal.status != DealStatus.OPEN:
        raise InvalidState(f"deal {deal_id} is {deal.status}, not open", status=deal.status)
    return deal


# -- working a deal -------------------------------------------------------------------------
def complete_deal_task(
    ctx: Context,
    store: Store,
    actor: Actor,
    deal: Deal,
    task_id: str,
    data: dict[str, Any],
    note: str | None = None,
    attachment_ids: list[int] | None = None,
) -> None:
    """Complete a ready activity: who may, the note and files it needs, approvals, notices."""
    instance = common.restore(ctx, store, deal)
    before = instance.running_stage()
    item = instance.work_item(instance.find_ready(task_id))
    rule = item.rule
    if "anyone" not in rule.completed_by:
        people = common.party_of(store, deal)
        groups = set(store.groups_of(actor.id).values())
        reason = completion.refusal(rule, actor, people, groups)
        if reason is not None:
            raise Forbidden(reason, task_id=task_id)
    files = _attachments(store, deal, attachment_ids or [])
    problem = completion.note_problem(rule, note, len(files))
    if problem is not None:
        raise InvalidInput(problem[1], field=problem[0])
    now = ctx.clock()
    detail: dict[str, Any] = {"task": item.title, "element_id": item.element_id}
    if rule.approval:
        choice, comment = approvals.decision(data)
        data = approvals.task_data(choice, comment, actor.username)
        stage_key = item.stage.key if item.stage else ""
        store.add(
            Approval(
                deal_id=deal.id,
                stage_key=stage_key,
                task_element_id=item.element_id,
                decision=choice,
                comment=comment,
                decided_by_id=actor.id,
                decided_at=now,
            )
        )
        store.flush()
        detail.update(decision=choice, comment=comment)
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
    # The deal row changes last: an earlier flush would write it (and bump its version) twice.
    instance.complete(task_id, data)
    if rule.stage_key and item.element_id not in (deal.activities_done or []):
        deal.activities_done = [*(deal.activities_done or []), item.element_id]
    _apply(ctx, store, deal, instance, actor, "task_completed", detail, before)
    if not (rule.approval or rule.notify or rule.follow_up):
        return
    owner = common.owner_of(store, deal)
    directory = common.StoreDirectory(store, owner)
    if rule.approval:
        subject, text = notices.approval_text(item, deal, detail, actor)
        notices.notify(ctx, store, ["owner"], directory, deal, "approval", subject, text)
    if rule.notify:
        subject, text = notices.completion_text(item.title, deal, actor)
        notices.notify(ctx, store, rule.notify, directory, deal, "activity_done", subject, text)
    plan = follow_ups.plan(rule, now)
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


def _attachments(store: Store, deal: Deal, ids: list[int]) -> list[Attachment]:
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise InvalidInput(
            "attachment_ids must be a list of attachment ids", field="attachment_ids"
        )
    found = []
    for attachment_id in dict.fromkeys(ids):
        attachment = store.session.get(Attachment, attachment_id)
        if attachment is None or attachment.deal_id != deal.id:
            raise InvalidInput(
                f"attachment {attachment_id} does not belong to deal {deal.id}",
                field="attachment_ids",
            )
        if attachment.note_id is not None:
            raise InvalidInput(
                f"attachment {attachment_id} is already attached to a note", field="attachment_ids"
            )
        found.append(attachment)
    return found


def move_deal(
    ctx: Context,
    actor: Actor,
    deal_id: int,
    stage: object,
    expected_version: int | None = None,
) -> DealView:
    """Move an open deal to another stage where the process allows free moves.

    Moving forward enforces the requirements of the stage left and of every stage passed over
    (unless optional); moving back is always allowed.
    """
    target_key = required_text(stage, "stage", 100)
    with ctx.uow() as store:
        deal = _open_deal(store, actor, deal_id, expected_version)
        instance = common.restore(ctx, store, deal)
        rules = instance.rules
        target = rules.stage(target_key)
        if target is None:
            known = ", ".join(s.key for s in rules.stages)
            raise InvalidInput(f"stage '{target_key}' does not exist ({known})", field="stage")
        if target.post_sale:
            raise RuleViolation(f"stage '{target.name}' is post-sale: win the deal first")
        before = instance.running_stage()
        if before is not None and before.key == target.key:
            raise InvalidState(f"deal {deal_id} is already at stage '{target.name}'")
        if rules.free_moves and MOVE_MESSAGE not in instance.waiting_messages():
            raise InvalidState(
                f"deal {deal_id} is not in a stage it can be moved from (it is past its stages)"
            )
        if not rules.free_moves:
            raise RuleViolation(
                f"this process does not allow moving deal {deal_id} freely between stages; "
                "complete the current stage's activities to advance"
            )
        instance.send_message(MOVE_MESSAGE, {"stage": target.key})
        snap = _apply(
            ctx,
            store,
            deal,
            instance,
            actor,
            "moved",
            {"from": before.key if before else None, "to": target.key},
            before,
        )
        if snap.running_stage is None or snap.running_stage.key != target.key:
            raise DiagramError(
                f"the process did not route the move to stage '{target.key}'",
                element_id=target.element_id,
            )
        store.commit()
        return deal_view(ctx, store, deal)


def close_deal(
    ctx: Context,
    actor: Actor,
    deal_id: int,
    outcome: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> DealView:
    """Close an open deal with one of the outcomes its process defines (won, lost, invalid)."""
    with ctx.uow() as store:
        deal = _open_deal(store, actor, deal_id, expected_version)
        instance = common.restore(ctx, store, deal)
        payload = closing.close_request(instance.rules, outcome, reason)
        if payload["outcome"] == DealStatus.WON:
            unmet = win_unmet(instance.rules, deal_facts(store, deal, []))
            if unmet:
                raise _refuse(deal, "be won", unmet)
        before = instance.running_stage()
        if CLOSE_MESSAGE not in instance.waiting_messages():
            raise InvalidState(f"deal {deal_id} cannot be closed where it is now")
        instance.send_message(CLOSE_MESSAGE, payload)
        snap = _apply(ctx, store, deal, instance, actor, "closed", dict(payload), before)
        if deal.status == DealStatus.OPEN:
            raise DiagramError(
                "the process did not reach an outcome after the close request",
                element_id=snap.end_event,
            )
        store.commit()
        return deal_view(ctx, store, deal)


def reopen_deal(ctx: Context, actor: Actor, deal_id: int) -> DealView:
    """Create a new opportunity linked to a closed one, which stays closed and unchanged."""
    with ctx.uow() as store:
        old = store.get(Deal, deal_id, "deal")
        common.require_subject_access(store, actor, old)
        if old.status == DealStatus.OPEN:
            raise InvalidState(f"deal {deal_id} is open; only a closed deal can be reopened")
        already = store.reopened_as(old.id)
        if already is not None:
            raise InvalidState(
                f"deal {deal_id} was already reopened as deal {already}", reopened_as_id=already
            )
        owner = store.get(User, old.owner_id, "user")
        pv = store.get(ProcessVersion, old.process_version_id, "process version")
        fields = {
            "name": old.name,
            "customer": old.customer,
            "value": old.value,
            "currency": old.currency,
            "expected_close_date": old.expected_close_date,
            "fields": dict(old.fields or {}),
        }
        deal = start_deal(
            ctx,
            store,
            actor,
            owner,
            fields,
            process=pv.process.key,
            lead_id=old.lead_id,
            reopened_from_id=old.id,
            detail={"reopened_from": old.id},
        )
        store.commit()
        return deal_view(ctx, store, deal)


# -- editing --------------------------------------------------------------------------------
def _custom(values: object, where: str, types: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise InvalidInput(f"{where} must be an object", field=where)
    out = {}
    for name, value in values.items():
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            raise InvalidInput(
                f"{where} field {name!r} must be snake_case", field=f"{where}.{name}"
            )
        ref = types.get(name)
        if ref is None:
            from bpmn_sales.domain.rules import FieldRef

            ref = FieldRef(where.split("_")[0], name)
        out[name] = convert(ref, value, f"{where}.{name}")
    return out


def _merge(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**current, **changes}
    merged = {k: v for k, v in merged.items() if v is not None}
    if len(merged) > MAX_CUSTOM_FIELDS:
        raise InvalidInput(f"at most {MAX_CUSTOM_FIELDS} custom fields", field="fields")
    return merged


def update_deal(
    ctx: Context,
    actor: Actor,
    deal_id: int,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> DealView:
    """Change a deal's fields, its customer's fields and its stage fields (null clears one)."""
    allowed = {
        "name",
        "customer",
        "value",
        "currency",
        "expected_close_date",
        "fields",
        "customer_fields",
        "stage_fields",
    }
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput("nothing to change", field="changes")
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidInput(
            f"unknown field {unknown[0]!r} ({', '.join(sorted(allowed))})", field=unknown[0]
        )
    with ctx.uow() as store:
        deal = _load(store, actor, deal_id, expected_version)
        if deal.status not in (DealStatus.OPEN, DealStatus.WON):
            raise InvalidState(f"deal {deal_id} is {deal.status}; it cannot be changed")
        rules = common.rules_for(ctx, store, deal)
        now = ctx.clock()
        if "name" in changes:
            deal.name = required_text(changes["name"], "name")
        if "value" in changes:
            deal.value = money(changes["value"], "value") or Decimal("0.00")
        if "currency" in changes:
            deal.currency = currency(changes["currency"])
        if "expected_close_date" in changes:
            deal.expected_close_date = optional_date(
                changes["expected_close_date"], "expected_close_date"
            )
        if "customer" in changes:
            name = optional_text(changes["customer"], "customer")
            customer = customer_for(store, name, now)
            deal.customer, deal.customer_id = name, customer.id if customer else None
        if "fields" in changes:
            values = _custom(changes["fields"], "deal_fields", declared(rules, "deal"))
            deal.fields = _merge(dict(deal.fields or {}), values)
        if "customer_fields" in changes:
            customer = store.session.get(Customer, deal.customer_id) if deal.customer_id else None
            if customer is None:
                raise InvalidState(f"deal {deal_id} has no customer; set its customer first")
            values = _custom(
                changes["customer_fields"], "customer_fields", declared(rules, "customer")
            )
            customer.fields = _merge(dict(customer.fields or {}), values)
            customer.updated_at = now
        if "stage_fields" in changes:
            by_stage = changes["stage_fields"]
            if not isinstance(by_stage, dict):
                raise InvalidInput("stage_fields must be an object of stages", field="stage_fields")
            merged = dict(deal.stage_fields or {})
            for stage_key, values in by_stage.items():
                types = stage_declared(rules, str(stage_key))
                if not isinstance(values, dict):
                    raise InvalidInput(
                        f"stage_fields.{stage_key} must be an object", field="stage_fields"
                    )
                undeclared = sorted(set(values) - set(types))
                if undeclared:
                    raise InvalidInput(
                        f"stage '{stage_key}' has no field {undeclared[0]!r} "
                        f"({', '.join(types) or 'none'})",
                        field=f"stage_fields.{stage_key}.{undeclared[0]}",
                    )
                converted = {
                    n: convert(types[n], v, f"stage_fields.{stage_key}.{n}")
                    for n, v in values.items()
                }
                merged[str(stage_key)] = {
                    k: v
                    for k, v in {**merged.get(str(stage_key), {}), **converted}.items()
                    if v is not None
                }
            deal.stage_fields = merged
        deal.updated_at = now
        live = ctx.live.take(("deal", deal.id, deal.version))
        store.record(
            "deal",
            deal.id,
            now,
            actor.id,
            "updated",
            from_stage=None,
            to_stage=deal.stage_key,
            from_status=deal.status,
            to_status=deal.status,
            detail={"changed": sorted(changes)},
        )
        store.flush()
        if live is not None:
            common.keep_live(ctx, store, deal, live)
        store.commit()
        return deal_view(ctx, store, deal, detail=True)


# -- reading --------------------------------------------------------------------------------
def get_deal(ctx: Context, actor: Actor, deal_id: int) -> DealView:
    with ctx.uow() as store:
        deal = store.get(Deal, deal_id, "deal")
        common.require_subject_access(store, actor, deal)
        return deal_view(ctx, store, deal, detail=True)


def list_deals(
    ctx: Context,
    actor: Actor,
    status: str | None = None,
    stage: str | None = None,
    limit: int = 100,
    process: str | None = None,
    owner: str | None = None,
) -> list[DealView]:
    """The deals the actor may see, filtered by status, stage key, process key and owner."""
    if status is not None and status not in {s.value for s in DealStatus}:
        raise InvalidInput(
            f"status must be one of {', '.join(s.value for s in DealStatus)}, not {status!r}",
            field="status",
        )
    limit = max(1, min(limit, MAX_LIMIT))
    with ctx.uow() as store:
        owners = common.visible_owner_ids(store, actor)
        owner_id = common.owner_filter(store, owner)
        found = store.deal_list(owners, status, stage, process, owner_id, limit)
        return [deal_view(ctx, store, d) for d in found]


def deal_diagram(ctx: Context, actor: Actor, deal_id: int) -> dict[str, Any]:
    """The diagram of the deal's process version, with the element ids to mark on it."""
    with ctx.uow() as store:
        deal = store.get(Deal, deal_id, "deal")
        common.require_subject_access(store, actor, deal)
        instance = common.restore(ctx, store, deal)
        position = instance.position()
        # Reading changes nothing: the instance goes back to the cache under the same version.
        ctx.live.put(("deal", deal.id, deal.version), instance)
        return {
            "deal_id": deal.id,
            "version": deal.version,
            "xml": store.version_diagram(deal.process_version_id),
            "current": position.current,
            "completed": position.completed,
        }


def deal_history(ctx: Context, actor: Actor, deal_id: int) -> list[HistoryView]:
    with ctx.uow() as store:
        return common.history_for(ctx, store, actor, "deal", deal_id)


def deal_tasks(ctx: Context, actor: Actor, deal_id: int) -> list[TaskView]:
    with ctx.uow() as store:
        deal = store.get(Deal, deal_id, "deal")
        common.require_subject_access(store, actor, deal)
        return common.subject_tasks(ctx, store, deal)
