"""API routes for the process library: versions, clone, diff, export, import, delete."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, jsonify, request

from bpmn_sales.errors import InvalidInput
from bpmn_sales.services.processes import cloning, library, transfer
from bpmn_sales.services.processes.transfer import Export
from bpmn_sales.web.api import actor, authenticated, body, bp, created, ctx

__all__ = ["bp", "zip_download"]


def zip_download(export: Export) -> Response:
    response = Response(export.data, mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(export.filename)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/processes/<key>/versions")
@authenticated
def process_versions(key: str) -> Any:
    return jsonify(library.process_detail(ctx(), actor(), key).to_dict())


@bp.post("/processes/<key>/versions/<number>/enable")
@authenticated
def enable_version(key: str, number: str) -> Any:
    detail = library.set_version_enabled(ctx(), actor(), key, number, True)
    return jsonify(detail.to_dict())


@bp.post("/processes/<key>/versions/<number>/disable")
@authenticated
def disable_version(key: str, number: str) -> Any:
    detail = library.set_version_enabled(ctx(), actor(), key, number, False)
    return jsonify(detail.to_dict())


@bp.delete("/processes/<key>")
@authenticated
def delete_process(key: str) -> Any:
    return jsonify(library.delete_process(ctx(), actor(), key).to_dict())


@bp.delete("/processes/<key>/versions/<number>")
@authenticated
def delete_version(key: str, number: str) -> Any:
    return jsonify(library.delete_version(ctx(), actor(), key, number).to_dict())


@bp.patch("/processes/<key>")
@authenticated
def describe_process(key: str) -> Any:
    data = body()
    detail = library.describe(ctx(), actor(), key, data.get("description"), data.get("name"))
    return jsonify(detail.to_dict())


@bp.post("/processes/<key>/clone")
@authenticated
def clone_process(key: str) -> Any:
    data = body()
    result = cloning.clone(
        ctx(), actor(), key, data.get("key"), data.get("name"), data.get("description")
    )
    return created(result.to_dict(), f"/api/v1/processes/{result.key}")


@bp.get("/processes/<key>/diff")
@authenticated
def diff_process(key: str) -> Any:
    view = cloning.diff(ctx(), actor(), key, request.args.get("against"))
    return jsonify(view.to_dict())


@bp.get("/processes/<key>/export")
@authenticated
def export_process(key: str) -> Any:
    version = request.args.get("version")
    return zip_download(transfer.export_process(ctx(), actor(), key, version))


@bp.post("/processes/import")
@authenticated
def import_process() -> Any:
    uploads = request.files.getlist("file")
    if len(uploads) > 1:
        raise InvalidInput("upload one zip as the 'file' field", field="file")
    data = uploads[0].read() if uploads else request.get_data()
    if not data:
        raise InvalidInput("upload the zip as a multipart 'file' field or the body", "file")
    disable = request.args.get("disable_previous", "false").lower() in ("1", "true", "yes")
    result = transfer.import_process(
        ctx(),
        actor(),
        data,
        request.args.get("key") or request.form.get("key"),
        request.args.get("name") or request.form.get("name"),
        disable,
    )
    return created(result.to_dict(), f"/api/v1/processes/{result.key}")
