"""Win probability: stage win rates and activity weights (the formula in docs/authoring.md)."""

from __future__ import annotations

from collections.abc import Collection
from decimal import ROUND_HALF_UP, Decimal

from bpmn_sales.domain.rules import ProcessRules, StageRule


def whole_percent(value: float) -> int:
    """Round half up to a whole percent, clamped to 0..100."""
    rounded = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(0, min(100, rounded))


def _share(stages: Collection[StageRule], done: Collection[str]) -> float:
    total = sum(a.weight for s in stages for a in s.activities)
    if total <= 0:
        return 0.0
    completed = sum(a.weight for s in stages for a in s.activities if a.element_id in done)
    return completed / total


def won_probability(rules: ProcessRules) -> float:
    won = rules.terminal("won")
    return won.probability if won else 100.0


def win_probability(rules: ProcessRules, stage_key: str | None, done: Collection[str]) -> int:
    """The computed win probability of an open deal at `stage_key` with activities `done`.

    With win rates on every pre-sale stage: the current stage's rate moved toward the next
    stage's rate (the won probability after the last stage) by the share of the stage's activity
    weight done. Without rates: the done share of all pre-sale activity weight. A deal in a
    post-sale stage has been won.
    """
    stages = rules.pre_sale
    current = rules.stage(stage_key)
    if current is not None and current.post_sale:
        return whole_percent(won_probability(rules))
    if stages and all(s.win_rate is not None for s in stages):
        if current is None:
            return whole_percent(stages[0].win_rate or 0)
        index = stages.index(current)
        rate = current.win_rate or 0.0
        upper = stages[index + 1].win_rate if index + 1 < len(stages) else None
        next_rate = won_probability(rules) if upper is None else upper
        return whole_percent(rate + (next_rate - rate) * _share([current], done))
    return whole_percent(100 * _share(stages, done))
