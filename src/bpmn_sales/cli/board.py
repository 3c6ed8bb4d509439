"""Board and process-admin verbs: the pipeline board, switching a process, adding stages."""

from __future__ import annotations

from pathlib import Path

import click

from bpmn_sales.cli.base import State, emit, handled, json_option, main, pass_state
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import formats
from bpmn_sales.services import board, processes
from bpmn_sales.services.board import Board
from bpmn_sales.services.processes import stages


def board_lines(shown: Board) -> list[str]:
    """The board as the JSON has it: the process, each column with its win rate, phase and
    totals, and each card with its customer, value, probability, owner and days in stage."""
    state = "" if shown.enabled else ", disabled"
    moves = ", deals move freely" if shown.free_moves else ""
    lines = [
        f"{shown.process_name} ({shown.process}{state}{moves}): {shown.won} won, {shown.lost} lost"
    ]
    for col in shown.columns:
        totals = "; ".join(formats.money_totals(col.totals))
        renamed = f" ({col.name})" if col.label != col.name else ""
        rate = f" {col.win_rate:g}%" if col.win_rate is not None else ""
        phase = " after the win" if col.phase == "post_sale" else ""
        lines.append(
            f"[{col.position}] {col.label}{renamed}{rate}{phase}: {col.count} deal(s) {totals}"
        )
        lines[-1] = lines[-1].rstrip()
        lines += [
            f"    deal {c.id:<5} {c.name} ({c.customer or '-'}) p={c.probability}% "
            f"{formats.money(c.value, c.currency)} owner={c.owner} {c.days_in_stage}d in stage"
            for c in col.cards
        ]
        if col.next:
            lines.append(f"    ... and more: {col.count} in all")
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
    """Switch a process on or off; choose its departments; scaffold a new one."""


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


@process_group.command(name="departments")
@click.argument("key")
@click.option(
    "--set",
    "names",
    default=None,
    metavar="NAMES",
    help="Departments it applies to, separated by ','; '' for every department.",
)
@json_option
@pass_state
@handled
def process_departments(state: State, key: str, names: str | None, as_json: bool) -> None:
    """Show, or with --set choose, the departments process KEY applies to (admins)."""
    if names is None:
        view = processes.process_for_admin(state.ctx, state.actor(), key)
    else:
        chosen = [n.strip() for n in names.split(",") if n.strip()]
        view = processes.set_departments(state.ctx, state.actor(), key, chosen)
    applies = ", ".join(view.departments) if view.departments else "every department"
    emit(view.to_dict(), as_json, [f"{view.key} applies to {applies}"])


@process_group.command(name="new")
@click.argument("key")
@click.option(
    "--stages",
    required=True,
    metavar="STAGES",
    help="Pre-sale stages in order, with optional win rates: 'Qualify:10,Propose:30'.",
)
@click.option(
    "--post-sale", default="", metavar="STAGES", help="Post-sale stages: 'Install,Train'."
)
@click.option("--free-moves", is_flag=True, help="Let deals move freely between pre-sale stages.")
@click.option("--name", default=None, help="The process name (default: from KEY).")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="The file to write (default: KEY.bpmn); an existing file is not overwritten.",
)
@json_option
@pass_state
@handled
def process_new(
    state: State,
    key: str,
    stages: str,
    post_sale: str,
    free_moves: bool,
    name: str | None,
    out: Path | None,
    as_json: bool,
) -> None:
    """Write a laid-out, lint-clean diagram of a new deal process KEY to edit in a modeler.

    It has lanes, the close pattern, a 7-day reminder on each pre-sale stage and, with
    --free-moves, the move router; deploy it with `bpmn-sales deploy FILE`.
    """
    made = processes.scaffold_process(state.ctx, key, stages, post_sale, free_moves, name)
    target = out or Path(f"{made.key}.bpmn")
    if target.exists():
        raise InvalidInput(f"{target} exists; choose another --out", field="out")
    target.write_bytes(made.xml)
    post = f", post-sale {', '.join(made.post_sale)}" if made.post_sale else ""
    lines = [f"wrote {target}: stages {', '.join(made.stages)}{post}; lint clean"]
    emit(
        {"file": str(target), "key": made.key, "stages": made.stages, "post_sale": made.post_sale},
        as_json,
        lines,
    )


@main.group(name="stage")
def stage_group() -> None:
    """Add or delete a stage of a process (admin; each edit is a new process version)."""


@stage_group.command(name="add")
@click.argument("process_key")
@click.option("--after", required=True, help="The key of the stage the new one follows.")
@click.option("--name", required=True, help="The stage's name.")
@click.option("--key", "stage_key", default=None, help="Its key (default: from the name).")
@click.option("--win-rate", default=None, help="Win rate in percent (default: halfway).")
@click.option("--activity", default=None, help="Its first activity's name.")
@json_option
@pass_state
@handled
def stage_add(
    state: State,
    process_key: str,
    after: str,
    name: str,
    stage_key: str | None,
    win_rate: str | None,
    activity: str | None,
    as_json: bool,
) -> None:
    """Add a stage to PROCESS_KEY after another; running deals stay on their version."""
    change = stages.add(
        state.ctx,
        state.actor(),
        process_key,
        after,
        name,
        key=stage_key,
        win_rate=win_rate,
        activity=activity,
    )
    line = f"stage {change.stage} added to {change.process}: version {change.version}"
    emit(change.to_dict(), as_json, [line])


@stage_group.command(name="delete")
@click.argument("process_key")
@click.argument("stage_key")
@json_option
@pass_state
@handled
def stage_delete(state: State, process_key: str, stage_key: str, as_json: bool) -> None:
    """Delete STAGE_KEY from PROCESS_KEY; refused while any deal is at it."""
    change = stages.delete(state.ctx, state.actor(), process_key, stage_key)
    line = f"stage {change.stage} deleted from {change.process}: version {change.version}"
    emit(change.to_dict(), as_json, [line])
