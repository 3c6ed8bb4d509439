"""Use cases for the pipeline board: stages as columns, open deals as cards, column settings.

Moving a card is `deals.move_deal`: the board adds no rule of its own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, DealStatus, Role
from bpmn_sales.domain.rules import StageRule
from bpmn_sales.errors import Forbidden, InvalidInput, NotFound
from bpmn_sales.persistence.models import BoardColumn, Deal, Process, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common

MAX_LABEL = 100


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

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "value": float(self.value)}


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
    # Deals of any status and owner at this stage (for managers and admins; else None).
    in_use: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in asdict(self).items() if k != "cards"},
            "totals": {c: float(v) for c, v in self.totals.items()},
            "cards": [card.to_dict() for card in self.cards],
        }


@dataclass(frozen=True)
class Board:
    process: str
    process_name: str
    enabled: bool
    free_moves: bool
    columns: list[Column]
    won: int
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
            **{k: v for k, v in asdict(self).items() if k != "columns"},
            "columns": [c.to_dict() for c in self.columns],
        }


def can_configure(actor: Actor) -> bool:
    return actor.role in (Role.MANAGER, Role.ADMIN)


def _require_configure(actor: Actor) -> None:
    if not can_configure(actor):
        raise Forbidden("only a manager or an admin may change the board's columns")


def _stages(ctx: Context, store: Store, process: Process) -> list[StageRule]:
    version = store.latest_version(process.id) or store.latest_version(process.id, False)
    if version is None:
        return []
    return list(common.info_for(ctx, store, version.id).rules.stages)


def _pick_process(
    ctx: Context, store: Store, key: str | None
) -> tuple[Process, list[StageRule], list[dict[str, str]]]:
    """The process to show (default: the first enabled one with stages) and the choices."""
    choices = []
    staged: dict[str, tuple[Process, list[StageRule]]] = {}
    for process in store.processes():
        stages = _stages(ctx, store, process)
        if stages:
            staged[process.key] = (process, stages)
            choices.append({"key": process.key, "name": process.name})
    if key:
        if key not in staged:
            if store.process_by_key(key) is None:
                raise NotFound(f"process '{key}' is not deployed", process=key)
            raise InvalidInput(f"process '{key}' has no stages to show", field="process")
        return (*staged[key], choices)
    for process, stages in staged.values():
        if process.enabled:
            return process, stages, choices
    if staged:
        return (*next(iter(staged.values())), choices)
    raise NotFound("no deployed process has stages (run `bpmn-sales init`)")


def _ordered(stages: list[StageRule], rows: list[BoardColumn]) -> list[tuple[StageRule, str, int]]:
    """Stages in board order with their labels: saved positions first, diagram order after."""
    saved = {row.stage_key: row for row in rows}
    keyed = []
    for index, stage in enumerate(stages):
        row = saved.get(stage.key)
        position = row.position if row and row.position is not None else len(stages) + index
        keyed.append((position, index, stage, (row.label if row else None) or stage.name))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [(stage, label, n + 1) for n, (_, _, stage, label) in enumerate(keyed)]


def _owner_filter(
    store: Store, actor: Actor, owner: str | None, team: str | None
) -> tuple[list[int] | None, list[User]]:
    """Owner ids the board shows, and the users the actor may filter by."""
    visible = common.visible_owner_ids(store, actor)
    people = [u for u in store.users() if visible is None or u.id in visible]
    ids = visible
    if owner:
        user = next((u for u in people if u.username == owner), None)
        if user is None:
            raise InvalidInput(
                f"owner '{owner}' is not someone whose deals you can see", field="owner"
            )
        ids = [user.id]
    if team:
        boss = store.user_by_username(team)
        if boss is None or boss.role not in (Role.MANAGER, Role.ADMIN):
            raise InvalidInput(f"team '{team}' must be a manager's user name", field="team")
        members = {boss.id, *store.report_ids(boss.id)}
        ids = [i for i in (ids if ids is not None else members) if i in members]
    return ids, people


def pipeline_board(
    ctx: Context,
    actor: Actor,
    process_key: str | None = None,
    owner: str | None = None,
    team: str | None = None,
) -> Board:
    """The board of a process: a column per stage, the open deals the actor may see."""
    now = ctx.clock()
    with ctx.uow() as store:
        process, stages, choices = _pick_process(ctx, store, process_key or None)
        owner_ids, people = _owner_filter(store, actor, owner or None, team or None)
        names = {u.id: u.username for u in people}
        deals = store.process_deals(process.id, owner_ids, DealStatus.OPEN)
        counts = store.process_deal_counts(process.id, owner_ids)
        columns = []
        for stage, label, position in _ordered(stages, list(store.board_columns(process.id))):
            cards = [_card(d, names, now) for d in deals if d.stage_key == stage.key]
            totals: dict[str, Decimal] = {}
            for card in cards:
                totals[card.currency] = totals.get(card.currency, Decimal(0)) + card.value
            columns.append(
                Column(
                    stage.key,
                    stage.name,
                    label,
                    position,
                    stage.win_rate,
                    stage.phase,
                    len(cards),
                    totals,
                    cards,
                    _usage(store, process, stage.key) if can_configure(actor) else None,
                )
            )
        version = store.latest_version(process.id)
        free = bool(version and common.info_for(ctx, store, version.id).rules.free_moves)
        return Board(
            process=process.key,
            process_name=process.name,
            enabled=process.enabled,
            free_moves=free,
            columns=columns,
            won=counts.get(DealStatus.WON, 0),
            lost=counts.get(DealStatus.LOST, 0),
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


def _card(deal: Deal, names: dict[int, str], now: datetime) -> Card:
    entered = deal.stage_entered_at or deal.created_at
    return Card(
        id=deal.id,
        name=deal.name,
        customer=deal.customer,
        value=deal.value,
        currency=deal.currency,
        probability=deal.probability,
        owner=names.get(deal.owner_id, ""),
        days_in_stage=max(0, (now - entered).days),
        version=deal.version,
    )


def _configurable(
    ctx: Context, store: Store, actor: Actor, process_key: object
) -> tuple[Process, list[StageRule]]:
    _require_configure(actor)
    if not isinstance(process_key, str) or not process_key:
        raise InvalidInput("process is required: the key of the board's process", field="process")
    process = store.process_by_key(process_key)
    if process is None:
        raise NotFound(f"process '{process_key}' is not deployed", process=process_key)
    return process, _stages(ctx, store, process)


def _column_row(store: Store, process: Process, stage_key: str, now: datetime) -> BoardColumn:
    row = next((r for r in store.board_columns(process.id) if r.stage_key == stage_key), None)
    if row is None:
        row = BoardColumn(process_id=process.id, stage_key=stage_key, updated_at=now)
        store.add(row)
    return row


def rename_column(
    ctx: Context, actor: Actor, process_key: object, stage_key: str, label: object
) -> dict[str, str]:
    """Show a stage under another label on the board (the diagram's name stays)."""
    text = label.strip() if isinstance(label, str) else ""
    if not text:
        raise InvalidInput("the column label must not be empty", field="label")
    if len(text) > MAX_LABEL:
        raise InvalidInput(
            f"the column label must be at most {MAX_LABEL} characters, not {len(text)}",
            field="label",
        )
    with ctx.uow() as store:
        process, stages = _configurable(ctx, store, actor, process_key)
        stage = next((s for s in stages if s.key == stage_key), None)
        if stage is None:
            raise InvalidInput(_unknown(stage_key, stages), field="stage")
        now = ctx.clock()
        row = _column_row(store, process, stage.key, now)
        row.label = None if text == stage.name else text
        row.updated_at = now
        store.commit()
    return {"stage": stage_key, "label": text}


def reorder_columns(ctx: Context, actor: Actor, process_key: object, order: object) -> list[str]:
    """Put the named stages first, in this order; the others follow in their current order."""
    if not isinstance(order, list) or not order or not all(isinstance(k, str) for k in order):
        raise InvalidInput("order must be a non-empty list of stage keys", field="order")
    if len(set(order)) != len(order):
        raise InvalidInput("order names a stage twice", field="order")
    with ctx.uow() as store:
        process, stages = _configurable(ctx, store, actor, process_key)
        for key in order:
            if not any(s.key == key for s in stages):
                raise InvalidInput(_unknown(key, stages), field="order")
        current = [s.key for s, _, _ in _ordered(stages, list(store.board_columns(process.id)))]
        final = [*order, *(k for k in current if k not in order)]
        now = ctx.clock()
        for position, key in enumerate(final, start=1):
            row = _column_row(store, process, key, now)
            row.position, row.updated_at = position, now
        store.commit()
    return final


def _usage(store: Store, process: Process, stage_key: str) -> int:
    return sum(store.process_deal_counts(process.id, None, stage_key).values())


def stage_usage(ctx: Context, actor: Actor, process_key: str, stage_key: str) -> int:
    """How many deals (open or closed, anyone's) are at this stage: it cannot go while any are."""
    with ctx.uow() as store:
        process, stages = _configurable(ctx, store, actor, process_key)
        if not any(s.key == stage_key for s in stages):
            raise InvalidInput(_unknown(stage_key, stages), field="stage")
        return _usage(store, process, stage_key)


def _unknown(key: str, stages: list[StageRule]) -> str:
    known = ", ".join(s.key for s in stages) or "none"
    return f"stage '{key}' is not a stage of this process ({known})"
