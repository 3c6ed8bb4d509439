"""Board and process-admin verbs: show the pipeline board, enable or disable a process."""

from __future__ import annotations

import click

from bpmn_sales.cli.base import State, emit, handled, json_option, main, pass_state
from bpmn_sales.services import board, processes
from bpmn_sales.services.board import Board


def board_lines(shown: Board) -> list[str]:
    lines = [f"{shown.process_name} ({shown.process}): {shown.won} won, {shown.lost} lost"]
    for col in shown.columns:
        totals = " + ".join(f"{amount:,.0f} {cur}" for cur, amount in col.totals.items())
        renamed = f" ({col.name})" if col.label != col.name else ""
        lines.append(
            f"[{col.position}] {col.label}{renamed}: {col.count} deal(s) {totals}".rstrip()
        )
        lines += [
            f"    deal {c.id:<5} {c.name} p={c.probability}% {c.value:,.0f} {c.currency} "
            f"owner={c.owner} {c.days_in_stage}d in stage"
            for c in col.cards
        ]
    return lines


@main.command(name="board")
@click.option("--process", "process_key", default=None, help="Process key (default: the first).")
@click.option("--owner", default=None, help="Only this user's deals.")
@click.option("--team", default=None, help="Only the deals of this manager and their reports.")
@json_option
@pass_state
@handled
def board_command(
    state: State, process_key: str | None, owner: str | None, team: str | None, as_json: bool
) -> None:
    """Show the pipeline board: stages as columns, open deals as cards."""
    shown = board.pipeline_board(state.ctx, state.actor(), process_key, owner, team)
    emit(shown.to_dict(), as_json, board_lines(shown))


@main.group(name="process")
def process_group() -> None:
    """Switch a process on or off."""


def _switch(state: State, key: str, enabled: bool, as_json: bool) -> None:
    view = processes.set_enabled(state.ctx, state.actor(), key, enabled)
    state_word = "enabled" if view.enabled else "disabled: no new leads or deals start on it"
    emit(view.to_dict(), as_json, [f"{view.key} {state_word}"])


@process_group.command(name="enable")
@click.argument("key")
@json_option
@pass_state
@handled
def process_enable(state: State, key: str, as_json: bool) -> None:
    """Let new leads and deals start on process KEY again."""
    _switch(state, key, True, as_json)


@process_group.command(name="disable")
@click.argument("key")
@json_option
@pass_state
@handled
def process_disable(state: State, key: str, as_json: bool) -> None:
    """Stop new leads and deals from starting on process KEY (running ones go on)."""
    _switch(state, key, False, as_json)
