"""Fakes for what is outside the product: the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class FakeClock:
    """The product's injectable clock, moved by hand in tests."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
