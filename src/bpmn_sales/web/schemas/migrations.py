"""Migrating running deals to a newer version: the preview, batches and runs."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from bpmn_sales.domain.model import MAX_ID
from bpmn_sales.web.schemas.common import Body, Paged, Reply


class MigrationRow(Reply):
    """One open deal: where it is now, where it would land, or why it cannot move."""

    deal_id: int
    name: str
    owner: str | None
    from_version: int
    stage: str | None
    stage_name: str | None
    tasks: list[str] = Field(description="The activities ready now")
    to_stage: str | None
    to_stage_name: str | None
    to_tasks: list[str] = Field(description="The activities ready after the move")
    movable: bool
    reasons: list[str] = Field(description="Why the deal cannot move (empty when it can)")


class VersionChoice(Reply):
    version: int
    enabled: bool
    open_deals: int


class Position(Reply):
    """Open deals at one stage of one older version."""

    from_version: int
    stage: str | None
    stage_name: str | None
    deals: int


class MigrationPreview(Reply):
    """Where the open deals on the older versions are (all counted), and a page of them,
    oldest first, planned against the target version."""

    process: str
    name: str
    from_: int | None = Field(alias="from", description="The one version moved from, or null")
    to: int
    open: int = Field(description="Open deals on those versions, on every page")
    complete: bool = Field(
        description="Whether this page holds every open deal (then `movable` and `refused` "
        "count them all)"
    )
    movable: int = Field(description="Deals of this page that can move")
    refused: int = Field(
        description="Deals of this page that cannot move: at least this many of `open`. "
        "Only a page is planned; a run plans every deal (so does the CLI's --all)"
    )
    closed: int = Field(description="Closed deals on those versions: they keep their version")
    positions: list[Position] = Field(
        description="Open deals by version and stage, counted for every page"
    )
    deals: list[MigrationRow] = Field(description="This page's deals, planned")
    versions: list[VersionChoice]


class MigrationQuery(Paged):
    from_: int | None = Field(
        None,
        alias="from",
        ge=1,
        le=MAX_ID,
        description="Only deals on this older version (default: every older one)",
    )
    to: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="The version deals move to (default: the newest enabled one)",
    )


class MigrationBatch(Body):
    from_: int | None = Field(None, alias="from", ge=1, le=MAX_ID)
    to: int | None = Field(None, ge=1, le=MAX_ID)
    batch: int = Field(50, ge=1, le=500)
    run: int | None = Field(None, ge=1, le=MAX_ID, description="Go on with this run")


class RefusedDeal(Reply):
    deal_id: int
    name: str
    reasons: list[str]


class MigrationProgress(Reply):
    """A run after a batch: how many moved, were refused, are left."""

    run: int
    process: str
    from_: int | None = Field(
        alias="from", description="The one version moved from; null: every older one"
    )
    to: int
    moved: int
    refused: int
    remaining: int = Field(description="Open deals still on the older versions, not refused")
    total: int
    percent: int
    finished: bool
    refused_deals: list[RefusedDeal]


class MigrationRun(Reply):
    """A past or running migration run."""

    run_id: int
    from_version: int | None
    to_version: int
    started_by: str | None
    started_at: datetime
    finished_at: datetime | None
    moved: int
    refused: int
    remaining: int
