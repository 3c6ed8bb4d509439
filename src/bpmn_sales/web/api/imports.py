"""Importing leads and deals over HTTP: a CSV file uploaded, checked, then imported."""

from __future__ import annotations

import io
from typing import IO, Any

from flask import request

from bpmn_sales.domain.columns import mapping_pairs
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _, ngettext
from bpmn_sales.services import importing
from bpmn_sales.services.importing import ImportOptions, ImportReport
from bpmn_sales.web.api.base import actor, ctx
from bpmn_sales.web.api.operation import post
from bpmn_sales.web.schemas.imports import CSV_UPLOAD, DealImportQuery, ImportQuery
from bpmn_sales.web.schemas.imports import ImportReport as ReportModel


def _upload() -> IO[bytes]:
    """The uploaded file: the multipart 'file' field, or the body as text/csv."""
    uploads = request.files.getlist("file")
    if len(uploads) > 1:
        raise InvalidInput(_("upload one CSV file as the 'file' field"), field="file")
    if uploads:
        return uploads[0].stream  # a spooled file: the import reads it twice
    data = request.get_data()
    if not data:
        raise InvalidInput(_("upload the CSV file as a multipart 'file' field or the body"), "file")
    return io.BytesIO(data)


def _options(query: ImportQuery, process: str | None = None) -> ImportOptions:
    return ImportOptions(
        dry_run=query.dry_run,
        skip_invalid=query.skip_invalid,
        mapping=mapping_pairs(request.form.getlist("map")),
        ignored=tuple(request.form.getlist("ignore")),
        id_column=query.id_column,
        process=process,
    )


def _answer(report: ImportReport) -> Any:
    """The report; a refused import (a bad row, all or nothing) is a 400 that carries it."""
    if report.errors and not report.applied and not report.dry_run:
        raise InvalidInput(
            ngettext(
                "%(num)s bad row(s); nothing imported (fix them, or skip_invalid=true to import "
                "the others)",
                "%(num)s bad row(s); nothing imported (fix them, or skip_invalid=true to import "
                "the others)",
                report.bad_rows,
            ),
            field="file",
            report=report.to_dict(),
        )
    return report.to_dict()


@post(
    "/leads/import",
    query=ImportQuery,
    upload=CSV_UPLOAD,
    responses={200: ReportModel},
    errors=(403, 404, 409),
)
def import_leads(query: ImportQuery) -> Any:
    """Import leads from a CSV file (dry_run to check it first).

    Columns map to fields by their header (English, French, Polish or Chinese names, case and
    accents ignored) or by `map` fields (HEADER=FIELD); other columns must be ignored. All or
    nothing unless skip_invalid; duplicates (same e-mail, same id) are skipped and reported.
    """
    stream = _upload()
    return _answer(importing.import_leads(ctx(), actor(), stream, _options(query)))


@post(
    "/deals/import",
    query=DealImportQuery,
    upload=CSV_UPLOAD,
    responses={200: ReportModel},
    errors=(403, 404, 409),
)
def import_deals(query: DealImportQuery) -> Any:
    """Import deals from a CSV file (dry_run to check it first).

    As leads; a deal is a duplicate of one with the same name and customer, or the same id.
    """
    stream = _upload()
    report = importing.import_deals(ctx(), actor(), stream, _options(query, query.process))
    return _answer(report)
