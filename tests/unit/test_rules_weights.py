"""Win probability from stage win rates and activity weights (tasks/weights.py).

Every expected value is computed by hand from the formula in docs/authoring.md ("Win probability"):
rated stages give p = r_i + (r_next - r_i) * f, unrated ones p = 100 * done / total weight,
post-sale stages the won terminal's probability; p is rounded half up to a whole percent.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bpmn_sales.domain.rules import ActivityRule, ProcessRules, StageRule, TerminalRule
from bpmn_sales.tasks.weights import whole_percent, win_probability, won_probability


def act(element_id: str, stage: str, weight: float = 1) -> ActivityRule:
    return ActivityRule(element_id, element_id.upper(), stage, weight=weight)


def stage(
    key: str,
    order: int,
    rate: float | None,
    weights: Sequence[float] = (),
    phase: str = "pre_sale",
) -> StageRule:
    activities = tuple(act(f"{key}_{i}", key, w) for i, w in enumerate(weights))
    return StageRule(
        key, key.upper(), f"Stage_{key}", order, win_rate=rate, activities=activities, phase=phase
    )


def won(probability: float = 100, element_id: str = "Event_Won") -> TerminalRule:
    return TerminalRule(element_id, "won", "Won", probability)


LOST = TerminalRule("Event_Lost", "lost", "Lost", 0)


def rated(won_probability: float | None = None) -> ProcessRules:
    """Rates 10/30/50/80; s1 has weights 2 and 1, s2 none, s3 two zero weights, s4 1 and 1."""
    terminals = (LOST,) if won_probability is None else (won(won_probability), LOST)
    return ProcessRules(
        stages=(
            stage("s1", 1, 10, (2, 1)),
            stage("s2", 2, 30),
            stage("s3", 3, 50, (0, 0)),
            stage("s4", 4, 80, (1, 1)),
            stage("post", 5, None, (5,), phase="post_sale"),
        ),
        terminals=terminals,
    )


# --------------------------------------------------------------------------------------------
# whole_percent
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (0.49, 0),
        (0.5, 1),
        (1.5, 2),
        (2.5, 3),  # banker's rounding would give 2
        (22.5, 23),
        (23.333333333333332, 23),
        (99.5, 100),
        (100, 100),
        (100.4, 100),
        (150, 100),
        (-3, 0),
        (-0.5, 0),
    ],
)
def test_whole_percent_rounds_half_up_and_clamps(value: float, expected: int) -> None:
    assert whole_percent(value) == expected
    assert isinstance(whole_percent(value), int)


# --------------------------------------------------------------------------------------------
# rated stages
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        ((), 10),
        (("s1_0",), 23),  # 10 + 20 * 2/3 = 23.33
        (("s1_1",), 17),  # 10 + 20 * 1/3 = 16.67
        (("s1_0", "s1_1"), 30),  # all done: the next stage's rate
        (("s1_0", "s1_0", "s1_0"), 23),  # an id counts once
        (["s1_0"], 23),
        (frozenset({"s1_0"}), 23),
    ],
)
def test_rated_first_stage_moves_toward_the_next_rate(done: Sequence[str], expected: int) -> None:
    assert win_probability(rated(), "s1", done) == expected


def test_rated_stage_without_activities_stays_at_its_rate() -> None:
    assert win_probability(rated(), "s2", ()) == 30
    assert win_probability(rated(), "s2", ("s1_0", "s1_1")) == 30


@pytest.mark.parametrize("done", [(), ("s3_0",), ("s3_0", "s3_1")])
def test_rated_zero_weight_stage_stays_at_its_rate(done: Sequence[str]) -> None:
    assert win_probability(rated(), "s3", done) == 50


def test_done_ids_of_other_stages_do_not_move_the_current_stage() -> None:
    everything_else = ("s1_0", "s1_1", "s3_0", "s3_1", "post_0", "unknown")
    assert win_probability(rated(), "s4", everything_else) == 80
    assert win_probability(rated(), "s2", everything_else) == 30
    # Later-stage activities done early do not count while still in s1.
    assert win_probability(rated(), "s1", ("s4_0", "s4_1")) == 10


@pytest.mark.parametrize(
    ("done", "expected"),
    [((), 80), (("s4_0",), 90), (("s4_0", "s4_1"), 100)],  # 80 + (100 - 80) * f
)
def test_last_pre_sale_stage_moves_toward_the_default_won_probability(
    done: Sequence[str], expected: int
) -> None:
    # No won terminal at all: the default of 100.
    assert win_probability(rated(None), "s4", done) == expected
    # A won terminal without a custom probability reads as 100 too.
    assert win_probability(rated(100), "s4", done) == expected


@pytest.mark.parametrize(
    ("done", "expected"),
    [((), 80), (("s4_1",), 85), (("s4_0", "s4_1"), 90)],  # 80 + (90 - 80) * f
)
def test_last_pre_sale_stage_moves_toward_a_custom_won_probability(
    done: Sequence[str], expected: int
) -> None:
    assert win_probability(rated(90), "s4", done) == expected


def test_a_won_probability_below_the_last_rate_pulls_down() -> None:
    # 80 + (60 - 80) * 1/2 = 70
    assert win_probability(rated(60), "s4", ("s4_0",)) == 70


def test_the_first_won_terminal_gives_the_won_probability() -> None:
    rules = ProcessRules(
        stages=(stage("s1", 1, 50, (1,)),),
        terminals=(LOST, won(90, "Event_WonThrow"), won(100, "Event_Delivered")),
    )
    assert won_probability(rules) == 90
    assert win_probability(rules, "s1", ("s1_0",)) == 90


def test_stage_none_with_rates_is_the_first_rate() -> None:
    assert win_probability(rated(), None, ()) == 10
    assert win_probability(rated(), None, ("s1_0", "s1_1", "s4_0")) == 10


def test_an_unknown_stage_key_with_rates_is_the_first_rate() -> None:
    assert win_probability(rated(), "nowhere", ("s1_0",)) == 10


def test_post_sale_stage_is_the_won_probability() -> None:
    assert win_probability(rated(None), "post", ()) == 100
    assert win_probability(rated(90), "post", ()) == 90
    assert win_probability(rated(90), "post", ("post_0",)) == 90
    assert win_probability(rated(87.5), "post", ()) == 88


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 1, 1),  # 0 + 1 * 1/2 = 0.5 -> 1
        (2, 3, 3),  # 2.5 -> 3 (banker's rounding would give 2)
        (10, 11, 11),  # 10.5 -> 11
        (10, 30, 15),  # 10 + 20 * 1/4 = 15 (weights 1 of 4)
    ],
)
def test_rated_rounding_half_up(low: float, high: float, expected: int) -> None:
    weights = (1, 1) if high - low == 1 else (1, 3)
    rules = ProcessRules(
        stages=(stage("a", 1, low, weights), stage("b", 2, high)),
        terminals=(won(),),
    )
    assert win_probability(rules, "a", ("a_0",)) == expected


def test_rated_rounding_of_a_quarter_and_three_quarters() -> None:
    # 20 + 10 * 1/4 = 22.5 -> 23; 20 + 10 * 3/4 = 27.5 -> 28
    rules = ProcessRules(stages=(stage("a", 1, 20, (1, 3)), stage("b", 2, 30)))
    assert win_probability(rules, "a", ("a_0",)) == 23
    assert win_probability(rules, "a", ("a_1",)) == 28


def test_fractional_rates_and_weights() -> None:
    # 12.5 + (37.5 - 12.5) * 0.5 / 2 = 18.75 -> 19
    rules = ProcessRules(stages=(stage("a", 1, 12.5, (0.5, 1.5)), stage("b", 2, 37.5)))
    assert win_probability(rules, "a", ("a_0",)) == 19
    assert win_probability(rules, "b", ()) == 38  # 37.5 -> 38


def test_falling_rates_move_down() -> None:
    # 60 + (40 - 60) * 1/2 = 50
    rules = ProcessRules(stages=(stage("a", 1, 60, (1, 1)), stage("b", 2, 40)))
    assert win_probability(rules, "a", ("a_0",)) == 50


# --------------------------------------------------------------------------------------------
# unrated stages
# --------------------------------------------------------------------------------------------


def unrated() -> ProcessRules:
    """No rates; pre-sale weights 2+1 / 0 / 3 (total 6); a post-sale activity of weight 4."""
    return ProcessRules(
        stages=(
            stage("u1", 1, None, (2, 1)),
            stage("u2", 2, None, (0,)),
            stage("u3", 3, None, (3,)),
            stage("post", 4, None, (4,), phase="post_sale"),
        ),
        terminals=(won(95), LOST),
    )


@pytest.mark.parametrize(
    ("stage_key", "done", "expected"),
    [
        ("u1", (), 0),
        ("u1", ("u1_0",), 33),  # 100 * 2/6 = 33.3
        ("u1", ("u1_1",), 17),  # 100 * 1/6 = 16.7
        ("u1", ("u1_0", "u1_1"), 50),
        ("u2", ("u2_0",), 0),  # weight 0 adds nothing
        # Done ids anywhere in the pre-sale stages count, whatever the current stage:
        ("u1", ("u3_0",), 50),
        ("u3", ("u1_0", "u3_0"), 83),  # 100 * 5/6 = 83.3
        ("u3", ("u1_0", "u1_1", "u3_0"), 100),
        (None, ("u1_0",), 33),
        ("u1", ("post_0",), 0),  # post-sale weight is not part of the share
        ("u1", ("other",), 0),
    ],
)
def test_unrated_is_the_done_share_of_all_pre_sale_weight(
    stage_key: str | None, done: Sequence[str], expected: int
) -> None:
    assert win_probability(unrated(), stage_key, done) == expected


def test_unrated_post_sale_stage_is_the_won_probability() -> None:
    assert win_probability(unrated(), "post", ()) == 95


def test_unrated_without_weight_is_zero() -> None:
    rules = ProcessRules(stages=(stage("a", 1, None, (0, 0)), stage("b", 2, None)))
    assert win_probability(rules, "a", ("a_0", "a_1")) == 0
    assert win_probability(ProcessRules(), None, ()) == 0


def test_unrated_rounding_half_up() -> None:
    # 100 * 1/8 = 12.5 -> 13; 100 * 3/8 = 37.5 -> 38
    rules = ProcessRules(stages=(stage("a", 1, None, (1, 2, 5)),))
    assert win_probability(rules, "a", ("a_0",)) == 13
    assert win_probability(rules, "a", ("a_0", "a_1")) == 38


def test_one_unrated_stage_falls_back_to_the_share() -> None:
    # Mixing is a lint error; the computation then uses the done share.
    rules = ProcessRules(stages=(stage("a", 1, 40, (1,)), stage("b", 2, None, (3,))))
    assert win_probability(rules, "a", ("a_0",)) == 25


def test_rates_on_post_sale_stages_do_not_matter() -> None:
    rules = ProcessRules(
        stages=(stage("a", 1, 20, (1, 1)), stage("p", 2, None, (1,), phase="post_sale")),
        terminals=(won(),),
    )
    # a is the last pre-sale stage: 20 + (100 - 20) * 1/2 = 60
    assert win_probability(rules, "a", ("a_0",)) == 60
