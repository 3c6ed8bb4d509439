"""The pipeline board: stages as columns, open deals as cards, and the columns' settings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from bpmn_sales.web.schemas.common import Body, Money, MoneyByCurrency, Paged, Query, Reply
from bpmn_sales.web.schemas.deals import NextActivity


class Card(Reply):
    """An open deal on the board."""

    id: int
    name: str
    customer: str | None
    value: Money
    currency: str
    probability: int
    owner: str
    days_in_stage: int
    version: int
    next_activity: NextActivity | None = Field(
        None, description="The earliest due ready task or open follow-up"
    )
    flag: Literal["nothing_scheduled", "quiet"] | None = Field(
        None, description="nothing_scheduled or quiet (see Deal.flag)"
    )
    quiet_since: datetime | None = None


class Column(Reply):
    """A stage as a column, with its cards."""

    key: str
    name: str = Field(description="The diagram's name")
    label: str = Field(description="The name shown")
    position: int
    win_rate: float | None
    phase: Literal["pre_sale", "post_sale"]
    count: int = Field(description="Open deals in the column (all of them, not only the cards)")
    totals: MoneyByCurrency = Field(description="Total value of those deals by currency")
    cards: list[Card] = Field(
        description="The first cards, longest in the stage first (at most 20)"
    )
    in_use: int | None = Field(
        description="Deals of any status at this stage (managers and admins; null for reps): "
        "such a stage cannot be removed. Counted up to 1001, which means more than 1,000"
    )
    next: str | None = Field(
        description="The cursor of the column's next cards (GET /board/columns/{stage}/cards); "
        "null when every card is shown"
    )


class ProcessChoice(Reply):
    key: str
    name: str


class Board(Reply):
    """A process's stages as columns in board order, the open deals you may see as cards."""

    process: str
    process_name: str
    enabled: bool
    free_moves: bool
    columns: list[Column]
    won: int = Field(description="Won deals (counted up to 1001, which means more than 1,000)")
    lost: int = Field(description="Lost deals (counted as `won`)")
    owner: str | None
    team: str | None
    processes: list[ProcessChoice]
    owners: list[str]
    teams: list[str]
    can_configure: bool
    can_edit_stages: bool = Field(description="Whether the user may add and delete stages")


class BoardQuery(Query):
    process: str | None = Field(None, description="Process key (default: the first enabled one)")
    owner: str | None = Field(None, description="Only this user's deals")
    team: str | None = Field(None, description="Only the deals of this manager and their reports")


class ColumnCardsQuery(Paged):
    process: str | None = Field(None, description="Process key (default: the first enabled one)")
    owner: str | None = Field(None, description="Only this user's deals")
    team: str | None = Field(None, description="Only the deals of this manager and their reports")
    limit: int = Field(20, ge=1, le=100, description="At most this many (1 to 100)")


class ColumnLabel(Body):
    process: str = Field(description="The process key")
    label: str = Field(description="At most 100 characters; the stage's name restores it")


class ColumnLabelled(Reply):
    stage: str
    label: str


class ColumnOrder(Body):
    process: str = Field(description="The process key")
    order: list[str] = Field(description="Stage keys; the others follow in their current order")


class ColumnsOrdered(Reply):
    order: list[str]
