"""Reading the board: columns with their counts and totals, the first cards of each, and the
next cards of one column ("show more").

Whatever the number of deals, a board costs the same few queries and its size is bounded:
the counts and value sums of every column come from one aggregate over a covering index, the
first CARDS_PER_COLUMN cards of every column from one statement, and a deal's instance state
is never read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.analytics import duration
from bpmn_sales.domain.attention import Attention, NextActivity
from bpmn_sales.domain.model import Actor, DealStatus, Role
from bpmn_sales.domain.paging import Page, checked_limit, decode_cursor
from bpmn_sales.domain.rules import StageRule
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _
from bpmn_sales.persistence.queries.board import CARD_SORT
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.board.layout import can_configure, ordered, owner_filter, pick_process
from bpmn_sales.services.deals.attention import Watched, attention_of

CARDS_PER_COLUMN = 20


def _fields(item: Any, *leave: str) -> dict[str, Any]:
    """A dataclass's fields by name, but those in `leave`, as they are: no deep copy (asdict
    copies every card of every column once per level, a third of a board's answer time)."""
    return {f.name: getattr(item, f.name) for f in fields(item) if f.name not in leave}


@dataclass(frozen=True)
class Card:
    id: int
    name: str
    customer: str | None
    value: Decimal
    currency: str
    probability: int
    owner: str
    days_in_stage: int
    version: int
    # The deal's next due activity and flag (nothing_scheduled, quiet), as on the deals list.
    next_activity: NextActivity | None = None
    flag: str | None = None
    quiet_since: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        data = _fields(self)
        data["next_activity"] = self.next_activity.to_dict() if self.next_activity else None
        data["quiet_since"] = self.quiet_since.isoformat() if self.quiet_since else None
        return data


@dataclass(frozen=True)
class Column:
    key: str
    name: str
    label: str
    position: int
    win_rate: float | None
    phase: str
    count: int
    totals: dict[str, Decimal]
    cards: list[Card] = field(default_factory=list)
    # Deals of any status and owner at this stage (for managers and admins; else None),
    # counted up to COUNT_CAP + 1.
    in_use: int | None = None
    # The cursor of the column's next cards (None: every card is shown).
    next: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            **_fields(self, "cards"),
            "totals": dict(sorted(self.totals.items())),
            "cards": [card.to_dict() for card in self.cards],
        }


@dataclass(frozen=True)
class Board:
    process: str
    process_name: str
    enabled: bool
    free_moves: bool
    columns: list[Column]
    won: int  # counted up to COUNT_CAP + 1, as `lost`
    lost: int
    owner: str | None
    team: str | None
    processes: list[dict[str, str]]
    owners: list[str]
    teams: list[str]
    can_configure: bool
    # Adding and deleting stages makes a new process version: admins only.
    can_edit_stages: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            **_fields(self, "columns"),
            "columns": [c.to_dict() for c in self.columns],
        }


@dataclass(frozen=True)
class ColumnCards:
    """The next cards of one column and the cursors around them; with where a card may move
    (the board's pre-sale columns: key, label) when the process lets deals move freely."""

    process: str
    stage: str
    page: Page[Card]
    free_moves: bool = False
    targets: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "stage": self.stage,
            "cards": [card.to_dict() for card in self.page],
            "next": self.page.next,
            "count": self.page.total,
        }


def pipeline_board(
    ctx: Context,
    actor: Actor,
    process_key: str | None = None,
    owner: str | None = None,
    team: str | None = None,
) -> Board:
    """The board of a process: a column per stage, the open deals the actor may see, the
    first CARDS_PER_COLUMN of each column (longest in the stage first)."""
    now = ctx.clock()
    with ctx.uow() as store:
        owner_ids, people = owner_filter(store, actor, owner or None, team or None)
        shown = owner_ids if (owner or team) else None
        process, stages, choices = pick_process(ctx, store, process_key or None, actor, shown)
        names = {u.id: u.username for u in people}
        versions = store.process_version_ids(process.id)
        totals = store.board_totals(versions, owner_ids)
        counts = {stage: count for stage, (count, _) in totals.items()}
        layout = ordered(stages, list(store.board_columns(process.id)))
        pages = store.board_cards(
            versions,
            owner_ids,
            {s.key: counts.get(s.key, 0) for s, _, _ in layout},
            CARDS_PER_COLUMN,
        )
        configure = can_configure(actor)
        usage = store.stage_counts(versions, [s.key for s in stages]) if configure else {}
        closed = store.status_counts(versions, owner_ids, [DealStatus.WON, DealStatus.LOST])
        flags = _attention(store, stages, pages.items(), now)
        columns = []
        for stage, label, position in layout:
            count, sums = totals.get(stage.key, (0, {}))
            page = pages[stage.key]
            columns.append(
                Column(
                    stage.key,
                    stage.name,
                    label,
                    position,
                    stage.win_rate,
                    stage.phase,
                    count,
                    sums,
                    [_card(row, names, now, flags.get(row.id)) for row in page],
                    usage.get(stage.key, 0) if configure else None,
                    page.next,
                )
            )
        free = _free_moves(ctx, store, process.id)
        return Board(
            process=process.key,
            process_name=process.name,
            enabled=process.enabled,
            free_moves=free,
            columns=columns,
            won=closed.get(DealStatus.WON, 0),
            lost=closed.get(DealStatus.LOST, 0),
            owner=owner or None,
            team=team or None,
            processes=choices,
            owners=[u.username for u in people],
            teams=[
                u.username
                for u in people
                if u.role == Role.MANAGER and (actor.is_admin or u.id == actor.id)
            ],
            can_configure=can_configure(actor),
            can_edit_stages=actor.is_admin,
        )


def column_cards(
    ctx: Context,
    actor: Actor,
    process_key: str | None,
    stage: str,
    cursor: str | None,
    owner: str | None = None,
    team: str | None = None,
    limit: int | None = CARDS_PER_COLUMN,
) -> ColumnCards:
    """The next cards of one column of the board, after `cursor` (the column's `next`)."""
    size = checked_limit(limit, CARDS_PER_COLUMN, 100)
    at = decode_cursor(cursor, CARD_SORT.name)
    now = ctx.clock()
    with ctx.uow() as store:
        process, stages, _keys = pick_process(ctx, store, process_key or None, actor)
        if not any(s.key == stage for s in stages):
            known = ", ".join(s.key for s in stages)
            raise InvalidInput(
                _(
                    "stage '%(stage)s' is not a column of this board (%(known)s)",
                    stage=stage,
                    known=known,
                ),
                field="stage",
            )
        owner_ids, people = owner_filter(store, actor, owner or None, team or None)
        names = {u.id: u.username for u in people}
        versions = store.process_version_ids(process.id)
        page = store.column_cards(versions, owner_ids, stage, at, size)
        layout = ordered(stages, list(store.board_columns(process.id)))
        flags = _attention(store, stages, [(stage, page)], now)
        return ColumnCards(
            process.key,
            stage,
            page.map(lambda rows: [_card(r, names, now, flags.get(r.id)) for r in rows]),
            _free_moves(ctx, store, process.id),
            [(s.key, label) for s, label, _ in layout if s.phase == "pre_sale"],
        )


def _free_moves(ctx: Context, store: Store, process_id: int) -> bool:
    version = store.latest_version(process_id)
    return bool(version and common.info_for(ctx, store, version.id).rules.free_moves)


def _attention(
    store: Store, stages: Sequence[StageRule], pages: Iterable[tuple[str, Any]], now: datetime
) -> dict[int, Attention]:
    """The next activity and flag of every card shown (one statement for the whole board)."""
    reminders = {s.key: duration(s.reminder_after) for s in stages}
    watched = [
        Watched(row.id, row.updated_at, reminders.get(key)) for key, page in pages for row in page
    ]
    return attention_of(store, watched, now)


def _card(row: Any, names: dict[int, str], now: datetime, flags: Attention | None) -> Card:
    entered = row.stage_entered_at or row.created_at
    flags = flags or Attention()
    return Card(
        id=row.id,
        name=row.name,
        customer=row.customer,
        value=row.value,
        currency=row.currency,
        probability=row.probability,
        owner=names.get(row.owner_id, ""),
        days_in_stage=max(0, (now - entered).days),
        version=row.version,
        next_activity=flags.next_activity,
        flag=flags.flag,
        quiet_since=flags.quiet_since,
    )
