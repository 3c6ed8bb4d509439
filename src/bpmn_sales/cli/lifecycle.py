"""Lifecycle verbs: leads, deals and tasks, acting as `--as USER`."""

from __future__ import annotations

import json

import click

from bpmn_sales.cli.base import State, emit, handled, json_option, main, pass_state
from bpmn_sales.domain.model import DealView, HistoryView, LeadView, TaskView
from bpmn_sales.errors import InvalidInput
from bpmn_sales.services import deals, leads, notices, records, worklist

version_option = click.option(
    "--expect-version",
    "expected_version",
    type=int,
    default=None,
    help="Refuse if the record is no longer at this version.",
)


def lead_line(v: LeadView) -> str:
    deal = f" -> deal {v.deal_id}" if v.deal_id else ""
    reason = f" ({v.disqualify_reason})" if v.disqualify_reason else ""
    return (
        f"lead {v.id:<5} {v.status:<12}{reason} {v.name} / {v.company or '-'} owner={v.owner}{deal}"
    )


def deal_line(v: DealView) -> str:
    stage = v.stage_name or "-"
    extra = f" reason={v.lost_reason}" if v.lost_reason else ""
    link = f" reopened-from={v.reopened_from_id}" if v.reopened_from_id else ""
    return (
        f"deal {v.id:<5} {v.status:<5} stage={stage:<16} p={v.probability:>3}% "
        f"{v.value:>12} {v.currency} {v.name} owner={v.owner}{extra}{link}"
    )


def task_line(t: TaskView) -> str:
    return (
        f"{t.task_id}  {t.title:<28} role={t.role:<8} {t.subject_type} {t.subject_id} "
        f"({t.subject_name})"
    )


def history_line(h: HistoryView) -> str:
    move = ""
    if h.from_stage != h.to_stage and (h.from_stage or h.to_stage):
        move = f" stage {h.from_stage or '-'} -> {h.to_stage or '-'}"
    status = (
        f" status {h.from_status or '-'} -> {h.to_status}" if h.from_status != h.to_status else ""
    )
    detail = f" {json.dumps(h.detail)}" if h.detail else ""
    return f"{h.at:%Y-%m-%d %H:%M:%S} {h.actor or '-':<10} {h.action:<15}{move}{status}{detail}"


def show_lead(v: LeadView, as_json: bool) -> None:
    emit(v.to_dict(), as_json, [lead_line(v), *(f"  task {task_line(t)}" for t in v.tasks)])


def detail_lines(v: DealView) -> list[str]:
    if not v.detail:
        return []
    path = " > ".join(
        f"[{s['name']}]" if s["state"] == "current" else s["name"] for s in v.detail["stages"]
    )
    lines = [f"  stages: {path}"]
    lines += [
        f"  {'[x]' if a['done'] else '[ ]'} {a['name']} (weight {a['weight']:g}"
        f"{', obligatory' if a['obligatory'] else ''})"
        for a in v.detail["checklist"]
    ]
    lines += [f"  needed to leave the stage: {u}" for u in v.detail["unmet_requirements"]]
    lines += [f"  needed to win: {u}" for u in v.detail["win_blockers"]]
    return lines


def show_deal(v: DealView, as_json: bool) -> None:
    emit(
        v.to_dict(),
        as_json,
        [deal_line(v), *detail_lines(v), *(f"  task {task_line(t)}" for t in v.tasks)],
    )


# -- leads ------------------------------------------------------------------------------------
@main.group(name="lead")
def lead_group() -> None:
    """Leads: create, qualify, disqualify, renew."""


@lead_group.command(name="create")
@click.option("--name", required=True, help="Contact name.")
@click.option("--company")
@click.option("--email")
@click.option("--phone")
@click.option("--value", "estimated_value", help="Estimated value.")
@click.option("--owner", help="Owner username (default: you).")
@json_option
@pass_state
@handled
def lead_create(
    state: State,
    name: str,
    company: str | None,
    email: str | None,
    phone: str | None,
    estimated_value: str | None,
    owner: str | None,
    as_json: bool,
) -> None:
    view = leads.create_lead(
        state.ctx, state.actor(), name, company, email, phone, estimated_value, owner
    )
    show_lead(view, as_json)


@lead_group.command(name="list")
@click.option("--status", type=click.Choice(["new", "qualified", "disqualified"]))
@json_option
@pass_state
@handled
def lead_list(state: State, status: str | None, as_json: bool) -> None:
    views = leads.list_leads(state.ctx, state.actor(), status)
    emit([v.to_dict() for v in views], as_json, (lead_line(v) for v in views))


@lead_group.command(name="show")
@click.argument("lead_id", type=int)
@json_option
@pass_state
@handled
def lead_show(state: State, lead_id: int, as_json: bool) -> None:
    show_lead(leads.get_lead(state.ctx, state.actor(), lead_id), as_json)


@lead_group.command(name="qualify")
@click.argument("lead_id", type=int)
@version_option
@json_option
@pass_state
@handled
def lead_qualify(state: State, lead_id: int, expected_version: int | None, as_json: bool) -> None:
    """Qualify a lead into an opportunity."""
    show_lead(leads.qualify_lead(state.ctx, state.actor(), lead_id, expected_version), as_json)


@lead_group.command(name="disqualify")
@click.argument("lead_id", type=int)
@click.option("--reason", required=True)
@version_option
@json_option
@pass_state
@handled
def lead_disqualify(
    state: State, lead_id: int, reason: str, expected_version: int | None, as_json: bool
) -> None:
    view = leads.disqualify_lead(state.ctx, state.actor(), lead_id, reason, expected_version)
    show_lead(view, as_json)


@lead_group.command(name="renew")
@click.argument("lead_id", type=int)
@version_option
@json_option
@pass_state
@handled
def lead_renew(state: State, lead_id: int, expected_version: int | None, as_json: bool) -> None:
    """Set a disqualified lead back to New; qualification runs again."""
    show_lead(leads.renew_lead(state.ctx, state.actor(), lead_id, expected_version), as_json)


@lead_group.command(name="history")
@click.argument("lead_id", type=int)
@json_option
@pass_state
@handled
def lead_history(state: State, lead_id: int, as_json: bool) -> None:
    entries = leads.lead_history(state.ctx, state.actor(), lead_id)
    emit([h.to_dict() for h in entries], as_json, (history_line(h) for h in entries))


# -- deals ------------------------------------------------------------------------------------
@main.group(name="deal")
def deal_group() -> None:
    """Opportunities: start, develop, close, reopen."""


@deal_group.command(name="create")
@click.option("--name", required=True)
@click.option("--customer")
@click.option("--value")
@click.option("--currency")
@click.option("--owner", help="Owner username (default: you).")
@click.option("--process", help="Process key (default: the one for the owner's department).")
@click.option("--expected-close-date", help="YYYY-MM-DD.")
@json_option
@pass_state
@handled
def deal_create(
    state: State,
    name: str,
    customer: str | None,
    value: str | None,
    currency: str | None,
    owner: str | None,
    process: str | None,
    expected_close_date: str | None,
    as_json: bool,
) -> None:
    """Start an opportunity directly, skipping the lead step."""
    view = deals.create_deal(
        state.ctx,
        state.actor(),
        name,
        customer,
        value,
        currency,
        owner,
        process,
        expected_close_date,
    )
    show_deal(view, as_json)


@deal_group.command(name="list")
@click.option("--status", type=click.Choice(["open", "won", "lost", "invalid"]))
@click.option("--stage", help="Stage key.")
@json_option
@pass_state
@handled
def deal_list(state: State, status: str | None, stage: str | None, as_json: bool) -> None:
    views = deals.list_deals(state.ctx, state.actor(), status, stage)
    emit([v.to_dict() for v in views], as_json, (deal_line(v) for v in views))


@deal_group.command(name="show")
@click.argument("deal_id", type=int)
@json_option
@pass_state
@handled
def deal_show(state: State, deal_id: int, as_json: bool) -> None:
    show_deal(deals.get_deal(state.ctx, state.actor(), deal_id), as_json)


@deal_group.command(name="close")
@click.argument("deal_id", type=int)
@click.option("--won", "outcome", flag_value="won", help="Close as won.")
@click.option("--lost", "outcome", flag_value="lost", help="Close as lost (needs --reason).")
@click.option("--invalid", "outcome", flag_value="invalid", help="Close as invalid.")
@click.option("--reason", help="Lost reason, from the process's list.")
@version_option
@json_option
@pass_state
@handled
def deal_close(
    state: State,
    deal_id: int,
    outcome: str | None,
    reason: str | None,
    expected_version: int | None,
    as_json: bool,
) -> None:
    if outcome is None:
        raise InvalidInput("say --won, --lost or --invalid", field="outcome")
    view = deals.close_deal(state.ctx, state.actor(), deal_id, outcome, reason, expected_version)
    show_deal(view, as_json)


@deal_group.command(name="move")
@click.argument("deal_id", type=int)
@click.argument("stage")
@version_option
@json_option
@pass_state
@handled
def deal_move(
    state: State, deal_id: int, stage: str, expected_version: int | None, as_json: bool
) -> None:
    """Move a deal to another stage (where the process allows free moves)."""
    show_deal(deals.move_deal(state.ctx, state.actor(), deal_id, stage, expected_version), as_json)


def _assignments(pairs: tuple[str, ...], option: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InvalidInput(f"{option} takes NAME=VALUE, not {pair!r}", field=option)
        out[name] = value if value != "" else None
    return out


@deal_group.command(name="update")
@click.argument("deal_id", type=int)
@click.option("--name")
@click.option("--customer")
@click.option("--value")
@click.option("--expected-close-date", help="YYYY-MM-DD; empty clears it.")
@click.option("--field", "fields", multiple=True, help="Deal field NAME=VALUE.")
@click.option("--customer-field", "customer_fields", multiple=True, help="NAME=VALUE.")
@click.option("--stage-field", "stage_fields", multiple=True, help="STAGE.NAME=VALUE.")
@version_option
@json_option
@pass_state
@handled
def deal_update(
    state: State,
    deal_id: int,
    name: str | None,
    customer: str | None,
    value: str | None,
    expected_close_date: str | None,
    fields: tuple[str, ...],
    customer_fields: tuple[str, ...],
    stage_fields: tuple[str, ...],
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Change a deal's fields, its customer's fields or its stage fields."""
    changes: dict[str, object] = {}
    for key, given in (
        ("name", name),
        ("customer", customer),
        ("value", value),
        ("expected_close_date", expected_close_date),
    ):
        if given is not None:
            changes[key] = given
    if fields:
        changes["fields"] = _assignments(fields, "--field")
    if customer_fields:
        changes["customer_fields"] = _assignments(customer_fields, "--customer-field")
    if stage_fields:
        by_stage: dict[str, dict[str, object]] = {}
        for key, field_value in _assignments(stage_fields, "--stage-field").items():
            stage, dot, field_name = key.partition(".")
            if not dot:
                raise InvalidInput("--stage-field takes STAGE.NAME=VALUE", field="--stage-field")
            by_stage.setdefault(stage, {})[field_name] = field_value
        changes["stage_fields"] = by_stage
    view = deals.update_deal(state.ctx, state.actor(), deal_id, changes, expected_version)
    show_deal(view, as_json)


@deal_group.command(name="contact")
@click.argument("deal_id", type=int)
@click.option("--name", required=True)
@click.option("--email")
@click.option("--phone")
@click.option("--title")
@json_option
@pass_state
@handled
def deal_contact(
    state: State,
    deal_id: int,
    name: str,
    email: str | None,
    phone: str | None,
    title: str | None,
    as_json: bool,
) -> None:
    """Add a contact person to the deal's customer."""
    contact = records.add_contact(state.ctx, state.actor(), deal_id, name, email, phone, title)
    emit(contact, as_json, [f"contact {contact['id']} {contact['name']} added"])


@deal_group.command(name="note")
@click.argument("deal_id", type=int)
@click.argument("text")
@click.option("--file", "paths", multiple=True, type=click.Path(dir_okay=False))
@json_option
@pass_state
@handled
def deal_note(state: State, deal_id: int, text: str, paths: tuple[str, ...], as_json: bool) -> None:
    """Add a note (with files) to a deal."""
    ids = _upload(state, deal_id, paths)
    note = records.add_note(state.ctx, state.actor(), deal_id, text, ids)
    emit(note, as_json, [f"note {note['id']} added"])


@deal_group.command(name="attach")
@click.argument("deal_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False))
@json_option
@pass_state
@handled
def deal_attach(state: State, deal_id: int, path: str, as_json: bool) -> None:
    """Attach a file to a deal."""
    [attachment_id] = _upload(state, deal_id, (path,))
    emit({"id": attachment_id}, as_json, [f"attachment {attachment_id} stored"])


@deal_group.command(name="order")
@click.argument("deal_id", type=int)
@click.option("--amount", help="Default: the deal's value.")
@click.option("--currency")
@json_option
@pass_state
@handled
def deal_order(
    state: State, deal_id: int, amount: str | None, currency: str | None, as_json: bool
) -> None:
    """Create an order on a deal (where the process allows it)."""
    order = records.create_order(state.ctx, state.actor(), deal_id, amount, currency)
    emit(order, as_json, [f"order {order['number']} {order['amount']:.2f} {order['currency']}"])


def _upload(state: State, deal_id: int, paths: tuple[str, ...]) -> list[int]:
    ids = []
    for path in paths:
        try:
            with open(path, "rb") as handle:
                content = handle.read()
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="file") from None
        attachment = records.upload_attachment(state.ctx, state.actor(), deal_id, path, content)
        ids.append(int(attachment["id"]))
    return ids


@deal_group.command(name="reopen")
@click.argument("deal_id", type=int)
@json_option
@pass_state
@handled
def deal_reopen(state: State, deal_id: int, as_json: bool) -> None:
    """Reopen a closed deal as a new, linked opportunity."""
    show_deal(deals.reopen_deal(state.ctx, state.actor(), deal_id), as_json)


@deal_group.command(name="history")
@click.argument("deal_id", type=int)
@json_option
@pass_state
@handled
def deal_history(state: State, deal_id: int, as_json: bool) -> None:
    entries = deals.deal_history(state.ctx, state.actor(), deal_id)
    emit([h.to_dict() for h in entries], as_json, (history_line(h) for h in entries))


# -- tasks ------------------------------------------------------------------------------------
@main.group(name="task")
def task_group() -> None:
    """Ready user tasks of leads and deals."""


@task_group.command(name="list")
@click.option("--role", type=click.Choice(["rep", "manager", "admin"]))
@json_option
@pass_state
@handled
def task_list(state: State, role: str | None, as_json: bool) -> None:
    views = worklist.list_tasks(state.ctx, state.actor(), role)
    emit([t.to_dict() for t in views], as_json, (task_line(t) for t in views))


@task_group.command(name="complete")
@click.argument("task_id")
@click.option("--data", "data_json", default=None, help="Form data as a JSON object.")
@click.option("--note", help="A note, where the activity needs one.")
@click.option("--file", "paths", multiple=True, type=click.Path(dir_okay=False))
@click.option("--approve", "decision", flag_value="approve", help="Approval tasks: approve.")
@click.option("--reject", "decision", flag_value="reject", help="Approval tasks: reject.")
@click.option("--comment", help="Approval comment (needed to reject).")
@version_option
@json_option
@pass_state
@handled
def task_complete(
    state: State,
    task_id: str,
    data_json: str | None,
    note: str | None,
    paths: tuple[str, ...],
    decision: str | None,
    comment: str | None,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Complete a ready task (an activity of a deal's stage, an approval, or a lead review)."""
    try:
        data = json.loads(data_json) if data_json else None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--data is not JSON: {exc.msg}", field="data") from None
    if decision is not None:
        data = {**(data if isinstance(data, dict) else {}), "decision": decision}
        if comment:
            data["comment"] = comment
    ids: list[int] = []
    if paths:
        task = next(
            (t for t in worklist.list_tasks(state.ctx, state.actor()) if t.task_id == task_id),
            None,
        )
        if task is None or task.subject_type != "deal":
            raise InvalidInput("--file needs a ready task of a deal", field="file")
        ids = _upload(state, task.subject_id, paths)
    view = worklist.complete_task(
        state.ctx, state.actor(), task_id, data, expected_version, note, ids or None
    )
    emit(view.to_dict(), as_json, [f"completed {task_line(view)}"])


@main.group(name="notifications")
def notifications_group() -> None:
    """Your in-app notifications."""


@notifications_group.command(name="list")
@click.option("--unread", is_flag=True)
@json_option
@pass_state
@handled
def notifications_list(state: State, unread: bool, as_json: bool) -> None:
    found = notices.list_notifications(state.ctx, state.actor(), unread)
    lines = [f"{found['unread']} unread"] + [
        f"{n['id']:<6} {'*' if not n['read_at'] else ' '} {n['created_at'][:16]} {n['message']}"
        for n in found["notifications"]
    ]
    emit(found, as_json, lines)


@notifications_group.command(name="read")
@click.argument("ids", nargs=-1, type=int)
@pass_state
@handled
def notifications_read(state: State, ids: tuple[int, ...]) -> None:
    """Mark notifications read (all when no ids are given)."""
    count = notices.mark_read(state.ctx, state.actor(), list(ids) if ids else None)
    click.echo(f"{count} marked read")
