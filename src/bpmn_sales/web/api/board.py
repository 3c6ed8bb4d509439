"""The pipeline board over HTTP: columns and cards, column labels and order."""

from __future__ import annotations

from typing import Any

from bpmn_sales.services import board
from bpmn_sales.web.api.base import actor, ctx
from bpmn_sales.web.api.operation import get, post
from bpmn_sales.web.api.paging import page_of, paged
from bpmn_sales.web.schemas.board import (
    Board,
    BoardQuery,
    Card,
    ColumnCardsQuery,
    ColumnLabel,
    ColumnLabelled,
    ColumnOrder,
    ColumnsOrdered,
)


@get("/board", query=BoardQuery, responses={200: Board}, errors=(404,))
def pipeline_board(query: BoardQuery) -> Any:
    """The pipeline board.

    The process's stages as columns in board order, with the open deals you may see as cards,
    and counts of won and lost deals.
    """
    shown = board.pipeline_board(ctx(), actor(), query.process, query.owner, query.team)
    return shown.to_dict()


@get(
    "/board/columns/<stage>/cards",
    path={"stage": {"description": "A stage key"}},
    query=ColumnCardsQuery,
    responses={200: page_of(list[Card])},
    errors=(404,),
)
def board_column_cards(stage: str, query: ColumnCardsQuery) -> Any:
    """More cards of one column of the board ("show more").

    Start from the column's `next` (GET /board) and follow X-Next-Cursor; the same owner and
    team filters as the board.
    """
    found = board.column_cards(
        ctx(), actor(), query.process, stage, query.cursor, query.owner, query.team, query.limit
    )
    return paged(found.page, [c.to_dict() for c in found.page])


@post(
    "/board/columns/<stage>/label",
    path={"stage": {"description": "A stage key"}},
    body=ColumnLabel,
    responses={200: ColumnLabelled},
    errors=(403,),
)
def rename_board_column(stage: str, body: ColumnLabel) -> Any:
    """Show a stage's column under another label (managers and admins)."""
    return board.rename_column(ctx(), actor(), body.process, stage, body.label)


@post("/board/order", body=ColumnOrder, responses={200: ColumnsOrdered}, errors=(403, 404))
def reorder_board_columns(body: ColumnOrder) -> Any:
    """Order the board's columns: the stages named come first, in that order.

    Managers and admins.
    """
    return {"order": board.reorder_columns(ctx(), actor(), body.process, body.order)}
