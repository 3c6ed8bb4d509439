"""Stage win-rate calibration against a data set computed by hand, on SQLite and PostgreSQL.

The data: olga's OpenFire deals (stages nouveau 10 %, estimation 30 % and optional,
visite_technique 50 %, devis 80 %; a deal is won from devis once the visit and the quote are
done, which moves it there), created on 5 January 2026 and walked on known days:

    A1-A3  estimation 10 Jan, visite_technique -> devis 5 Feb, won 10 Feb
                                                      1000 EUR each, expected 15 Feb
    B1-B2  visite_technique -> devis 3 Feb (skipping estimation), won 12 Feb
                                                      2000 EUR each, expected 20 Feb
    C1-C4  lost in nouveau 20 Jan                     500 EUR each, expected 28 Feb
    D      estimation 10 Jan, lost 12 Jan, reopened as D2 (open in nouveau)
    F1-F2  estimation 15 Jan, open                    3000 EUR each, expected 10 Mar
    G      lost in nouveau 12 Jan, reopened as G2: estimation 15 Feb, visite_technique -> devis
           and won 3 Mar                              800 EUR, expected 5 Mar
    H      visite_technique -> devis 10 Jan, lost 25 Jan

By hand, per stage (a reopened deal's old half counts as "reopened", its new half on its own):

    nouveau           won A1-3 B1-2 G2 = 6, lost C1-4 H = 5, open F1-2 D2 = 3, reopened D G = 2
                      -> 6 of 11 = 54.5 %
    estimation        won A1-3 G2 = 4, lost 0, open F1-2 = 2, reopened D = 1 -> 4 of 4 = 100 %
                      (B1-2 and H passed over it: not counted)
    visite_technique  won A1-3 B1-2 G2 = 6, lost H = 1 -> 6 of 7 = 85.7 %
    devis             the same as visite_technique

Wilson 95 % (z = 1.95996, centre (p + z2/2n) / (1 + z2/n), half-width
z sqrt(p(1-p)/n + z2/4n2) / (1 + z2/n)): 6 of 11 -> 28.0 .. 78.7; 4 of 4 -> 51.0 .. 100;
6 of 7 -> 48.7 .. 97.4. Fewer than 20 closed deals everywhere: no suggestion, though nouveau's
10 % and estimation's 30 % are outside their intervals.

The forecast when each month began (stage rate x value of the deals then open, expected in it):
    February: A1-3 in estimation 3 x 1000 x 30 % = 900, B1-2 in nouveau 2 x 2000 x 10 % = 400
              -> 1300 from 5 deals (C1-4 closed before); won in February 3000 + 4000 = 7000
    March:    F1-2 in estimation 2 x 3000 x 30 % = 1800, G2 in estimation 800 x 30 % = 240
              -> 2040 from 3 deals; won in March 800
    January:  nothing expected, nothing won.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from bpmn_sales.context import Context
from bpmn_sales.errors import Forbidden
from bpmn_sales.services import deals
from bpmn_sales.services.analytics import calibration, tables
from bpmn_sales.services.analytics.scope import Filters
from bpmn_sales.services.demo import steps as demo_steps
from bpmn_sales.services.processes import drafts
from tests.helpers import BUNDLED
from tests.statements import Statements

OPENFIRE = Filters(process="openfire_pipeline")
QUARTER = Filters(process="openfire_pipeline", start="2026-01-01", end="2026-03-31")


def at(clock: Any, month: int, day: int) -> None:
    clock.now = datetime(2026, month, day, 9, 0, tzinfo=UTC)


def new(ctx: Context, olga: Any, name: str, value: str, expected: str | None = None) -> int:
    return deals.create_deal(
        ctx,
        olga,
        name,
        None,
        value,
        "EUR",
        process="openfire_pipeline",
        expected_close_date=expected,
    ).id


def win_path(ctx: Context, olga: Any, deal: int) -> None:
    """To devis through visite_technique: the visit planned and done (with its note)."""
    deals.move_deal(ctx, olga, deal, "visite_technique")
    demo_steps.do(ctx, olga, deal, "Planifier la visite")
    demo_steps.do(ctx, olga, deal, "Réaliser la visite", note="Visite faite")


def win(ctx: Context, olga: Any, deal: int) -> None:
    demo_steps.do(ctx, olga, deal, "Éditer le devis")
    deals.close_deal(ctx, olga, deal, "won")


@pytest.fixture
def history(ctx: Context, team: Any, clock: Any) -> dict[str, int]:
    olga = team.olga
    at(clock, 1, 5)
    a = [new(ctx, olga, f"A{n}", "1000", "2026-02-15") for n in (1, 2, 3)]
    b = [new(ctx, olga, f"B{n}", "2000", "2026-02-20") for n in (1, 2)]
    c = [new(ctx, olga, f"C{n}", "500", "2026-02-28") for n in (1, 2, 3, 4)]
    d, h = new(ctx, olga, "D", "100"), new(ctx, olga, "H", "100")
    f = [new(ctx, olga, f"F{n}", "3000", "2026-03-10") for n in (1, 2)]
    g = new(ctx, olga, "G", "800", "2026-03-05")
    at(clock, 1, 10)
    for deal in [*a, d]:
        deals.move_deal(ctx, olga, deal, "estimation")
    win_path(ctx, olga, h)
    at(clock, 1, 12)
    deals.close_deal(ctx, olga, d, "lost", "Trop cher")
    deals.close_deal(ctx, olga, g, "lost", "Trop cher")
    d2 = deals.reopen_deal(ctx, olga, d).id
    g2 = deals.reopen_deal(ctx, olga, g).id
    at(clock, 1, 15)
    for deal in f:
        deals.move_deal(ctx, olga, deal, "estimation")
    at(clock, 1, 20)
    for deal in c:
        deals.close_deal(ctx, olga, deal, "lost", "Trop cher")
    at(clock, 1, 25)
    deals.close_deal(ctx, olga, h, "lost", "Concurrent retenu")
    at(clock, 2, 3)
    for deal in b:
        win_path(ctx, olga, deal)
    at(clock, 2, 5)
    for deal in a:
        win_path(ctx, olga, deal)
    at(clock, 2, 10)
    for deal in a:
        win(ctx, olga, deal)
    at(clock, 2, 12)
    for deal in b:
        win(ctx, olga, deal)
    at(clock, 2, 15)
    deals.move_deal(ctx, olga, g2, "estimation")
    at(clock, 3, 3)
    win_path(ctx, olga, g2)
    win(ctx, olga, g2)
    at(clock, 4, 20)
    return {"d2": d2, "g2": g2}


def test_each_stage_counts_the_deals_that_entered_it(
    ctx: Context, team: Any, history: dict[str, int]
) -> None:
    shown = calibration.calibration(ctx, team.admin, OPENFIRE).to_dict()
    stages = {s["key"]: s for s in shown["stages"]}
    assert list(stages) == ["nouveau", "estimation", "visite_technique", "devis"]
    counts = ("configured", "won", "lost", "invalid", "open", "reopened", "closed", "observed")
    assert [stages["nouveau"][k] for k in counts] == [10, 6, 5, 0, 3, 2, 11, 54.5]
    assert [stages["estimation"][k] for k in counts] == [30, 4, 0, 0, 2, 1, 4, 100.0]
    assert [stages["visite_technique"][k] for k in counts] == [50, 6, 1, 0, 0, 0, 7, 85.7]
    assert [stages["devis"][k] for k in counts] == [80, 6, 1, 0, 0, 0, 7, 85.7]
    bounds = [(stages[k]["low"], stages[k]["high"]) for k in stages]
    assert bounds == [(28.0, 78.7), (51.0, 100.0), (48.7, 97.4), (48.7, 97.4)]
    # nouveau's 10 % and estimation's 30 % lie outside their intervals, but ten and four
    # closed deals are not evidence enough for a suggestion.
    assert [(s["outside"], s["enough"], s["suggested"]) for s in stages.values()] == [
        (True, False, None),
        (True, False, None),
        (False, False, None),
        (False, False, None),
    ]
    assert shown["min_evidence"] == 20


def test_the_forecast_at_each_months_start_against_the_won(
    ctx: Context, team: Any, history: dict[str, int]
) -> None:
    shown = calibration.calibration(ctx, team.admin, QUARTER).to_dict()
    keys = ("month", "currency", "deals", "forecast", "won", "difference", "ratio")
    months = [tuple(m[k] for k in keys) for m in shown["months"]]
    assert months == [
        ("2026-01", "EUR", 0, 0, 0, 0, None),
        ("2026-02", "EUR", 5, 1300, 7000, 5700, 538.5),
        ("2026-03", "EUR", 3, 2040, 800, -1240, 39.2),
    ]
    # Without a period: the twelve months before this one (April 2026), the same figures.
    default = calibration.calibration(ctx, team.admin, OPENFIRE).to_dict()["months"]
    assert [m["month"] for m in default] == [f"2025-{n:02d}" for n in range(4, 13)] + [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert [(m["forecast"], m["won"]) for m in default[-2:]] == [(1300, 7000), (2040, 800)]


def test_a_period_counts_the_deals_created_in_it(
    ctx: Context, team: Any, history: dict[str, int]
) -> None:
    def nouveau(start: str, end: str) -> list[int]:
        period = Filters(process="openfire_pipeline", start=start, end=end)
        shown = calibration.calibration(ctx, team.admin, period).to_dict()["stages"][0]
        return [shown[k] for k in ("won", "lost", "invalid", "open", "reopened")]

    # Created on 5 January: A1-3 B1-2 won, C1-4 H lost, F1-2 open, D and G reopened (their
    # new halves were created on the 12th, outside).
    assert nouveau("2026-01-01", "2026-01-10") == [5, 5, 0, 2, 2]
    # Created on 12 January: the reopened halves, G2 won and D2 open.
    assert nouveau("2026-01-11", "2026-01-31") == [1, 0, 0, 1, 0]


def test_managers_see_their_team_and_reps_none(
    ctx: Context, team: Any, history: dict[str, int]
) -> None:
    # Olga is in nobody's team: Mia's view has none of her deals.
    shown = calibration.calibration(ctx, team.mia, OPENFIRE).to_dict()
    assert all(s["won"] == s["lost"] == s["open"] == 0 for s in shown["stages"])
    assert all(m["forecast"] == m["won"] == 0 for m in shown["months"])
    with pytest.raises(Forbidden):
        calibration.calibration(ctx, team.olga, OPENFIRE)


def test_the_tables_and_csv(ctx: Context, team: Any, history: dict[str, int]) -> None:
    stages = tables.table(ctx, team.admin, "calibration", OPENFIRE)
    assert stages.headers[:4] == ["stage", "name", "configured_pct", "observed_pct"]
    assert stages.rows[0][:8] == ["nouveau", "Nouveau", 10, 54.5, 28.0, 78.7, 11, 6]
    rows = list(csv.reader(io.StringIO(stages.csv(",").lstrip("\ufeff"))))
    assert rows[1][:4] == ["nouveau", "Nouveau", "10.0", "54.5"]
    months = tables.table(ctx, team.admin, "forecast-accuracy", QUARTER)
    assert months.rows[1] == ["2026-02", "EUR", 5, 1300, 7000, 5700, 538.5]


def test_the_statements_do_not_grow_with_the_deals(
    ctx: Context, team: Any, history: dict[str, int], clock: Any
) -> None:
    counter = Statements(ctx.db)
    calibration.calibration(ctx, team.admin, OPENFIRE)  # the process's rules read and cached
    with counter.counting():
        calibration.calibration(ctx, team.admin, OPENFIRE)
    before = counter.count
    at(clock, 4, 21)
    for n in range(5):
        deal = new(ctx, team.olga, f"More{n}", "10", "2026-03-20")
        deals.move_deal(ctx, team.olga, deal, "estimation")
        deals.close_deal(ctx, team.olga, deal, "lost", "Autre")
    with counter.counting():
        again = calibration.calibration(ctx, team.admin, OPENFIRE).to_dict()
    assert again["stages"][1]["lost"] == 5
    assert counter.count == before, counter.summary()
    assert before <= 10, counter.summary()


@pytest.fixture
def evidence(ctx: Context, team: Any, clock: Any) -> None:
    """Twenty deals that reached estimation (30 %) and were closed: one won, nineteen lost.
    By hand: 1 of 20 = 5 %, Wilson 0.9 .. 23.6 %: 30 % is outside, suggested 5 %."""
    olga = team.olga
    at(clock, 1, 5)
    for n in range(20):
        deal = new(ctx, olga, f"E{n}", "100")
        deals.move_deal(ctx, olga, deal, "estimation")
        if n == 0:
            win_path(ctx, olga, deal)
            win(ctx, olga, deal)
        else:
            deals.close_deal(ctx, olga, deal, "lost", "Autre")


def test_enough_evidence_suggests_a_rate_and_the_lint_says_so(
    ctx: Context, team: Any, evidence: None
) -> None:
    stages = {
        s["key"]: s for s in calibration.calibration(ctx, team.admin, OPENFIRE).to_dict()["stages"]
    }
    estimation = stages["estimation"]
    assert (estimation["won"], estimation["lost"], estimation["observed"]) == (1, 19, 5.0)
    assert (estimation["low"], estimation["high"]) == (0.9, 23.6)
    assert (estimation["enough"], estimation["outside"], estimation["suggested"]) == (
        True,
        True,
        5,
    )
    # nouveau: the same twenty, 10 % inside 0.9 .. 23.6: nothing to suggest.
    assert (stages["nouveau"]["outside"], stages["nouveau"]["suggested"]) == (False, None)

    xml = (BUNDLED / "openfire_pipeline.bpmn").read_text()
    found = drafts.lint_draft(ctx, team.admin, "openfire_pipeline", xml)
    notes = [p for p in found if p.code == "win_rate_calibration"]
    assert [(p.severity, p.element_id) for p in notes] == [("info", "Stage_Estimation")]
    assert notes[0].message == (
        "win rate 30 % is outside what the deals show: 1 of 20 deals that reached the stage "
        "were won (5.0 %, 95 % interval 0.9 to 23.6 %); suggested 5 %"
    )
    assert not [p for p in found if p.severity == "error"]
    # The designer types the suggested rate in the draft: the note goes.
    corrected = xml.replace(
        '<spiffworkflow:property name="stage_win_rate" value="30" />',
        '<spiffworkflow:property name="stage_win_rate" value="5" />',
    )
    again = drafts.lint_draft(ctx, team.admin, "openfire_pipeline", corrected)
    assert [p for p in again if p.code == "win_rate_calibration"] == []
    # The modeler's panel reads the same figures by stage key.
    shown = calibration.stage_observations(ctx, team.admin, "openfire_pipeline")
    assert shown["min_evidence"] == 20
    assert shown["stages"]["estimation"]["observed"] == 5.0
    assert shown["stages"]["estimation"]["suggested"] is None  # no configured rate to compare
