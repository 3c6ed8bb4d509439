"""The analytics rollups (running totals kept by triggers) against a recomputation from the
rows after each kind of write, and the reports they answer against the same reports read from
the rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from bpmn_sales.context import Context
from bpmn_sales.persistence import rollups
from bpmn_sales.persistence.models import Deal
from bpmn_sales.persistence.queries.analytics import Slice
from bpmn_sales.services import analytics, deals, importing, leads
from bpmn_sales.services.analytics.scope import Filters, local_midnight, resolve
from bpmn_sales.services.deals import records
from bpmn_sales.services.demo import steps as demo_steps
from bpmn_sales.services.importing import ImportOptions
from tests.team import Team

OPENFIRE_DEALS = (
    "Affaire;Client;Étape;Statut;Motif;Clôturée le\n"
    "Audit;Acme;Devis;;;\n"
    "Install;Beta;estimation;Gagnée;;15/01/2026\n"
    "Refonte;Gamma;visite technique;perdue;Trop cher;2026-02-01\n"
)
LEADS = "name,company,estimated_value,owner\nJane,Northwind,12000,rob\nKim,Contoso,1500,sara\n"
# Every date range the rows answer (not the rollups): all time, as a period.
EVER = {"start": "2000-01-01", "end": "2999-12-31"}


def at(clock: Any, month: int, day: int, hour: int = 9) -> None:
    clock.now = datetime(2026, month, day, hour, 0, tzinfo=UTC)


def assert_kept(ctx: Context) -> None:
    """Every rollup holds exactly what recomputing it from the rows gives."""
    with ctx.db.connect() as conn:
        for rollup in rollups.ROLLUPS:
            assert rollups.kept(conn, rollup) == rollups.recomputed(conn, rollup), rollup


def test_every_writer_keeps_the_rollups(ctx: Context, team: Team, clock: Any) -> None:
    rob, sara, mia = team.rob, team.sara, team.mia
    at(clock, 1, 5)
    one = deals.create_deal(ctx, rob, "One", "Acme", "10000.10", expected_close_date="2026-02-15")
    two = deals.create_deal(ctx, rob, "Two", "Beta", "5000", "EUR")
    four = deals.create_deal(ctx, sara, "Four", "Gamma", "20000", expected_close_date="2026-03-02")
    lead = leads.create_lead(ctx, rob, "Lena", "Epsilon", estimated_value="3000").id
    leads.disqualify_lead(ctx, rob, lead, "Not now")
    leads.renew_lead(ctx, rob, lead)
    leads.qualify_lead(ctx, rob, lead)
    assert_kept(ctx)
    at(clock, 1, 7)  # moves by completed activities (the task-completion write path)
    demo_steps.initial_visit(ctx, sara, four.id, "Retail")
    demo_steps.initial_visit(ctx, rob, one.id, "Retail")
    demo_steps.needs_analysis(ctx, sara, four.id, 20000)
    assert_kept(ctx)
    at(clock, 2, 9)  # closed lost, reopened, won
    deals.close_deal(ctx, rob, two.id, "lost", "No budget")
    again = deals.reopen_deal(ctx, rob, two.id)
    demo_steps.solution_design(ctx, sara, four.id)
    demo_steps.do(ctx, mia, four.id, "Approve solution", data={"decision": "approve"})
    at(clock, 3, 10)
    demo_steps.do(ctx, sara, four.id, "Send quote")
    demo_steps.do(ctx, sara, four.id, "Negotiate terms")
    records.create_order(ctx, sara, four.id)
    deals.close_deal(ctx, sara, four.id, "won")
    assert_kept(ctx)
    # Value, currency and expected close date edited; a free move on another process.
    deals.update_deal(
        ctx, rob, one.id, {"value": "12500.55", "currency": "PLN", "expected_close_date": None}
    )
    deals.update_deal(ctx, rob, again.id, {"expected_close_date": "2026-04-01"})
    kitchen = deals.create_deal(
        ctx, team.olga, "Kitchen", None, "900", "EUR", process="openfire_pipeline"
    )
    deals.move_deal(ctx, team.olga, kitchen.id, "visite_technique")
    assert_kept(ctx)
    # Batched imports: deals at a stage and closed ones, and leads.
    options = ImportOptions(process="openfire_pipeline")
    report = importing.import_deals(ctx, rob, io.BytesIO(OPENFIRE_DEALS.encode()), options)
    assert report.created == 3
    importing.import_leads(ctx, team.admin, io.BytesIO(LEADS.encode()), ImportOptions())
    assert_kept(ctx)
    # Raw SQL, as the loaders and the hot path write: an owner changes, a process version
    # changes, a stay is removed, a deal is added and deleted.
    with ctx.db.begin() as conn:
        conn.execute(
            text("UPDATE deals SET owner_id = :o WHERE id = :d"), {"o": sara.id, "d": one.id}
        )
        version = conn.execute(
            text("SELECT process_version_id FROM deals WHERE id = :d"), {"d": four.id}
        ).scalar_one()
        conn.execute(
            text("UPDATE deals SET probability = 55, stage_key = 'quote_and_bid' WHERE id = :d"),
            {"d": again.id},
        )
    assert_kept(ctx)
    with ctx.uow() as store:  # the ORM, outside any use case
        changed = store.get(Deal, one.id, "deal")
        changed.lost_reason = "Other"
        changed.status = "invalid"
        changed.closed_at = datetime(2026, 3, 11, tzinfo=UTC)
        store.commit()
    assert_kept(ctx)
    with ctx.db.begin() as conn:
        conn.execute(text("DELETE FROM stage_visits WHERE deal_id = :d"), {"d": kitchen.id})
    assert_kept(ctx)
    assert version


def test_the_rollups_answer_as_the_rows_do(ctx: Context, team: Team, clock: Any) -> None:
    """Each report over all time (rollups) equals the same report over a period holding every
    deal (rows), for the whole company and one owner; the past forecasts likewise."""
    rob, sara = team.rob, team.sara
    at(clock, 1, 5)
    one = deals.create_deal(ctx, rob, "One", "Acme", "10000.10", expected_close_date="2026-02-15")
    two = deals.create_deal(ctx, sara, "Two", "Beta", "5000.20", expected_close_date="2026-03-20")
    three = deals.create_deal(
        ctx, rob, "Three", "Gamma", "700", "EUR", expected_close_date="2026-03-01"
    )
    four = deals.create_deal(ctx, sara, "Four", "Delta", "300", expected_close_date="2026-04-10")
    at(clock, 1, 20)
    demo_steps.initial_visit(ctx, rob, one.id, "Retail")
    demo_steps.initial_visit(ctx, sara, two.id, "Retail")
    at(clock, 2, 3)
    demo_steps.needs_analysis(ctx, sara, two.id, 5000)
    deals.close_deal(ctx, rob, three.id, "lost", "No budget")
    at(clock, 3, 10)
    demo_steps.solution_design(ctx, sara, two.id)
    demo_steps.do(ctx, team.mia, two.id, "Approve solution", data={"decision": "approve"})
    demo_steps.do(ctx, sara, two.id, "Send quote")
    demo_steps.do(ctx, sara, two.id, "Negotiate terms")
    records.create_order(ctx, sara, two.id)
    at(clock, 3, 31, 20)  # 1 April in Shanghai, still March in UTC and New York
    deals.close_deal(ctx, sara, two.id, "won")
    deals.close_deal(ctx, rob, one.id, "lost", "Too expensive")
    deals.close_deal(ctx, sara, four.id, "lost", "No budget")
    again = deals.reopen_deal(ctx, sara, four.id)
    at(clock, 4, 1, 2)  # 31 March in New York
    demo_steps.initial_visit(ctx, sara, again.id, "Retail")
    at(clock, 4, 2)
    for filters in ({}, {"owner": "rob"}, {"team": "mia"}):
        whole, period = Filters(**filters), Filters(**filters, **EVER)
        for report in (analytics.funnel, analytics.losses, analytics.time_in_stage):
            a = report(ctx, team.admin, whole).to_dict()
            b = report(ctx, team.admin, period).to_dict()
            assert {**a, "filters": None} == {**b, "filters": None}, (report, filters)
        with ctx.uow() as store:
            scope = resolve(ctx, store, team.admin, whole)
            months = [
                (f"2026-{m:02}", date(2026, m, 1), datetime(2026, m, 1, tzinfo=UTC))
                for m in (1, 2, 3, 4)
            ]
            kept = store.forecast_history(scope.part, months, date(2026, 5, 1))
            scanned = store.history_scan(scope.part, months, date(2026, 5, 1))
            assert sorted(kept) == sorted(scanned)
            assert kept or filters
            for zone in ("UTC", "Asia/Shanghai", "America/New_York", "Asia/Kolkata"):
                starts = [(key, local_midnight(first, zone)) for key, first, _ in months]
                for end in (local_midnight(date(2026, 5, 1), zone), None):
                    part = Slice(scope.part.version_ids, scope.part.owner_ids, starts[0][1], end)
                    won = sorted(store.won_by_month(part, starts))
                    scanned_won = store.won_scan(part, starts)
                    assert won == sorted((m, c, Decimal(str(v))) for m, c, v in scanned_won)
