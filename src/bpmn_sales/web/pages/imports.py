"""Importing from the leads and deals pages: upload, map the columns, preview, apply, follow.

Each step is a short request on an import job (services/importing/jobs.py). A small file is
previewed (a dry run) and imported within the requests that ask for them; a larger one in a
thread of the server process, batch by batch, while the page polls how far it got (and,
without JavaScript, reloads itself).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request

from bpmn_sales.context import Context
from bpmn_sales.errors import InvalidInput, NotFound, SalesError
from bpmn_sales.i18n import _
from bpmn_sales.services.importing import jobs
from bpmn_sales.services.importing.jobs import ImportJobView
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.pages.common import ctx, flash_error, form_text, page_actor
from bpmn_sales.web.pages.deals import sales_processes
from bpmn_sales.web.pages.forms import field_errors

bp = Blueprint("imports", __name__)

# Files up to this size are imported in the request that applies them (a few hundred rows).
INLINE_BYTES = 32 * 1024
LISTS = {"lead": "/leads", "deal": "/deals"}


def field_labels() -> dict[str, str]:
    """What each field is called on the mapping step."""
    return {
        "name": _("Name"),
        "company": _("Company"),
        "email": _("E-mail"),
        "phone": _("Phone"),
        "estimated_value": _("Estimated value"),
        "owner": _("Owner"),
        "customer": _("Customer"),
        "value": _("Value"),
        "currency": _("Currency"),
        "expected_close_date": _("Expected close date"),
        "stage": _("Stage (key or name)"),
        "status": _("Status (open, won, lost or invalid)"),
        "reason": _("Reason (of a lost deal)"),
        "closed_on": _("Day it closed"),
        "created_on": _("Day it was created"),
        "stage_entered_on": _("Day it entered its stage"),
        "external_id": _("Id in the other system (finds duplicates)"),
    }


def _upload_page(kind: str, errors: dict[str, str], status: int) -> Any:
    page = render_template(
        "imports/upload.html",
        kind=kind,
        errors=errors,
        limit_mb=max(1, ctx().max_upload_bytes // (1024 * 1024)),
    )
    return page, status


@bp.get("/leads/import")
@bp.get("/deals/import")
@login_required
def upload_form() -> Any:
    return _upload_page(_kind_of_path(), {}, 200)


def _kind_of_path() -> str:
    return "deal" if request.path.startswith("/deals") else "lead"


@bp.post("/leads/import")
@bp.post("/deals/import")
@login_required
def upload() -> Any:
    kind = _kind_of_path()
    files = request.files.getlist("file")
    if not files or not files[0].filename:
        return _upload_page(kind, {"file": _("choose a CSV or XLSX file to import")}, 400)
    upload = files[0]
    with upload.stream as stream:  # a large upload is spooled to a temporary file
        data = stream.read()
    try:
        job = jobs.upload_import(ctx(), page_actor(), kind, upload.filename or "", data)
    except InvalidInput as error:
        return _upload_page(kind, field_errors(error, "file"), 400)
    return redirect(f"/imports/{job.id}")


def _mapping_page(job: ImportJobView, errors: dict[str, str], status: int) -> Any:
    labels = field_labels()
    page = render_template(
        "imports/mapping.html",
        job=job,
        choices=[(f, labels[f]) for f in job.fields],
        processes=[(key, name) for key, name, _s in sales_processes(enabled_only=True)],
        errors=errors,
        list_path=LISTS[job.kind],
    )
    return page, status


@bp.get("/imports/<int:job_id>")
@login_required
def show(job_id: int) -> Any:
    """The step the import is at: its columns, its preview, or its progress and result."""
    job = jobs.get_import(ctx(), page_actor(), job_id)
    if job.previewed:
        return _preview_page(job)
    if job.state == jobs.UPLOADED:  # a mapping the file cannot be read with says why
        return _mapping_page(job, {"form": job.error} if job.error else {}, 200)
    return render_template(
        "imports/progress.html", job=job, list_path=LISTS[job.kind], sentence=progress_text(job)
    )


@bp.get("/imports/<int:job_id>/mapping")
@login_required
def mapping(job_id: int) -> Any:
    job = jobs.get_import(ctx(), page_actor(), job_id)
    if job.state != jobs.UPLOADED:
        return redirect(f"/imports/{job_id}")
    return _mapping_page(job, {}, 200)


@bp.post("/imports/<int:job_id>/mapping")
@login_required
def save_mapping(job_id: int) -> Any:
    actor = page_actor()
    job = jobs.get_import(ctx(), actor, job_id)
    fields = [request.form.get(f"field-{n}", "") for n in range(len(job.columns))]
    skip = request.form.get("skip_invalid") == "1"
    try:
        jobs.map_import(ctx(), actor, job_id, fields, skip, form_text("process"))
    except InvalidInput as error:
        return _mapping_page(job, field_errors(error), 400)
    except SalesError as error:
        flash_error(error)
        return redirect(f"/imports/{job_id}")
    _run(jobs.run_preview_job, job_id)
    return redirect(f"/imports/{job_id}")


def _preview_page(job: ImportJobView) -> Any:
    return render_template(
        "imports/preview.html", job=job, report=job.report, list_path=LISTS[job.kind]
    )


def _run(step: Callable[[Context, int], None], job_id: int) -> None:
    """Run a preview or an import: within this request for a small file, else beside it, in
    the language and time zone of its page."""
    context = ctx()
    if jobs.file_size(context, job_id) <= INLINE_BYTES:
        step(context, job_id)
        return
    copied = contextvars.copy_context()
    thread = threading.Thread(
        target=copied.run, args=(step, context, job_id), name=f"import-{job_id}", daemon=True
    )
    thread.start()


@bp.post("/imports/<int:job_id>/start")
@login_required
def start(job_id: int) -> Any:
    try:
        jobs.start_import(ctx(), page_actor(), job_id)
    except NotFound:
        raise
    except SalesError as error:
        flash_error(error)
        return redirect(f"/imports/{job_id}")
    _run(jobs.run_import_job, job_id)
    return redirect(f"/imports/{job_id}")


def progress_text(job: ImportJobView) -> str:
    """Where the import is, in a sentence."""
    if job.state in (jobs.PREVIEWING, jobs.QUEUED, jobs.CHECKING):
        return _("Checking the rows: %(done)s read", done=job.done_rows)
    if job.state == jobs.IMPORTING:
        return _(
            "Importing: %(done)s of %(total)s rows (%(percent)s%%)",
            done=job.done_rows,
            total=job.total_rows or 0,
            percent=job.percent,
        )
    if job.state == jobs.DONE:
        report = job.report or {}
        return _(
            "Done: %(created)s created, %(duplicates)s duplicate(s) skipped, %(bad)s bad row(s)",
            created=report.get("created", 0),
            duplicates=len(report.get("duplicates", [])),
            bad=report.get("bad_rows", 0),
        )
    return job.error or _("The import failed")


@bp.get("/imports/<int:job_id>/progress")
@login_required
def progress(job_id: int) -> Any:
    job = jobs.get_import(ctx(), page_actor(), job_id)
    return jsonify(
        state=job.state,
        done=job.done_rows,
        total=job.total_rows,
        percent=job.percent,
        finished=not job.running,
        text=progress_text(job),
    )
