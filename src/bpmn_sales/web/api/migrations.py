"""Migrating running deals over HTTP: the preview, a batch, the runs."""

from __future__ import annotations

from typing import Any

from bpmn_sales.services.processes import migration
from bpmn_sales.web.api.base import actor, ctx
from bpmn_sales.web.api.operation import get, post
from bpmn_sales.web.api.paging import page_of, paged
from bpmn_sales.web.schemas.migrations import (
    MigrationBatch,
    MigrationPreview,
    MigrationProgress,
    MigrationQuery,
    MigrationRun,
)

KEY = {"key": {"description": "The process key"}}


@get(
    "/processes/<key:key>/migration",
    path=KEY,
    query=MigrationQuery,
    responses={200: page_of(MigrationPreview)},
    errors=(403,),
)
def preview_migration(key: str, query: MigrationQuery) -> Any:
    """Preview moving the open deals to a newer version (admin).

    Where the open deals are (counted by version and stage), and a page of them, oldest
    first: where each lands, or why it cannot move. `deals` holds the page; paging headers as
    for deals. Only the page is planned, so `movable` and `refused` count the page.
    """
    shown = migration.preview(ctx(), actor(), key, query.from_, query.to, query.limit, query.cursor)
    return paged(shown.page, shown.to_dict())


@post(
    "/processes/<key:key>/migration",
    path=KEY,
    body=MigrationBatch,
    responses={200: MigrationProgress},
    errors=(403,),
)
def apply_migration_batch(key: str, body: MigrationBatch) -> Any:
    """Move the next batch of open deals, each in its own transaction (admin).

    Send `run` to go on with a run.
    """
    result = migration.apply_batch(ctx(), actor(), key, body.from_, body.to, body.batch, body.run)
    return result.to_dict()


@get(
    "/processes/<key:key>/migration/runs",
    path=KEY,
    responses={200: list[MigrationRun]},
    errors=(403,),
)
def list_migration_runs(key: str) -> Any:
    """A process's migration runs, newest first (admin)."""
    return [r.to_dict() for r in migration.runs(ctx(), actor(), key)]
