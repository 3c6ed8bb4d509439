"""`lead import FILE` and `deal import FILE`: a CSV or XLSX file checked, then imported, with
progress."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import click

from bpmn_sales.cli.base import State, emit, fail, handled, json_option, pass_state
from bpmn_sales.cli.deals import deal_group
from bpmn_sales.cli.leads import lead_group
from bpmn_sales.domain.columns import mapping_pairs
from bpmn_sales.i18n import _, ngettext
from bpmn_sales.services import importing
from bpmn_sales.services.importing import ImportOptions, ImportReport, Progress
from bpmn_sales.services.importing.reading import estimated_rows

Importer = Callable[..., ImportReport]
# The progress bars' labels, by the import's phase.
PHASES: dict[str, Callable[[], str]] = {
    "checking": lambda: _("checking"),
    "importing": lambda: _("importing"),
}


def _created(report: ImportReport) -> str:
    n = report.created
    if report.kind == "lead":
        if report.applied:
            return ngettext("%(num)s lead created", "%(num)s leads created", n)
        return ngettext("would create %(num)s lead", "would create %(num)s leads", n)
    if report.applied:
        return ngettext("%(num)s deal created", "%(num)s deals created", n)
    return ngettext("would create %(num)s deal", "would create %(num)s deals", n)


def summary(report: ImportReport) -> Iterator[str]:
    """The counts, then one line per duplicate and per bad row."""
    parts = [
        _created(report),
        ngettext("%(num)s duplicate skipped", "%(num)s duplicates skipped", len(report.duplicates)),
        ngettext(
            "%(num)s bad row of %(rows)s",
            "%(num)s bad rows of %(rows)s",
            report.bad_rows,
            rows=report.rows,
        ),
    ]
    if not (report.applied or report.dry_run):
        parts.append(_("nothing imported"))
    yield "; ".join(parts)
    for note in report.duplicates:
        yield _("%(note)s (skipped)", note=str(note))
    for note in report.errors:
        yield str(note)


def _bar(stack: ExitStack, total: int) -> Progress:
    bars: dict[str, Any] = {}

    def advance(phase: str, done: int, of: int | None) -> None:
        if phase not in bars:  # opened at the first batch: a refused file prints only its error
            for bar in bars.values():
                bar.render_finish()
            label = PHASES[phase]() if phase in PHASES else phase
            bar = click.progressbar(length=max(of or total, 1), label=label, file=sys.stderr)
            bars[phase] = stack.enter_context(bar)
        bar = bars[phase]
        bar.update(min(done, bar.length) - bar.pos)

    return advance


def run(
    state: State,
    importer: Importer,
    file: str,
    options: ImportOptions,
    as_json: bool,
    progress: bool | None,
) -> None:
    ctx, actor = state.ctx, state.actor()
    if progress is None:  # a terminal watches; a script reads one error line at most
        progress = sys.stderr.isatty()
    try:
        stream = open(file, "rb")  # noqa: SIM115 - closed by the ExitStack below
    except OSError as error:
        fail(_("cannot read %(file)s: %(error)s", file=file, error=error.strerror))
    with ExitStack() as stack:
        stack.enter_context(stream)
        advance = _bar(stack, estimated_rows(stream)) if progress else None
        report = importer(ctx, actor, stream, options, advance)
    emit(report.to_dict(), as_json, summary(report))
    if report.errors:
        bad = report.bad_rows
        if report.applied:
            fail(
                ngettext(
                    "%(num)s bad row skipped; the others were imported",
                    "%(num)s bad rows skipped; the others were imported",
                    bad,
                )
            )
        if options.dry_run:
            fail(
                ngettext(
                    "%(num)s bad row; nothing written (fix it, or --skip-invalid to import the "
                    "others)",
                    "%(num)s bad rows; nothing written (fix them, or --skip-invalid to import "
                    "the others)",
                    bad,
                )
            )
        fail(
            ngettext(
                "%(num)s bad row; nothing imported (fix it, or --skip-invalid to import the "
                "others)",
                "%(num)s bad rows; nothing imported (fix them, or --skip-invalid to import the "
                "others)",
                bad,
            )
        )


def import_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options both verbs share."""
    options = [
        click.argument("file", type=click.Path(dir_okay=False)),
        click.option("--dry-run", is_flag=True, help="Check every row; write nothing."),
        click.option(
            "--skip-invalid", is_flag=True, help="Import the good rows even if some are bad."
        ),
        click.option(
            "--map",
            "mapping",
            multiple=True,
            metavar="HEADER=FIELD",
            help="Read a column as this field (repeat for more).",
        ),
        click.option(
            "--ignore", multiple=True, metavar="HEADER", help="Leave this column out (repeat)."
        ),
        click.option(
            "--id-column",
            metavar="HEADER",
            help="The column of the other system's ids: a row whose id was imported is a "
            "duplicate.",
        ),
        click.option(
            "--progress/--no-progress",
            default=None,
            help="Progress bars on stderr (default: when it is a terminal).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@lead_group.command(name="import")
@import_options
@json_option
@pass_state
@handled
def lead_import(
    state: State,
    file: str,
    dry_run: bool,
    skip_invalid: bool,
    mapping: tuple[str, ...],
    ignore: tuple[str, ...],
    id_column: str | None,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Import leads from a CSV or XLSX file (all or nothing unless --skip-invalid)."""
    options = ImportOptions(dry_run, skip_invalid, mapping_pairs(mapping), ignore, id_column)
    run(state, importing.import_leads, file, options, as_json, progress)


@deal_group.command(name="import")
@import_options
@click.option("--process", help="Start every deal on this process (default: each owner's).")
@json_option
@pass_state
@handled
def deal_import(
    state: State,
    file: str,
    dry_run: bool,
    skip_invalid: bool,
    mapping: tuple[str, ...],
    ignore: tuple[str, ...],
    id_column: str | None,
    progress: bool | None,
    process: str | None,
    as_json: bool,
) -> None:
    """Import deals from a CSV or XLSX file (all or nothing unless --skip-invalid)."""
    options = ImportOptions(
        dry_run, skip_invalid, mapping_pairs(mapping), ignore, id_column, process
    )
    run(state, importing.import_deals, file, options, as_json, progress)
