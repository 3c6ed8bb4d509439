"""What a migration preview, a batch and a run look like to the pages, the API and the CLI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from bpmn_sales.domain.paging import Page


@dataclass(frozen=True)
class MigrationRow:
    """One open deal: where it is now, where it would land, or why it cannot move."""

    deal_id: int
    name: str
    owner: str | None
    from_version: int
    stage: str | None
    stage_name: str | None
    tasks: list[str]
    to_stage: str | None
    to_stage_name: str | None
    to_tasks: list[str]
    movable: bool
    reasons: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class VersionChoice:
    version: int
    enabled: bool
    open_deals: int


@dataclass(frozen=True)
class Position:
    """How many open deals wait at one stage of one older version (counted, not planned)."""

    from_version: int
    stage: str | None
    stage_name: str | None
    deals: int


@dataclass(frozen=True)
class MigrationPreview:
    """The open deals on the older versions, a page of them planned against the target.

    Where the deals are is counted for all of them (`positions`, `open`, `closed`); only the
    page's deals are planned, so `movable` and `refused` count the page: at least `refused`
    deals cannot move. Planning every deal is what a run does (or the CLI's `--all`).
    """

    process: str
    name: str
    from_version: int | None
    to_version: int
    page: Page[MigrationRow]
    closed: int  # closed deals on those versions: they keep their version
    versions: list[VersionChoice] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)

    @property
    def rows(self) -> list[MigrationRow]:
        return self.page.items

    @property
    def complete(self) -> bool:
        """Whether the page holds every open deal (then `movable` and `refused` count all)."""
        return self.page.next is None and self.page.previous is None

    @property
    def open(self) -> int:
        """Open deals on those versions, on every page."""
        return sum(p.deals for p in self.positions)

    @property
    def movable(self) -> int:
        return sum(1 for r in self.rows if r.movable)

    @property
    def refused(self) -> int:
        return len(self.rows) - self.movable

    def to_dict(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "name": self.name,
            "from": self.from_version,
            "to": self.to_version,
            "open": self.open,
            "complete": self.complete,
            "movable": self.movable,
            "refused": self.refused,
            "closed": self.closed,
            "positions": [asdict(p) for p in self.positions],
            "deals": [r.to_dict() for r in self.rows],
            "versions": [asdict(v) for v in self.versions],
        }


@dataclass(frozen=True)
class RefusedDeal:
    deal_id: int
    name: str
    reasons: list[str]


@dataclass(frozen=True)
class MigrationProgress:
    """A run after a batch: how many moved, were refused, are left."""

    run_id: int
    process: str
    from_version: int | None
    to_version: int
    moved: int
    refused: int
    remaining: int
    finished: bool
    refused_deals: list[RefusedDeal] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.moved + self.refused

    @property
    def total(self) -> int:
        return self.done + self.remaining

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else int(100 * self.done / self.total)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "process": self.process,
            "from": self.from_version,
            "to": self.to_version,
            "moved": self.moved,
            "refused": self.refused,
            "remaining": self.remaining,
            "total": self.total,
            "percent": self.percent,
            "finished": self.finished,
            "refused_deals": [asdict(r) for r in self.refused_deals],
        }


@dataclass(frozen=True)
class RunView:
    """A past or running migration run, for the history table."""

    run_id: int
    from_version: int | None
    to_version: int
    started_by: str | None
    started_at: datetime
    finished_at: datetime | None
    moved: int
    refused: int
    remaining: int

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }
