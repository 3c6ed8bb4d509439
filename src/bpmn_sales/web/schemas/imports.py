"""Importing leads and deals from CSV: the upload, its options and the report."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from bpmn_sales.web.schemas.common import Query, Reply

CSV_UPLOAD: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "map": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "HEADER=FIELD: read that column as the field",
                    },
                    "ignore": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "A column to leave out",
                    },
                },
                "required": ["file"],
            }
        },
        "text/csv": {"schema": {"type": "string", "format": "binary"}},
    },
}


class ImportQuery(Query):
    dry_run: bool = Field(False, description="Check every row and report; write nothing")
    skip_invalid: bool = Field(
        False, description="Import the good rows even if some are bad (default: all or nothing)"
    )
    id_column: str | None = Field(
        None, description="The column of the other system's ids (an imported id is a duplicate)"
    )


class DealImportQuery(ImportQuery):
    process: str | None = Field(None, description="Start every deal on this process")


class RowNote(Reply):
    """A row not imported: its line (the header is line 1), the column at fault, and why."""

    line: int
    column: str
    message: str


class ImportReport(Reply):
    """What the import did (or, on a dry run, would do)."""

    kind: Literal["lead", "deal"]
    rows: int = Field(description="Rows read (the header and blank lines aside)")
    bad_rows: int
    created: int = Field(description="Records created (when not applied: that would be)")
    dry_run: bool
    applied: bool = Field(description="False: nothing was written")
    duplicates: list[RowNote]
    errors: list[RowNote]
