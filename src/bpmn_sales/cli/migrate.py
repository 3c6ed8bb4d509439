"""`bpmn-sales migrate`: preview and apply moving running deals to a newer version."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from typing import Any

import click

from bpmn_sales.cli.base import State, emit, fail, handled, json_option, main, pass_state
from bpmn_sales.cli.paging import paged_options
from bpmn_sales.domain.paging import DEFAULT_LIMIT, Page
from bpmn_sales.i18n import _
from bpmn_sales.services.processes import migration
from bpmn_sales.services.processes.migration.views import (
    MigrationPreview,
    MigrationProgress,
    MigrationRow,
)

__all__ = ["main"]


def _where(stage: str | None, tasks: list[str]) -> str:
    return f"{stage or '(no stage)'} / {', '.join(tasks) or '(no task ready)'}"


def _row_line(row: MigrationRow) -> str:
    now = _where(row.stage_name, row.tasks)
    head = f"deal {row.deal_id:<5} {row.name} (v{row.from_version}, {row.owner}): {now}"
    if row.movable:
        return f"{head} -> {_where(row.to_stage_name, row.to_tasks)}"
    return f"{head} -> REFUSED: {'; '.join(row.reasons)}"


def _head(shown: MigrationPreview) -> str:
    older = "every older version" if shown.from_version is None else f"v{shown.from_version}"
    return f"{shown.name} ({shown.process}): open deals on {older} -> v{shown.to_version}"


def _counts(movable: int, refused: int, closed: int) -> str:
    return f"{movable} can move, {refused} refused; {closed} closed deal(s) keep their version"


def preview_lines(shown: MigrationPreview) -> list[str]:
    """A page of the preview (every open deal when it fits on one page)."""
    lines = [_head(shown), *(_row_line(row) for row in shown.rows)]
    if shown.complete:
        lines.append(_counts(shown.movable, shown.refused, shown.closed))
    else:
        lines.append(
            _(
                "this page: can move: %(movable)s, refused: %(refused)s; open deals on these "
                "versions: %(open)s (--all plans every one); closed deals, which keep their "
                "version: %(closed)s",
                movable=shown.movable,
                refused=shown.refused,
                open=shown.open,
                closed=shown.closed,
            )
        )
    return lines


def preview_all(read: Callable[[str | None], MigrationPreview], as_json: bool) -> None:
    """Plan every open deal, a page at a time: each page's lines as it is read (or, with
    `as_json`, one preview of every deal), then the exact counts."""
    shown = read(None)
    rows: list[MigrationRow] = []
    if not as_json:
        click.echo(_head(shown))
    while True:
        rows += shown.rows
        if not as_json:
            for row in shown.rows:
                click.echo(_row_line(row))
        if shown.page.next is None:
            break
        shown = read(shown.page.next)
    movable = sum(1 for r in rows if r.movable)
    if as_json:
        whole = replace(shown, page=Page(rows, total=len(rows)))
        click.echo(json.dumps(whole.to_dict(), indent=2, default=str))
    else:
        click.echo(_counts(movable, len(rows) - movable, shown.closed))


def progress_lines(result: MigrationProgress) -> list[str]:
    lines = [
        f"deal {r.deal_id} {r.name}: REFUSED: {'; '.join(r.reasons)}" for r in result.refused_deals
    ]
    lines.append(
        f"run {result.run_id}: {result.moved} moved, {result.refused} refused, "
        f"{result.remaining} remaining to v{result.to_version}"
    )
    return lines


@main.command(name="migrate")
@click.argument("process_key", metavar="PROCESS")
@click.option("--from", "from_version", type=int, default=None, help="Only this older version.")
@click.option("--to", "to_version", type=int, default=None, help="Target (default: newest).")
@click.option("--preview", is_flag=True, help="Show where each open deal would land.")
@click.option("--apply", "apply_", is_flag=True, help="Move the open deals, in batches.")
@click.option("--batch", default=50, show_default=True, help="Deals per batch (--apply).")
@click.option("--run", "run_id", type=int, default=None, help="Go on with this run (--apply).")
@paged_options(default=DEFAULT_LIMIT)
@json_option
@pass_state
@handled
def migrate_command(
    state: State,
    process_key: str,
    from_version: int | None,
    to_version: int | None,
    preview: bool,
    apply_: bool,
    batch: int,
    run_id: int | None,
    limit: int,
    after: str | None,
    every: bool,
    as_json: bool,
) -> None:
    """Move open deals of PROCESS from older versions to a newer one (preview, then apply).

    Each deal moves in its own transaction with a "migrated" history entry; a rerun after an
    interruption moves the rest. Deals that cannot move are listed with the reason.

    --preview plans a page of the open deals, oldest first (--limit, --after); --all plans
    every one, page after page, and counts exactly how many can move.
    """
    if preview == apply_:
        fail("choose --preview (see where deals land) or --apply (move them)")
    ctx, actor = state.ctx, state.actor()
    if preview:

        def read(cursor: str | None) -> MigrationPreview:
            return migration.preview(
                ctx, actor, process_key, from_version, to_version, limit, cursor
            )

        if every:
            preview_all(read, as_json)
            return
        shown = read(after)
        emit(shown.to_dict(), as_json, preview_lines(shown))
        if shown.page.next:
            click.echo(f"more: --after {shown.page.next}", err=True)
        return
    with ExitStack() as stack:
        bars: list[Any] = []

        def advance(progress: MigrationProgress) -> None:
            # Opened at the first batch, so a refused start prints only its error line.
            if not bars:
                bar = click.progressbar(length=1, label="migrating", file=sys.stderr)
                bars.append(stack.enter_context(bar))
            bars[0].length = max(progress.total, 1)
            bars[0].update(progress.done - bars[0].pos)

        result = migration.apply_all(
            ctx, actor, process_key, from_version, to_version, batch, advance, run_id
        )
    emit(result.to_dict(), as_json, progress_lines(result))
    if result.remaining:
        click.echo(
            f"error: {result.remaining} deal(s) changed while moving; run again to finish "
            f"(--run {result.run_id})",
            err=True,
        )
        sys.exit(1)
