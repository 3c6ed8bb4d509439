"""The calibration arithmetic: Wilson intervals, the suggestion rule, the tally of outcomes."""

from __future__ import annotations

from decimal import Decimal

from bpmn_sales.domain.calibration import (
    MIN_EVIDENCE,
    MonthAccuracy,
    StageCalibration,
    rounded_to_step,
    tally,
    weighted,
    wilson,
)


def rounded(bounds: tuple[float, float] | None) -> tuple[float, float] | None:
    return None if bounds is None else (round(bounds[0], 1), round(bounds[1], 1))


def test_wilson_interval_at_95_percent() -> None:
    # By hand: p = 0.5, n = 20, z2 = 3.8415: centre 0.5, half-width
    # 1.96 * sqrt(0.0125 + 0.0024) / 1.1921 = 0.2007 -> 29.9 .. 70.1.
    assert rounded(wilson(10, 20)) == (29.9, 70.1)
    # Nothing won of 20: 0 .. z2/(n + z2) = 3.8415 / 23.8415 = 16.1.
    assert rounded(wilson(0, 20)) == (0.0, 16.1)
    assert rounded(wilson(20, 20)) == (83.9, 100.0)
    assert wilson(0, 0) is None


def test_rounding_to_five() -> None:
    assert [rounded_to_step(x) for x in (0, 2.4, 2.5, 41, 42.5, 97.6, 100)] == [
        0,
        0,
        5,
        40,
        45,
        100,
        100,
    ]


def test_a_rate_is_suggested_only_with_evidence_and_outside_the_interval() -> None:
    # 14 of 20 won: 70 %, interval 48.1 .. 85.5.
    far = StageCalibration("quote", "Quote", 30.0, won=14, lost=6)
    assert (far.observed, far.interval, far.enough, far.outside) == (
        70.0,
        (48.1, 85.5),
        True,
        True,
    )
    assert far.suggested == 70
    # The configured rate inside the interval: nothing to suggest.
    assert StageCalibration("quote", "Quote", 60.0, won=14, lost=6).suggested is None
    # Outside, but with 19 closed deals: not evidence enough.
    few = StageCalibration("quote", "Quote", 30.0, won=14, lost=MIN_EVIDENCE - 15)
    assert (few.closed, few.outside, few.suggested) == (19, True, None)
    # No configured rate: nothing is outside.
    assert StageCalibration("quote", "Quote", None, won=14, lost=6).suggested is None
    # No closed deals: no rate, no interval.
    empty = StageCalibration("quote", "Quote", 30.0, open=3)
    assert (empty.observed, empty.interval, empty.outside) == (None, None, False)


def test_tally_counts_each_reached_stage_and_moves_reopened_deals_out() -> None:
    stages = [("a", "A", 10.0), ("b", "B", 40.0), ("c", "C", 70.0)]
    rows = [
        (frozenset({"a", "b", "c"}), "won", 3),
        (frozenset({"a", "c"}), "won", 1),  # skipped b: not counted at b
        (frozenset({"a", "b"}), "lost", 4),  # one of them reopened since
        (frozenset({"a"}), "invalid", 2),  # neither won nor lost
        (frozenset({"a", "b"}), "open", 5),
        (frozenset({"a", "post_sale"}), "won", 1),  # a stage not in the list is ignored
    ]
    reopened = [(frozenset({"a", "b"}), "lost", 1)]
    found = {s.key: s for s in tally(stages, rows, reopened)}
    fields = ("won", "lost", "invalid", "open", "reopened", "closed")
    assert [getattr(found["a"], f) for f in fields] == [5, 3, 2, 5, 1, 8]
    assert [getattr(found["b"], f) for f in fields] == [3, 3, 0, 5, 1, 6]
    assert [getattr(found["c"], f) for f in fields] == [4, 0, 0, 0, 0, 4]
    assert found["a"].observed == 62.5


def test_month_accuracy() -> None:
    month = MonthAccuracy("2026-02", "EUR", 5, weighted(Decimal("1000"), 30.0) * 3, Decimal(7000))
    assert (month.forecast, month.difference, month.ratio) == (900, 6100, 777.8)
    assert MonthAccuracy("2026-03", "EUR").ratio is None
    assert weighted(None, 30.0) == 0 and weighted(Decimal(5), None) == 0
