"""A stored file sent back safely: always a download, never rendered or sniffed by a browser."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response

from bpmn_sales.services.processes.transfer import Export


def file_download(meta: dict[str, Any], content: bytes) -> Response:
    response = Response(content, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(meta['filename'])}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def csv_download(text: str, filename: str) -> Response:
    """A CSV file (UTF-8, its byte order mark already first) as an attachment."""
    response = Response(text.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{quote(filename)}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def zip_download(export: Export) -> Response:
    """An exported process as a zip attachment."""
    response = Response(export.data, mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(export.filename)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
