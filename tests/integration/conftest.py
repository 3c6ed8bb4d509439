"""Helpers for the integration tests: drive deals through their stages, read raw rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, DealView
from bpmn_sales.services import deals
from tests import helpers


class Flow:
    """Drive the use cases as the team would, and look at what they stored."""

    def __init__(self, ctx: Context, team: Any) -> None:
        self.ctx = ctx
        self.team = team

    def deal(self, deal_id: int, actor: Actor | None = None) -> DealView:
        return deals.get_deal(self.ctx, actor or self.team.admin, deal_id)

    def complete_stage(self, deal_id: int, rep: Actor | None = None) -> DealView:
        """Meet the current stage's rules and complete it: the owner's activities, mia's
        approval."""
        helpers.complete_stage(self.ctx, rep or self.team.rob, self.team.mia, deal_id)
        return self.deal(deal_id)

    def develop(self, deal_id: int, rep: Actor | None = None) -> DealView:
        """Every pre-sale stage: the deal then waits to be closed."""
        helpers.develop(self.ctx, rep or self.team.rob, self.team.mia, deal_id)
        return self.deal(deal_id)

    def ready_to_win(self, deal_id: int, rep: Actor | None = None) -> DealView:
        """Every pre-sale stage and an order: the win rules are met."""
        helpers.ready_to_win(self.ctx, rep or self.team.rob, self.team.mia, deal_id)
        return self.deal(deal_id)

    def row(self, table: str, row_id: int) -> tuple[Any, ...]:
        with self.ctx.db.connect() as conn:
            found = conn.execute(
                text(f"SELECT * FROM {table} WHERE id = :id"),  # noqa: S608 - fixed names
                {"id": row_id},
            ).one()
        return tuple(found)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.ctx.db.connect() as conn:
            return conn.execute(text(sql), params).scalar_one()

    def count(self, table: str, **where: Any) -> int:
        clause = " AND ".join(f"{k} = :{k}" for k in where) or "1 = 1"
        return int(self.scalar(f"SELECT count(*) FROM {table} WHERE {clause}", **where))  # noqa: S608

    def history_count(self, kind: str, subject_id: int) -> int:
        return self.count("history", subject_type=kind, subject_id=subject_id)


@pytest.fixture
def flow(ctx: Context, team: Any) -> Flow:
    return Flow(ctx, team)
