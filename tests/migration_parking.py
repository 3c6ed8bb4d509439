"""Deals of the bundled B2B process parked at every stage and at several tasks within a stage,
for the migration tests (driven by the real use cases), and what to read back about them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from tests import helpers

OPEN = ("iv", "iv_met", "na", "na_budget", "sd", "sd_approval", "qb", "await")
CLOSED = ("won", "lost")


def park(ctx: Context, team: Any) -> dict[str, int]:
    """Create the parked deals: open ones by position, and a won and a lost one."""
    rob, mia = team.rob, team.mia
    ids: dict[str, int] = {}

    def new(name: str) -> int:
        ids[name] = deals.create_deal(ctx, rob, name, "Acme", "1000", "USD").id
        return ids[name]

    new("iv")
    helpers.complete(ctx, rob, new("iv_met"), "Meet the customer")
    helpers.walk_to(ctx, rob, mia, new("na"), "needs_analysis")
    helpers.walk_to(ctx, rob, mia, new("na_budget"), "needs_analysis")
    helpers.complete(ctx, rob, ids["na_budget"], "Qualify budget")
    helpers.walk_to(ctx, rob, mia, new("sd"), "solution_design")
    helpers.walk_to(ctx, rob, mia, new("sd_approval"), "solution_design")
    helpers.solution_design(ctx, rob, ids["sd_approval"])
    helpers.walk_to(ctx, rob, mia, new("qb"), "quote_and_bid")
    helpers.develop(ctx, rob, mia, new("await"))
    helpers.walk_to_won(ctx, rob, mia, new("won"))
    deals.close_deal(ctx, rob, new("lost"), "lost", "No budget")
    return ids


def row(ctx: Context, deal_id: int) -> dict[str, Any]:
    """The stored deal, read straight from the table."""
    with ctx.db.connect() as conn:
        found = conn.execute(text("SELECT * FROM deals WHERE id = :id"), {"id": deal_id})
        return dict(found.mappings().one())


def version_of(ctx: Context, deal_id: int) -> int:
    with ctx.db.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT v.version FROM deals d JOIN process_versions v "
                    "ON v.id = d.process_version_id WHERE d.id = :id"
                ),
                {"id": deal_id},
            ).scalar_one()
        )


def migrated_entries(ctx: Context, deal_id: int) -> list[dict[str, Any]]:
    """The details of the deal's "migrated" history entries."""
    with ctx.db.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT detail FROM history WHERE subject_type = 'deal' AND subject_id = :id "
                "AND action = 'migrated' ORDER BY id"
            ),
            {"id": deal_id},
        )
        return [json.loads(r[0]) for r in rows]


def timers(ctx: Context, deal_id: int) -> set[tuple[str, Any]]:
    with ctx.db.connect() as conn:
        rows = conn.execute(
            text("SELECT element_id, due_at FROM timers WHERE subject_id = :id"), {"id": deal_id}
        )
        return {(r[0], str(r[1])[:19]) for r in rows}


def fresh(ctx: Context, actor: Any, deal_id: int) -> Any:
    """The deal as its stored state says (the in-memory instances forgotten)."""
    ctx.live.clear()
    return deals.get_deal(ctx, actor, deal_id)


def ready_titles(ctx: Context, actor: Any, deal_id: int) -> list[str]:
    ctx.live.clear()
    return sorted(t.title for t in deals.deal_tasks(ctx, actor, deal_id))
