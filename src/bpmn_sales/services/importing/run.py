"""The import use case: check every row, then create the good ones, batch by batch.

Two passes over the file. The first parses each row, resolves its owner and process, and
finds duplicates (in the file, and in the database one query per batch of rows); it writes
nothing and keeps only line numbers. Unless it is a dry run, or a row is bad and bad rows are
not to be skipped, the second pass reads the file again and creates the rows the first one
found good (a batch's leads through `leads.lifecycle.new_leads`, its deals through
`importing.deals.DealBatch`, each writing each kind of row once for the batch),
committing each batch in its own transaction and keeping no record, so a file of any length
runs in the memory of one batch. An import cut short (a crash, a restart) leaves whole batches
behind: running the same file again skips them as duplicates and creates the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from bpmn_sales.context import Context
from bpmn_sales.domain.columns import Columns, resolve_columns
from bpmn_sales.domain.model import MAX_NAME, Actor
from bpmn_sales.errors import SalesError
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import ProcessVersion, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.deals.start import resolve_owner
from bpmn_sales.services.importing.kinds import (
    Kind,
    NewRow,
    Parsed,
    company_currency,
    parse_row,
)
from bpmn_sales.services.importing.reading import Row, TableFile, open_table
from bpmn_sales.services.processes import choice
from bpmn_sales.services.processes.definitions import startable_version

BATCH = 500
# Progress: (phase "checking" or "importing", rows done, rows in all or None while unknown).
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class ImportOptions:
    """How to read the file and what to do with it."""

    dry_run: bool = False
    skip_invalid: bool = False
    mapping: dict[str, str] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()
    id_column: str | None = None
    process: str | None = None  # deals: start them all on this process


@dataclass(frozen=True)
class RowNote:
    """A row not imported: its line in the file, the column at fault, and why."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return _(
            "line %(line)s: %(column)s: %(reason)s",
            line=self.line,
            column=self.column,
            reason=self.message,
        )

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    """What an import did, or would do: rows read, created, duplicates and bad rows.

    Unless `applied`, nothing was written and `created` counts what would be.
    """

    kind: str
    rows: int = 0
    created: int = 0
    dry_run: bool = False
    applied: bool = False
    duplicates: list[RowNote] = field(default_factory=list)
    errors: list[RowNote] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        """Rows with at least one error (a row may have several)."""
        return len({note.line for note in self.errors})

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "bad_rows": self.bad_rows,
            "created": self.created,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "duplicates": [note.to_dict() for note in self.duplicates],
            "errors": [note.to_dict() for note in self.errors],
        }


def _batches(rows: Iterator[Row]) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _Import:
    """One run: the file, its columns, and what is cached per owner while it runs."""

    def __init__(
        self,
        ctx: Context,
        store: Store,
        actor: Actor,
        kind: Kind,
        file: TableFile,
        columns: Columns,
        options: ImportOptions,
    ) -> None:
        self.ctx, self.store, self.actor, self.kind = ctx, store, actor, kind
        self.file, self.columns, self.options = file, columns, options
        self.owners: dict[str, tuple[User, ProcessVersion] | str] = {}
        self.seen: dict[Any, int] = {}  # duplicate key -> the line that has it first
        self.good: set[int] = set()
        self.currency: str | None = None

    def cells(self, row: Row) -> tuple[dict[str, str], str | None]:
        """The row's cells by field, and its external id."""
        by_field = {f: "" for f in self.columns.fields if f}
        for position, cell in enumerate(row.cells[: len(self.columns.fields)]):
            name = self.columns.fields[position]
            if name:
                by_field[name] = cell.strip()
        index = self.columns.id_index
        external = row.cells[index].strip() if index is not None and index < len(row.cells) else ""
        return by_field, external or None

    def owner(self, name: str) -> tuple[User, ProcessVersion] | str:
        """The owner's user and the version its records start on, or why not (cached)."""
        if name not in self.owners:
            try:
                user = resolve_owner(self.store, self.actor, name or None)
                version = choice.version_for(
                    self.ctx, self.store, user, self.kind.name, self.options.process
                )
                self.owners[name] = (user, version)
            except SalesError as error:
                self.owners[name] = error.message
        return self.owners[name]

    def check(self, report: ImportReport, progress: Progress | None) -> None:
        """The first pass: bad rows and duplicates reported, good lines remembered."""
        for batch in _batches(self.file.rows()):
            keyed: list[tuple[int, list[tuple[str, Any]]]] = []
            for row in batch:
                report.rows += 1
                keys = self.check_row(row, report)
                if keys is not None:
                    keyed.append((row.line, keys))
            self.check_duplicates(keyed, report)
            if progress:
                progress("checking", report.rows, None)

    def check_row(self, row: Row, report: ImportReport) -> list[tuple[str, Any]] | None:
        by_field, external = self.cells(row)
        parsed, problems = parse_row(self.kind, by_field)
        owner = self.owner(parsed.owner) if "owner" not in problems else None
        if isinstance(owner, str):
            problems["owner"] = owner
        elif owner is not None and self.kind.verify is not None and not problems:
            problems.update(self.kind.verify(self.ctx, self.store, owner[1], parsed))
        extra = [cell for cell in row.cells[len(self.columns.headers) :] if cell.strip()]
        if extra:
            count = len(self.columns.headers)
            report.errors.append(
                RowNote(
                    row.line,
                    _("column %(number)s", number=count + 1),
                    _("the header names %(count)s columns", count=count),
                )
            )
        if external and len(external) > MAX_NAME:
            problems["external_id"] = _("the id is longer than %(most)s characters", most=MAX_NAME)
        for field_name, message in problems.items():
            report.errors.append(RowNote(row.line, self.column(field_name), message))
        if problems or extra:
            return None
        keys = [("external_id", external)] if external else []
        return keys + self.kind.keys(parsed, external is not None)

    def check_duplicates(
        self, keyed: Sequence[tuple[int, list[tuple[str, Any]]]], report: ImportReport
    ) -> None:
        """Rows whose key an earlier line or a record has: one query per key field."""
        wanted: dict[str, set[Any]] = {}
        for _key, keys in keyed:
            for field_name, value in keys:
                wanted.setdefault(field_name, set()).add(value)
        stored = {f: self.kind.existing(self.store, f, v) for f, v in wanted.items()}
        for line, keys in keyed:
            note = self.duplicate(line, keys, stored)
            if note is None:
                self.good.add(line)
                for key in keys:
                    self.seen[key] = line
            else:
                report.duplicates.append(note)

    def duplicate(
        self, line: int, keys: list[tuple[str, Any]], stored: dict[str, dict[Any, int]]
    ) -> RowNote | None:
        for field_name, value in keys:
            column = self.column(field_name)
            if (field_name, value) in self.seen:
                return RowNote(
                    line, column, _("duplicate of line %(line)s", line=self.seen[field_name, value])
                )
            record = stored[field_name].get(value)
            if record is not None:
                return RowNote(
                    line,
                    column,
                    (
                        _("lead %(id)s has it already", id=record)
                        if self.kind.name == "lead"
                        else _("deal %(id)s has it already", id=record)
                    ),
                )
        return None

    def column(self, field_name: str) -> str:
        if field_name == "external_id":
            index = self.columns.id_index
            return self.columns.headers[index] if index is not None else field_name
        return self.columns.column_of(field_name)

    def create(self, report: ImportReport, progress: Progress | None) -> None:
        """The second pass: create the good rows, each batch its own transaction (its leads,
        their tasks and history written table by table, not row by row)."""
        self.store.bulk = True
        create = self.kind.create(self.ctx, self.store, self.actor)
        for batch in _batches(self.file.rows()):
            rows: list[NewRow] = []
            for row in batch:
                if row.line not in self.good:
                    continue
                by_field, external = self.cells(row)
                parsed, _rest = parse_row(self.kind, by_field)
                owner = self.owner(parsed.owner)
                assert not isinstance(owner, str)  # the first pass refused the row otherwise
                rows.append(self.new_row(parsed, owner, external, row.line))
            create(rows)
            report.created += len(rows)
            self.store.commit()
            if progress:
                progress("importing", report.created, len(self.good))

    def new_row(
        self, parsed: Parsed, owner: tuple[User, ProcessVersion], external: str | None, line: int
    ) -> NewRow:
        user, version = owner
        if self.kind.verify is not None:  # as in the first pass: the stage read as its key
            self.kind.verify(self.ctx, self.store, version, parsed)
        if not parsed.fields.get("currency"):  # the company's, read once for the whole file
            if self.currency is None:
                self.currency = company_currency(self.store)
            parsed.fields["currency"] = self.currency
        return user, version, parsed, external, line


def run_import(
    ctx: Context,
    actor: Actor,
    kind: Kind,
    stream: IO[bytes],
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV or XLSX file of leads or deals: check all rows, then create the good ones."""
    file = open_table(stream)
    columns = resolve_columns(
        file.headers, kind.names, options.mapping, options.ignored, options.id_column
    )
    report = ImportReport(kind.name, dry_run=options.dry_run)
    with ctx.uow() as store:
        if options.process:
            startable_version(store, options.process)  # an unknown process, said once
        run = _Import(ctx, store, actor, kind, file, columns, options)
        run.check(report, progress)
        if options.dry_run or (report.errors and not options.skip_invalid):
            report.created = len(run.good)  # would create: nothing is written
            return report
        run.create(report, progress)
        report.applied = True
        return report
