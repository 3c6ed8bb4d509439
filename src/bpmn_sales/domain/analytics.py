"""The arithmetic of the analytics reports, on plain values: funnel, percentiles, periods."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

Money = dict[str, Decimal]  # currency -> amount

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DURATION = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


CENT = Decimal("0.01")


def add(totals: Money, currency: str, amount: Decimal | int | None) -> None:
    """Add to the total of that currency only: amounts in two currencies never add up."""
    totals[currency] = totals.get(currency, Decimal(0)) + Decimal(amount or 0)


def cents(amount: Decimal) -> Decimal:
    """An amount to the cent (a database's sum may carry more places, or a weighted value)."""
    return Decimal(amount).quantize(CENT)


def share(part: int, whole: int) -> float | None:
    """part/whole as a percentage with one decimal; None when there is nothing to divide."""
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class FunnelStep:
    key: str
    name: str
    reached: int = 0
    value: Money = field(default_factory=dict)
    went_on: int = 0
    skipped: int = 0
    to_next: float | None = None
    overall: float | None = None


def funnel_steps(
    stages: Sequence[tuple[str, str]],
    later: dict[str, set[str]],
    rows: Iterable[tuple[frozenset[str], str, str, int, Decimal | int | None]],
) -> tuple[list[FunnelStep], int, int, Money]:
    """Funnel steps from (stages reached, status, currency, deals, value) groups.

    `stages` are the pre-sale stages in order; `later[key]` every stage after it (post-sale
    ones too). A deal reached a stage only if it entered it; it went on if it later entered a
    later stage or was won; it skipped a stage if it never entered it yet entered a later one.
    Returns the steps, all deals, won deals and won value.
    """
    steps = [FunnelStep(key, name) for key, name in stages]
    total = won = 0
    won_value: Money = {}
    for reached, status, currency, count, value in rows:
        total += count
        if status == "won":
            won += count
            add(won_value, currency, value)
        for step in steps:
            beyond = bool(reached & later[step.key])
            if step.key in reached:
                step.reached += count
                add(step.value, currency, value)
                if beyond or status == "won":
                    step.went_on += count
            elif beyond:
                step.skipped += count
    for step in steps:
        step.to_next = share(step.went_on, step.reached)
        step.overall = share(step.reached, total)
    return steps, total, won, won_value


def percentile_hours(buckets: Sequence[tuple[int, int]], fraction: float) -> int | None:
    """Nearest-rank percentile of stays counted by whole hours: (hours, stays) pairs."""
    ordered = sorted(buckets)
    total = sum(count for _, count in ordered)
    if not total:
        return None
    rank = max(1, math.ceil(round(fraction * total, 6)))
    seen = 0
    for hours, count in ordered:
        seen += count
        if seen >= rank:
            return hours
    return ordered[-1][0]


def duration(text: str | None) -> timedelta | None:
    """An ISO 8601 duration of weeks, days and time (P3D, PT12H, P1DT2H); None if unusable."""
    if not text:
        return None
    match = DURATION.match(text.strip().upper())
    if not match or text.strip().upper() in ("P", "PT"):
        return None
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    return timedelta(
        weeks=parts.get("w", 0),
        days=parts.get("d", 0),
        hours=parts.get("h", 0),
        minutes=parts.get("m", 0),
        seconds=parts.get("s", 0),
    )


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_of(month: str) -> str:
    year, mon = month.split("-")
    return f"{year}-Q{(int(mon) - 1) // 3 + 1}"


def next_month(day: date) -> date | None:
    """The first day of the month after `day`'s; None after December 9999 (date.max)."""
    if (day.year, day.month) == (date.max.year, date.max.month):
        return None
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_between(first: date, last: date) -> list[str]:
    """Every 'YYYY-MM' from first's month to last's, inclusive."""
    months, year, mon = [], first.year, first.month
    while (year, mon) <= (last.year, last.month):
        months.append(f"{year:04d}-{mon:02d}")
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return months


def period_months(period: str) -> list[str] | None:
    """The months a target period covers ('2026-11' or '2026-Q4'); None if not a period."""
    if MONTH.match(period):
        return [period]
    quarter = QUARTER.match(period)
    if quarter:
        year, q = int(quarter.group(1)), int(quarter.group(2))
        return [f"{year:04d}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
    return None
