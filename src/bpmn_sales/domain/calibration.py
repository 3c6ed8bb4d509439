"""Stage win-rate calibration on plain values: observed rates, Wilson intervals, suggestions.

A stage's configured win rate ("Solution design 50 %") drives every weighted forecast. Of the
deals that reached the stage and are now closed won or lost, the share won is the observed
rate; the Wilson score interval at 95 % says how far the truth may be from it with that many
deals. The rule for a suggestion (documented in docs/authoring.md):

- evidence: at least MIN_EVIDENCE (20) deals that reached the stage closed won or lost;
- the configured rate lies outside the interval;
- then the suggested rate is the observed one rounded to the nearest 5 %.

Without both, no suggestion: the configured rate is as good as the evidence can tell.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

Z95 = 1.959963984540054  # the normal quantile of a two-sided 95 % interval
MIN_EVIDENCE = 20  # closed (won or lost) deals behind a stage before a rate is suggested
STEP = 5  # suggestions are rounded to multiples of 5 %


def wilson(won: int, closed: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of `won` out of `closed`, in percent; None without deals."""
    if closed <= 0:
        return None
    p = won / closed
    z2 = z * z
    middle = (p + z2 / (2 * closed)) / (1 + z2 / closed)
    half = z * math.sqrt(p * (1 - p) / closed + z2 / (4 * closed * closed)) / (1 + z2 / closed)
    return max(0.0, 100 * (middle - half)), min(100.0, 100 * (middle + half))


def rounded_to_step(percent: float, step: int = STEP) -> int:
    """`percent` to the nearest multiple of `step` (halves up): 42.5 -> 45, 41 -> 40."""
    return math.floor(percent / step + 0.5) * step


@dataclass
class StageCalibration:
    """One stage: its configured rate and what the closed deals that reached it say."""

    key: str
    name: str
    configured: float | None
    won: int = 0
    lost: int = 0
    invalid: int = 0  # closed as invalid: neither won nor lost, not counted
    open: int = 0  # still open: shown, not counted
    reopened: int = 0  # closed and reopened since: the new deal counts instead

    @property
    def closed(self) -> int:
        """Deals behind the observed rate: closed won or lost, not reopened."""
        return self.won + self.lost

    @property
    def observed(self) -> float | None:
        return round(100 * self.won / self.closed, 1) if self.closed else None

    @property
    def interval(self) -> tuple[float, float] | None:
        bounds = wilson(self.won, self.closed)
        return None if bounds is None else (round(bounds[0], 1), round(bounds[1], 1))

    @property
    def outside(self) -> bool:
        """The configured rate lies outside the 95 % interval of the observed one."""
        bounds = self.interval
        if bounds is None or self.configured is None:
            return False
        return not bounds[0] <= self.configured <= bounds[1]

    @property
    def enough(self) -> bool:
        return self.closed >= MIN_EVIDENCE

    @property
    def suggested(self) -> int | None:
        """The observed rate to 5 %, when the evidence is enough and the configured rate is
        outside the interval; else None."""
        if not (self.enough and self.outside) or self.observed is None:
            return None
        return rounded_to_step(self.observed)

    def to_dict(self) -> dict[str, object]:
        bounds = self.interval
        return {
            "key": self.key,
            "name": self.name,
            "configured": self.configured,
            "observed": self.observed,
            "low": None if bounds is None else bounds[0],
            "high": None if bounds is None else bounds[1],
            "closed": self.closed,
            "won": self.won,
            "lost": self.lost,
            "invalid": self.invalid,
            "open": self.open,
            "reopened": self.reopened,
            "enough": self.enough,
            "outside": self.outside,
            "suggested": self.suggested,
        }


def tally(
    stages: Sequence[tuple[str, str, float | None]],
    rows: Iterable[tuple[frozenset[str], str, int]],
    reopened: Iterable[tuple[frozenset[str], str, int]] = (),
) -> list[StageCalibration]:
    """Count, per stage, the deals that reached it by outcome.

    `stages` are (key, name, configured rate) in order; `rows` (stages reached, status, deals)
    groups of every deal; `reopened` the same groups of the closed deals reopened since, which
    move from their outcome to `reopened`. A deal reached a stage only if it entered it: a
    stage skipped on a free move does not count.
    """
    found = {key: StageCalibration(key, name, rate) for key, name, rate in stages}
    for reached, status, count in rows:
        for key in reached:
            stage = found.get(key)
            if stage is None:
                continue
            if status == "won":
                stage.won += count
            elif status == "lost":
                stage.lost += count
            elif status == "invalid":
                stage.invalid += count
            else:
                stage.open += count
    for reached, status, count in reopened:
        for key in reached:
            stage = found.get(key)
            if stage is None or status not in ("won", "lost", "invalid"):
                continue
            setattr(stage, status, getattr(stage, status) - count)
            stage.reopened += count
    return list(found.values())


@dataclass
class MonthAccuracy:
    """One month and currency: the weighted forecast at the month's start against the won."""

    month: str
    currency: str
    deals: int = 0  # open at the month's start, expected to close in it
    forecast: Decimal = Decimal(0)
    won: Decimal = Decimal(0)

    @property
    def difference(self) -> Decimal:
        """Won - forecast: positive when more was won than forecast."""
        return self.won - self.forecast

    @property
    def ratio(self) -> float | None:
        """Won as a percentage of the forecast; None when nothing was forecast."""
        return round(float(100 * self.won / self.forecast), 1) if self.forecast else None


def weighted(value: Decimal | int | float | None, rate: float | None) -> Decimal:
    """A value weighted by a win rate in percent (no rate: nothing)."""
    if value is None or rate is None:
        return Decimal(0)
    return Decimal(str(value)) * Decimal(str(rate)) / 100
