"""Deal verbs: create, list, show, close, move, update, records, reopen, history."""

from __future__ import annotations

import click

from bpmn_sales.cli.base import State, emit, handled, json_option, main, pass_state
from bpmn_sales.cli.paging import emit_pages, paged_options
from bpmn_sales.cli.views import (
    deal_line,
    history_line,
    show_deal,
    upload_files,
    version_option,
)
from bpmn_sales.domain.model import DealView, HistoryView
from bpmn_sales.domain.paging import Page
from bpmn_sales.errors import InvalidInput
from bpmn_sales.services import deals
from bpmn_sales.services.deals import records


# -- deals ------------------------------------------------------------------------------------
@main.group(name="deal")
def deal_group() -> None:
    """Opportunities: start, develop, close, reopen, import."""


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
@click.option("--process", help="Process key.")
@click.option("--owner", help="The owner's user name.")
@click.option("--search", "q", help="Words the name or customer begins a word with.")
@click.option("--sort", type=click.Choice(["newest", "value", "close", "name"]))
@paged_options()
@json_option
@pass_state
@handled
def deal_list(
    state: State,
    status: str | None,
    stage: str | None,
    process: str | None,
    owner: str | None,
    q: str | None,
    sort: str | None,
    limit: int,
    after: str | None,
    every: bool,
    as_json: bool,
) -> None:
    """List the deals you may see, newest first (or --sort), a page at a time."""
    actor = state.actor()

    def read(cursor: str | None) -> Page[DealView]:
        return deals.list_deals(
            state.ctx, actor, status, stage, limit, process, owner, q=q, sort=sort, cursor=cursor
        )

    emit_pages(read, after, every, as_json, DealView.to_dict, deal_line)


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
    ids = upload_files(state, deal_id, paths)
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
    [attachment_id] = upload_files(state, deal_id, (path,))
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


@deal_group.command(name="reopen")
@click.argument("deal_id", type=int)
@json_option
@pass_state
@handled
def deal_reopen(state: State, deal_id: int, as_json: bool) -> None:
    """Reopen a closed deal as a new, linked opportunity."""
    show_deal(deals.reopen_deal(state.ctx, state.actor(), deal_id), as_json)


@deal_group.command(name="history")
@click.option("--newest-first", "newest", is_flag=True, help="Newest entries first.")
@paged_options()
@click.argument("deal_id", type=int)
@json_option
@pass_state
@handled
def deal_history(
    state: State,
    deal_id: int,
    newest: bool,
    limit: int,
    after: str | None,
    every: bool,
    as_json: bool,
) -> None:
    """Show a deal's history, oldest first (or --newest-first), a page at a time."""
    actor, order = state.actor(), "newest" if newest else "oldest"

    def read(cursor: str | None) -> Page[HistoryView]:
        return deals.deal_history(state.ctx, actor, deal_id, sort=order, cursor=cursor, limit=limit)

    emit_pages(read, after, every, as_json, HistoryView.to_dict, history_line)
