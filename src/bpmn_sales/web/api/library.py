"""The process library over HTTP: versions, describe, clone, diff, export, import, delete."""

from __future__ import annotations

from typing import Any

from flask import request

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _
from bpmn_sales.services.processes import cloning, library, transfer
from bpmn_sales.web.api.base import actor, ctx, respond_created
from bpmn_sales.web.api.operation import Answer, created, delete, get, patch, post
from bpmn_sales.web.downloads import zip_download
from bpmn_sales.web.schemas.library import (
    VERSION_NUMBER,
    ZIP,
    ZIP_UPLOAD,
    CloneResult,
    Cloning,
    Deleted,
    Description,
    DiffQuery,
    ExportQuery,
    ImportQuery,
    ImportResult,
    ProcessDetail,
    SalesDiff,
)

KEY = {"key": {"description": "The process key"}}
VERSION = {**KEY, "number": VERSION_NUMBER}
DISPOSITION = {"Content-Disposition": {"required": True, "schema": {"type": "string"}}}


@get("/processes/<key:key>/versions", path=KEY, responses={200: ProcessDetail}, errors=(403,))
def list_process_versions(key: str) -> Any:
    """A process's versions with deployer, time, switch and the deals/leads on each."""
    return library.process_detail(ctx(), actor(), key).to_dict()


@post(
    "/processes/<key:key>/versions/<number>/enable",
    path=VERSION,
    responses={200: ProcessDetail},
    errors=(400, 403, 409),
)
def enable_process_version(key: str, number: str) -> Any:
    """Let a version start new deals again (admin)."""
    return library.set_version_enabled(ctx(), actor(), key, number, True).to_dict()


@post(
    "/processes/<key:key>/versions/<number>/disable",
    path=VERSION,
    responses={200: ProcessDetail},
    errors=(400, 403, 409),
)
def disable_process_version(key: str, number: str) -> Any:
    """Start no new deals on a version; they start on the newest enabled one (admin)."""
    return library.set_version_enabled(ctx(), actor(), key, number, False).to_dict()


@delete(
    "/processes/<key:key>/versions/<number>",
    path=VERSION,
    responses={200: Deleted},
    errors=(400, 403, 409),
)
def delete_process_version(key: str, number: str) -> Any:
    """Delete a version no deal or lead uses; the last one takes the process along.

    409 names how many open and closed deals and leads use it.
    """
    return library.delete_version(ctx(), actor(), key, number).to_dict()


@patch(
    "/processes/<key:key>",
    path=KEY,
    body=Description,
    responses={200: ProcessDetail},
    errors=(403, 409),
)
def describe_process(key: str, body: Description) -> Any:
    """Set a process's description; a new name is a new version of its diagram."""
    return library.describe(ctx(), actor(), key, body.description, body.name).to_dict()


@delete("/processes/<key:key>", path=KEY, responses={200: Deleted}, errors=(403, 409))
def delete_process(key: str) -> Any:
    """Delete a process no deal or lead uses, with every version (admin).

    409 names how many open and closed deals and leads use it; clones of it lose their
    template link.
    """
    return library.delete_process(ctx(), actor(), key).to_dict()


@post(
    "/processes/<key:key>/clone",
    path=KEY,
    body=Cloning,
    responses={201: created(CloneResult)},
    errors=(403, 409),
)
def clone_process(key: str, body: Cloning) -> Any:
    """Clone a process (its newest version and called sub-processes) under a new key."""
    result = cloning.clone(ctx(), actor(), key, body.key, body.name, body.description)
    return respond_created(result.to_dict(), f"/api/v1/processes/{result.key}")


@get(
    "/processes/<key:key>/diff",
    path=KEY,
    query=DiffQuery,
    responses={200: SalesDiff},
    errors=(403, 409),
)
def diff_process(key: str, query: DiffQuery) -> Any:
    """What the newest version changed against its template (or another version)."""
    return cloning.diff(ctx(), actor(), key, query.against).to_dict()


@get(
    "/processes/<key:key>/export",
    path=KEY,
    query=ExportQuery,
    responses={200: Answer(content=ZIP, headers=DISPOSITION, description="The zip")},
    errors=(403,),
)
def export_process(key: str, query: ExportQuery) -> Any:
    """A zip of a version: diagrams, forms and manifest.json."""
    return zip_download(transfer.export_process(ctx(), actor(), key, query.version))


@post(
    "/processes/import",
    query=ImportQuery,
    upload=ZIP_UPLOAD,
    responses={201: created(ImportResult)},
    errors=(403, 409),
)
def import_process(query: ImportQuery) -> Any:
    """Import an exported zip (checked: size, entries, safe XML, lint)."""
    uploads = request.files.getlist("file")
    if len(uploads) > 1:
        raise InvalidInput(_("upload one zip as the 'file' field"), field="file")
    data = uploads[0].read() if uploads else request.get_data()
    if not data:
        raise InvalidInput(_("upload the zip as a multipart 'file' field or the body"), "file")
    result = transfer.import_process(
        ctx(),
        actor(),
        data,
        query.key or request.form.get("key"),
        query.name or request.form.get("name"),
        query.disable_previous,
    )
    return respond_created(result.to_dict(), f"/api/v1/processes/{result.key}")
