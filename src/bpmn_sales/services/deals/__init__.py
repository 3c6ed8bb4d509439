"""Deals (opportunities): start one, develop it through its stages, move, close, reopen.

The use cases callers need are named here; the modules beside this one hold the rest (starting
an instance, one rule-checked step, completing an activity, records, messages, views).
"""

from bpmn_sales.services.deals.edits import update_deal
from bpmn_sales.services.deals.lifecycle import (
    check_close,
    close_deal,
    create_deal,
    deal_diagram,
    deal_history,
    deal_tasks,
    get_deal,
    move_deal,
    reopen_deal,
)
from bpmn_sales.services.deals.listing import list_deals
from bpmn_sales.services.deals.start import deal_fields

__all__ = [
    "check_close",
    "close_deal",
    "create_deal",
    "deal_diagram",
    "deal_fields",
    "deal_history",
    "deal_tasks",
    "get_deal",
    "list_deals",
    "move_deal",
    "reopen_deal",
    "update_deal",
]
