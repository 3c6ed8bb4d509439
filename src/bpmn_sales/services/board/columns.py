"""Column settings of the board (managers and admins): labels, order, and a stage's usage."""

from __future__ import annotations

from datetime import datetime

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import BoardColumn, Process
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.board.layout import configurable, ordered, unknown

MAX_LABEL = 100


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
        raise InvalidInput(_("the column label must not be empty"), field="label")
    if len(text) > MAX_LABEL:
        raise InvalidInput(
            _(
                "the column label must be at most %(most)s characters, not %(count)s",
                most=MAX_LABEL,
                count=len(text),
            ),
            field="label",
        )
    with ctx.uow() as store:
        process, stages = configurable(ctx, store, actor, process_key)
        stage = next((s for s in stages if s.key == stage_key), None)
        if stage is None:
            raise InvalidInput(unknown(stage_key, stages), field="stage")
        now = ctx.clock()
        row = _column_row(store, process, stage.key, now)
        row.label = None if text == stage.name else text
        row.updated_at = now
        store.commit()
    return {"stage": stage_key, "label": text}


def reorder_columns(ctx: Context, actor: Actor, process_key: object, order: object) -> list[str]:
    """Put the named stages first, in this order; the others follow in their current order."""
    if not isinstance(order, list) or not order or not all(isinstance(k, str) for k in order):
        raise InvalidInput(_("order must be a non-empty list of stage keys"), field="order")
    if len(set(order)) != len(order):
        raise InvalidInput(_("order names a stage twice"), field="order")
    with ctx.uow() as store:
        process, stages = configurable(ctx, store, actor, process_key)
        for key in order:
            if not any(s.key == key for s in stages):
                raise InvalidInput(unknown(key, stages), field="order")
        current = [s.key for s, _, _ in ordered(stages, list(store.board_columns(process.id)))]
        final = [*order, *(k for k in current if k not in order)]
        now = ctx.clock()
        for position, key in enumerate(final, start=1):
            row = _column_row(store, process, key, now)
            row.position, row.updated_at = position, now
        store.commit()
    return final


def stage_usage(ctx: Context, actor: Actor, process_key: str, stage_key: str) -> int:
    """How many deals (open or closed, anyone's) are at this stage: it cannot go while any are."""
    with ctx.uow() as store:
        process, stages = configurable(ctx, store, actor, process_key)
        if not any(s.key == stage_key for s in stages):
            raise InvalidInput(unknown(stage_key, stages), field="stage")
        return sum(store.process_deal_counts(process.id, None, stage_key).values())
