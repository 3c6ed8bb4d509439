"""Lifecycle verbs: leads, deals and tasks, acting as `--as USER`."""

from __future__ import annotations

import json

import click

from bpmn_sales.cli.base import State, emit, handled, json_option, main, pass_state
from bpmn_sales.domain.model import DealView, HistoryView, LeadView, TaskView
from bpmn_sales.errors import InvalidInput
from bpmn_sales.services import deals, leads, worklist

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


def show_deal(v: DealView, as_json: bool) -> None:
    emit(v.to_dict(), as_json, [deal_line(v), *(f"  task {task_line(t)}" for t in v.tasks)])


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
    as_json: bool,
) -> None:
    """Start an opportunity directly, skipping the lead step."""
    view = deals.create_deal(state.ctx, state.actor(), name, customer, value, currency, owner)
    show_deal(view, as_json)


@deal_group.command(name="list")
@click.option("--status", type=click.Choice(["open", "won", "lost"]))
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
        raise InvalidInput("say --won or --lost", field="outcome")
    view = deals.close_deal(state.ctx, state.actor(), deal_id, outcome, reason, expected_version)
    show_deal(view, as_json)


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
@click.option("--role", type=click.Choice(["rep", "manager"]))
@json_option
@pass_state
@handled
def task_list(state: State, role: str | None, as_json: bool) -> None:
    views = worklist.list_tasks(state.ctx, state.actor(), role)
    emit([t.to_dict() for t in views], as_json, (task_line(t) for t in views))


@task_group.command(name="complete")
@click.argument("task_id")
@click.option("--data", "data_json", default=None, help="Form data as a JSON object.")
@version_option
@json_option
@pass_state
@handled
def task_complete(
    state: State, task_id: str, data_json: str | None, expected_version: int | None, as_json: bool
) -> None:
    """Complete a ready task (an activity of a deal's stage, or a lead review)."""
    try:
        data = json.loads(data_json) if data_json else None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--data is not JSON: {exc.msg}", field="data") from None
    view = worklist.complete_task(state.ctx, state.actor(), task_id, data, expected_version)
    emit(view.to_dict(), as_json, [f"completed {task_line(view)}"])
