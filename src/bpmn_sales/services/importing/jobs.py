"""Imports from the leads and deals pages: upload, map the columns, preview, apply, follow.

The uploaded file is kept with its job (`import_jobs`), so each step is its own short request:
the mapping proposes a field per column from its header, the preview is a dry run of the file
with that mapping, and applying marks the job queued. `run_import_job` then does the import in
batches (each its own transaction) wherever it is called, writing how many rows are done after
each batch, which the page polls; it never holds a request for the length of the file.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.columns import suggested_fields
from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import InvalidInput, InvalidState, NotFound, SalesError
from bpmn_sales.i18n import _, formats, lazy_gettext
from bpmn_sales.persistence.models import ImportJob, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.importing.kinds import DEALS, LEADS, Kind
from bpmn_sales.services.importing.reading import open_table
from bpmn_sales.services.importing.run import ImportOptions, run_import
from bpmn_sales.services.people.users import actor_of
from bpmn_sales.services.processes.definitions import startable_version

LOG = logging.getLogger(__name__)
# What the page says of a failure that is not the file's: the batches done are kept.
UNEXPECTED = lazy_gettext(
    "the import stopped on an unexpected error; the batches imported before it are kept, "
    "and running the file again imports the rest"
)
ID_FIELD = "external_id"  # the column of the other system's ids
EXTENSIONS = ("csv", "txt", "xlsx")
KINDS = {"lead": LEADS, "deal": DEALS}
UPLOADED, PREVIEWING, QUEUED, CHECKING, IMPORTING, DONE, FAILED = (
    "uploaded",
    "previewing",
    "queued",
    "checking",
    "importing",
    "done",
    "failed",
)
FINISHED = (DONE, FAILED)
RUNNING = (PREVIEWING, QUEUED, CHECKING, IMPORTING)
# A running import writes its progress after every batch (seconds); this long without means
# its server stopped (a restart): the page says to run the file again.
STALLED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class ImportJobView:
    """An import as its page shows it: the columns and their fields, then its progress."""

    id: int
    kind: str
    filename: str
    state: str
    columns: list[tuple[str, str]]  # (header, field or "")
    fields: tuple[str, ...]  # what a column may hold, ID_FIELD included
    skip_invalid: bool
    process: str | None
    done_rows: int
    total_rows: int | None
    report: dict[str, Any] | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    stalled: bool = False

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def running(self) -> bool:
        """The preview or the import is under way (the page follows it)."""
        return self.state in RUNNING

    @property
    def previewed(self) -> bool:
        """The dry run of the current mapping is done: `report` is what it would do."""
        return self.state == UPLOADED and self.report is not None

    @property
    def percent(self) -> int:
        """How much of the creating is done (0 while the rows are being checked)."""
        if self.state == DONE:
            return 100
        if self.state != IMPORTING or not self.total_rows:
            return 0
        return min(100, self.done_rows * 100 // self.total_rows)


def _kind(name: str) -> Kind:
    if name not in KINDS:
        raise InvalidInput(_("import %(kind)r: leads or deals only", kind=name), field="kind")
    return KINDS[name]


def _view(job: ImportJob, now: datetime | None = None) -> ImportJobView:
    kind = KINDS[job.kind]
    report = job.report
    notes = []
    if report:
        for note in (*report["duplicates"], *report["errors"]):
            notes.append(
                _(
                    "line %(line)s: %(column)s: %(reason)s",
                    line=note["line"],
                    column=note["column"],
                    reason=note["message"],
                )
            )
    return ImportJobView(
        job.id,
        job.kind,
        job.filename,
        job.state,
        [(header, chosen) for header, chosen in job.mapping],
        (*kind.names, ID_FIELD),
        job.skip_invalid,
        job.process,
        job.done_rows,
        job.total_rows,
        report,
        job.error,
        notes,
        now is not None and job.state in RUNNING and now - job.updated_at > STALLED_AFTER,
    )


def _job(store: Store, actor: Actor, job_id: int) -> ImportJob:
    """The actor's own import; anyone else's is not there for them."""
    try:
        job = store.get(ImportJob, job_id, "import")
    except NotFound:
        job = None
    if job is None or job.user_id != actor.id:
        raise NotFound(_("import %(id)s does not exist", id=job_id), id=job_id)
    return job


def upload_import(
    ctx: Context, actor: Actor, kind_name: str, filename: str, data: bytes
) -> ImportJobView:
    """Keep an uploaded CSV or XLSX file, its columns matched to fields by their headers."""
    kind = _kind(kind_name)
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200] or "upload.csv"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise InvalidInput(
            _(
                "file '%(name)s': only CSV (.csv, .txt) and Excel (.xlsx) files can be imported",
                name=name,
            ),
            field="file",
        )
    if not data:
        raise InvalidInput(_("file '%(name)s' is empty", name=name), field="file")
    if len(data) > ctx.max_upload_bytes:
        raise InvalidInput(
            _(
                "file '%(name)s' is %(size)s bytes; the limit is %(most)s",
                name=name,
                size=formats.number(len(data)),
                most=formats.number(ctx.max_upload_bytes),
            ),
            field="file",
        )
    headers = open_table(io.BytesIO(data)).headers
    fields = suggested_fields(headers, kind.names)
    now = ctx.clock()
    with ctx.uow() as store:
        job = ImportJob(
            user_id=actor.id,
            kind=kind.name,
            filename=name,
            data=data,
            mapping=[[h, f] for h, f in zip(headers, fields, strict=True)],
            skip_invalid=False,
            process=None,
            state=UPLOADED,
            done_rows=0,
            created_at=now,
            updated_at=now,
        )
        store.add(job)
        store.commit()
        return _view(job)


def get_import(ctx: Context, actor: Actor, job_id: int) -> ImportJobView:
    """One of the actor's imports, with its progress."""
    with ctx.uow() as store:
        return _view(_job(store, actor, job_id), ctx.clock())


def map_import(
    ctx: Context,
    actor: Actor,
    job_id: int,
    fields: Sequence[str],
    skip_invalid: bool,
    process: str | None = None,
) -> ImportJobView:
    """Choose the field of each column ("" leaves it out), whether bad rows are skipped, and
    for deals the process they all start on (None: each owner's); the preview of this mapping
    is then due (`run_preview_job`)."""
    with ctx.uow() as store:
        job = _job(store, actor, job_id)
        if job.state != UPLOADED:
            raise InvalidState(_("this import has started; its columns cannot change now"))
        headers = [header for header, _field in job.mapping]
        if len(fields) != len(headers):
            raise InvalidInput(
                _("choose a field for each of the %(count)s columns", count=len(headers)),
                field="fields",
            )
        allowed = (*KINDS[job.kind].names, ID_FIELD, "")
        for position, chosen in enumerate(fields):
            if chosen not in allowed:
                raise InvalidInput(
                    _("column '%(column)s': choose one of the fields", column=headers[position]),
                    field=f"field-{position}",
                )
        if process and job.kind == "deal":
            try:
                startable_version(store, process)
            except NotFound as error:  # said beside the field
                raise InvalidInput(error.message, field="process") from None
        job.mapping = [[h, f] for h, f in zip(headers, fields, strict=True)]
        job.skip_invalid = skip_invalid
        job.process = process if job.kind == "deal" else None
        job.state, job.report, job.error, job.done_rows = PREVIEWING, None, None, 0
        job.updated_at = ctx.clock()
        store.commit()
        return _view(job)


def _options(job: ImportJob, dry_run: bool) -> ImportOptions:
    mapping = {h: f for h, f in job.mapping if f and f != ID_FIELD}
    ignored = tuple(h for h, f in job.mapping if not f)
    id_column = next((h for h, f in job.mapping if f == ID_FIELD), None)
    return ImportOptions(dry_run, job.skip_invalid, mapping, ignored, id_column, job.process)


def _work(
    ctx: Context, job_id: int, state: str, dry_run: bool
) -> tuple[Actor, Kind, bytes, ImportOptions] | None:
    """What a job in `state` runs with: its uploader, kind, file and options (None when it is
    in another state: already run, or started twice)."""
    with ctx.uow() as store:
        job = store.get(ImportJob, job_id, "import")
        if job.state != state:
            return None
        actor = actor_of(store.get(User, job.user_id, "user"))
        return actor, KINDS[job.kind], job.data, _options(job, dry_run)


def run_preview_job(ctx: Context, job_id: int) -> None:
    """Do the dry run of a mapped file, recording the rows checked after each batch, then its
    report (or why the mapping cannot read the file), and leave the import ready to apply."""
    work = _work(ctx, job_id, PREVIEWING, dry_run=True)
    if work is None:
        return
    actor, kind, data, options = work

    def progress(_phase: str, done: int, _total: int | None) -> None:
        _record(ctx, job_id, done_rows=done)

    try:
        report = run_import(ctx, actor, kind, io.BytesIO(data), options, progress)
    except SalesError as error:
        _record(ctx, job_id, state=UPLOADED, error=error.message)
        return
    except Exception:  # a bug, a lost database: said at once, not after the stall delay
        LOG.exception("import %s: the preview failed", job_id)
        _record(ctx, job_id, state=UPLOADED, error=str(UNEXPECTED))
        return
    _record(ctx, job_id, state=UPLOADED, report=report.to_dict(), done_rows=report.rows)


def start_import(ctx: Context, actor: Actor, job_id: int) -> ImportJobView:
    """Queue the import; `run_import_job` does it. A second start is refused."""
    with ctx.uow() as store:
        job = _job(store, actor, job_id)
        if job.state != UPLOADED:
            raise InvalidState(_("this import has already started"))
        job.state, job.report, job.done_rows = QUEUED, None, 0
        job.updated_at = ctx.clock()
        store.commit()
        return _view(job)


def file_size(ctx: Context, job_id: int) -> int:
    """The uploaded file's size in bytes (whether to import it inline or beside the request)."""
    with ctx.uow() as store:
        return store.import_file_size(job_id)


def _record(ctx: Context, job_id: int, **values: Any) -> None:
    """Write the job's progress in a transaction of its own (the page reads it meanwhile)."""
    with ctx.uow() as store:
        job = store.get(ImportJob, job_id, "import")
        for name, value in values.items():
            setattr(job, name, value)
        job.updated_at = ctx.clock()
        store.commit()


def run_import_job(ctx: Context, job_id: int) -> None:
    """Do a queued import, as its uploader, recording progress after each batch and the
    report (or why it failed) at the end."""
    work = _work(ctx, job_id, QUEUED, dry_run=False)
    if work is None:
        return
    actor, kind, data, options = work

    def progress(phase: str, done: int, total: int | None) -> None:
        _record(ctx, job_id, state=phase, done_rows=done, total_rows=total)

    try:
        _record(ctx, job_id, state=CHECKING)
        report = run_import(ctx, actor, kind, io.BytesIO(data), options, progress)
    except SalesError as error:
        _record(ctx, job_id, state=FAILED, error=error.message)
        return
    except Exception:  # a bug, a lost database: said at once, not after the stall delay
        LOG.exception("import %s failed", job_id)
        _record(ctx, job_id, state=FAILED, error=str(UNEXPECTED))
        return
    error_text = None
    if report.errors and not report.applied:
        error_text = _(
            "%(num)s bad row(s); nothing imported (fix them, or skip the bad rows)",
            num=report.bad_rows,
        )
    _record(
        ctx,
        job_id,
        state=DONE if report.applied else FAILED,
        done_rows=report.created if report.applied else 0,
        total_rows=report.created,
        report=report.to_dict(),
        error=error_text,
    )
