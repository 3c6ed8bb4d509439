"""The process library: versions, describing, cloning, comparing, exporting, importing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from bpmn_sales.domain.model import MAX_ID
from bpmn_sales.web.schemas.common import Body, Query, Reply
from bpmn_sales.web.schemas.processes import DeployResult

ZIP: dict[str, Any] = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
ZIP_UPLOAD: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "key": {"type": "string"},
                    "name": {"type": "string"},
                },
            }
        },
        **ZIP,
    },
}
VERSION_NUMBER: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "maximum": MAX_ID,
    "description": "A version number (1, 2, ...)",
}


class ProcessVersion(Reply):
    """One version of a process: who deployed it, its switch, and what runs on it."""

    version: int
    filename: str
    enabled: bool = Field(description="May new deals and leads start on it")
    current: bool = Field(description="The version new deals and leads start on")
    deployed_at: datetime
    deployed_by: str | None
    deals_open: int
    deals_closed: int
    leads_open: int
    leads_closed: int
    in_use: int


class ProcessDetail(Reply):
    """A process with its description, template, clones and versions."""

    key: str
    name: str
    description: str
    enabled: bool
    departments: list[str]
    template: str | None = Field(description="The process it was cloned from")
    template_version: int | None
    clones: list[str]
    versions: list[ProcessVersion]


class Deleted(Reply):
    """What a delete removed."""

    key: str
    versions: list[int]
    process_deleted: bool


class Description(Body):
    description: str | None = Field(None, description="At most 2000 characters")
    name: str | None = Field(None, description="A new name: a new version of its diagram")


class Cloning(Body):
    key: str = Field(description="The clone's key: a letter or '_', then letters, digits, _ -")
    name: str
    description: str | None = None


class CloneResult(Reply):
    """The clone: its version 1 made from the template's newest version."""

    key: str
    name: str
    version: int
    template: str
    template_version: int
    processes: list[str] = Field(description="The clone, then its cloned sub-processes")


class FieldChange(Reply):
    field: str
    old: Any
    new: Any


class Change(Reply):
    """One thing added, removed, renamed, moved (stages) or changed."""

    kind: Literal["added", "removed", "renamed", "moved", "changed"]
    key: str = Field(description="A stage key or an element id")
    name: str
    where: str = Field(description="An activity's stage, a terminal's outcome, a BPMN type")
    fields: list[FieldChange]


class SalesDiff(Reply):
    """What the newer version changed, in a designer's terms."""

    base: str
    base_version: int
    head: str
    head_version: int
    note: str
    process: list[FieldChange]
    stages: list[Change]
    activities: list[Change]
    terminals: list[Change]
    elements: list[Change]
    layout_changed: bool
    empty: bool


class DiffQuery(Query):
    against: int | None = Field(
        None, ge=1, le=MAX_ID, description="Compare with this version of itself"
    )


class ExportQuery(Query):
    version: int | None = Field(None, ge=1, le=MAX_ID, description="Default: the newest")


class ImportQuery(Query):
    key: str | None = Field(None, description="Import under this key (the diagrams are rewritten)")
    name: str | None = Field(None, description="And this name")
    disable_previous: bool = Field(False, description="Switch older versions off for new deals")


class ImportResult(Reply):
    """The imported process and every process the zip deployed."""

    key: str
    name: str
    version: int
    created: bool = Field(description="A new process (not a version of one)")
    changed: bool = Field(description="False: the same diagram was deployed already")
    deployed: list[DeployResult]
