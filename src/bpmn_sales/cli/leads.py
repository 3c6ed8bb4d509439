"""Lead verbs: create, list, show, qualify, disqualify, renew, history (acting as `--as USER`)."""

from __future__ import annotations

import click

from bpmn_sales.cli.base import State, handled, json_option, main, pass_state
from bpmn_sales.cli.paging import emit_pages, paged_options
from bpmn_sales.cli.views import (
    history_line,
    lead_line,
    show_lead,
    version_option,
)
from bpmn_sales.domain.model import HistoryView, LeadView
from bpmn_sales.domain.paging import Page
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
@click.option("--currency", help="A 3-letter code (default: the company's currency).")
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
    currency: str | None,
    as_json: bool,
) -> None:
    view = leads.create_lead(
        state.ctx, state.actor(), name, company, email, phone, estimated_value, owner, currency
    )
    show_lead(view, as_json)


@lead_group.command(name="list")
@click.option("--status", type=click.Choice(["new", "qualified", "disqualified"]))
@click.option("--owner", help="The owner's user name.")
@click.option("--search", "q", help="Words the name or company begins a word with.")
@click.option("--sort", type=click.Choice(["newest", "value", "name"]))
@paged_options()
@json_option
@pass_state
@handled
def lead_list(
    state: State,
    status: str | None,
    owner: str | None,
    q: str | None,
    sort: str | None,
    limit: int,
    after: str | None,
    every: bool,
    as_json: bool,
) -> None:
    """List the leads you may see, newest first (or --sort), a page at a time."""
    actor = state.actor()

    def read(cursor: str | None) -> Page[LeadView]:
        return leads.list_leads(
            state.ctx, actor, status, limit, owner, q=q, sort=sort, cursor=cursor
        )

    emit_pages(read, after, every, as_json, LeadView.to_dict, lead_line)


@lead_group.command(name="show")
@click.argument("lead_id", type=int)
@json_option
@pass_state
@handled
def lead_show(state: State, lead_id: int, as_json: bool) -> None:
    show_lead(leads.get_lead(state.ctx, state.actor(), lead_id), as_json)


@lead_group.command(name="qualify")
@click.argument("lead_id", type=int)
@click.option("--value", help="The deal's value (default: the lead's estimate).")
@click.option("--currency", help="A 3-letter code (default: the lead's currency).")
@click.option("--close-date", help="When the deal is expected to close (YYYY-MM-DD).")
@version_option
@json_option
@pass_state
@handled
def lead_qualify(
    state: State,
    lead_id: int,
    value: str | None,
    currency: str | None,
    close_date: str | None,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Qualify a lead into an opportunity; its person becomes the deal's first contact."""
    view = leads.qualify_lead(
        state.ctx,
        state.actor(),
        lead_id,
        expected_version,
        value=value,
        currency_code=currency,
        expected_close_date=close_date,
    )
    show_lead(view, as_json)


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
@click.option("--newest-first", "newest", is_flag=True, help="Newest entries first.")
@paged_options()
@click.argument("lead_id", type=int)
@json_option
@pass_state
@handled
def lead_history(
    state: State,
    lead_id: int,
    newest: bool,
    limit: int,
    after: str | None,
    every: bool,
    as_json: bool,
) -> None:
    """Show a lead's history, oldest first (or --newest-first), a page at a time."""
    actor, order = state.actor(), "newest" if newest else "oldest"

    def read(cursor: str | None) -> Page[HistoryView]:
        return leads.lead_history(state.ctx, actor, lead_id, sort=order, cursor=cursor, limit=limit)

    emit_pages(read, after, every, as_json, HistoryView.to_dict, history_line)
