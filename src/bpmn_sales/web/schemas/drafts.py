"""Modeler drafts: opening, saving, linting and deploying a process's draft diagram."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from bpmn_sales.domain.model import MAX_ID
from bpmn_sales.web.schemas.common import Body, Query, Reply
from bpmn_sales.web.schemas.processes import Problem

REVISION = (
    "The draft revision the editor started from (null: it opened a version and there was no "
    "draft). A save or deploy based on an older revision is refused with 409."
)


class Draft(Reply):
    """What the modeler opens: the draft's XML, or a version's when there is no draft."""

    key: str
    name: str
    filename: str
    xml: str = Field(description="The BPMN XML (the draft's, or the version's)")
    source: Literal["draft", "version"]
    version: int | None = Field(description="The version shown, or the draft's base version")
    latest_version: int
    revision: str | None = Field(description="The stored draft's revision (null: no draft)")
    updated_by: str | None
    updated_at: datetime | None
    problems: list[Problem]


class DraftQuery(Query):
    version: int | None = Field(
        None, ge=0, le=MAX_ID, description="Open this version's diagram, not the draft"
    )


class DraftSave(Body):
    xml: str
    base_revision: str | None = Field(None, description=REVISION)
    based_on: int | None = Field(None, description="The version a new draft edits")


class DraftLint(Body):
    xml: str | None = Field(None, description="Lint this XML (not stored) instead of the draft")


class DraftProblems(Reply):
    problems: list[Problem]


class DraftDeploy(Body):
    mode: Literal["new_version", "migrate"] = "new_version"
    disable_previous: bool = Field(
        False, description="new_version only: older versions start no deals"
    )
    base_revision: str | None = Field(None, description=REVISION)


class DraftDeployed(Reply):
    """The version the draft became, and where to go next."""

    key: str
    name: str
    version: int
    created: bool
    previous: int | None
    disabled: list[int]
    redirect: str | None = Field(
        description="mode migrate: the migration preview page "
        "(/processes/{key}/migrate?from=<previous>&to=<new>)"
    )
