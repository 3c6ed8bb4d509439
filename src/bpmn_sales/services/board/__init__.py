"""The pipeline board: stages as columns, open deals as cards paged per column, column settings.

Moving a card is `deals.move_deal`: the board adds no rule of its own.
"""

from bpmn_sales.services.board.columns import rename_column, reorder_columns, stage_usage
from bpmn_sales.services.board.layout import can_configure
from bpmn_sales.services.board.view import (
    CARDS_PER_COLUMN,
    Board,
    Card,
    Column,
    ColumnCards,
    column_cards,
    pipeline_board,
)

__all__ = [
    "CARDS_PER_COLUMN",
    "Board",
    "Card",
    "Column",
    "ColumnCards",
    "can_configure",
    "column_cards",
    "pipeline_board",
    "rename_column",
    "reorder_columns",
    "stage_usage",
]
