"""Process definitions: deploying and linting diagrams, the process list, switches, stages."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from bpmn_sales.web.schemas.common import Body, NumberOrText, Query, Reply

DIAGRAM_UPLOAD: dict[str, Any] = {
    "required": True,
    "description": "Diagrams (and the JSON forms they name) as multipart 'file' fields, or one "
    "diagram as the body",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "array", "items": {"type": "string", "format": "binary"}}
                },
            }
        },
        "application/xml": {"schema": {"type": "string"}},
    },
}


class ProcessStage(Reply):
    key: str
    name: str
    order: int


class Process(Reply):
    """A deployed process: its newest enabled version, stages, messages and lost reasons."""

    key: str
    name: str
    version: int
    versions: int
    enabled: bool
    deployed_at: datetime
    stages: list[ProcessStage]
    messages: list[str]
    lost_reasons: list[str]
    in_use: int


class DeployResult(Reply):
    """One process a deploy stored (or found unchanged)."""

    key: str
    name: str
    version: int
    created: bool
    previous: int | None = Field(description="The newest version before this deploy")
    disabled: list[int] = Field(
        description="Older versions switched off for new deals (disable_previous)"
    )


class Problem(Reply):
    """One lint finding, located by file, element id and line."""

    file: str
    element_id: str | None
    line: int | None
    severity: Literal["error", "warning", "info"]
    code: str
    message: str


class LintReport(Reply):
    ok: bool
    problems: list[Problem]
    errors: int
    warnings: int


class UploadQuery(Query):
    filename: str = Field("diagram.bpmn", description="The name of a diagram sent as the body")


class DeployQuery(UploadQuery):
    disable_previous: bool = Field(
        False, description="Switch older versions off for new deals; running deals stay on them"
    )


class ProcessAdmin(Reply):
    """A process as the admin page lists it."""

    key: str
    name: str
    version: int
    versions: int
    enabled: bool
    departments: list[str]
    stages: int
    open_deals: int
    total_deals: int


class Departments(Body):
    departments: list[str] = Field(description="Existing department names; [] for all")


class NewStage(Body):
    after: str = Field(description="The key of the stage it follows")
    name: str
    key: str | None = Field(None, description="Made from the name if missing")
    win_rate: NumberOrText = Field(None, description="0 to 100; halfway between neighbours")
    description: str | None = None
    activity: str | None = Field(None, description="Its first activity's name")


class StageChange(Reply):
    """What a stage edit did: the process, the version it made, the stage added or deleted."""

    process: str
    version: int = Field(description="The process version the edit made")
    stage: str
    action: Literal["added", "deleted"]
