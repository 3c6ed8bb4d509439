"""Lead verbs: create, list, show, qualify, disqualify, renew, history (acting as `--as USER`)."""

from __future__ import annotations

import click

from bpmn_sales.cli.base import State, emit, handled, json_option, main, pass_state
from bpmn_sales.cli.views import (
    history_line,
    lead_line,
    show_lead,
    version_option,
)
from bpmn_sales.services import leads


# -- leads ------------------------------------------------------------------------------------
@main.group(name="lead")
def lead_group() -> None:
    """Leads: create, qualify, disqualify, renew, import."""


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
