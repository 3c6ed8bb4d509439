"""Deals over HTTP: list, start, read, change, move, close, reopen, history, diagram."""

from __future__ import annotations

from typing import Any

from bpmn_sales.services import deals
from bpmn_sales.web.api.base import (
    actor,
    ctx,
    expected_version,
    respond_created,
    respond_versioned,
)
from bpmn_sales.web.api.operation import NOT_MODIFIED, created, get, patch, post, versioned
from bpmn_sales.web.api.paging import page_of, paged
from bpmn_sales.web.schemas.deal_page import DealDiagram
from bpmn_sales.web.schemas.deals import Closing, Deal, DealChanges, DealListQuery, Move, NewDeal
from bpmn_sales.web.schemas.history import HistoryEntry, HistoryQuery


@get("/deals", query=DealListQuery, responses={200: page_of(list[Deal])})
def list_deals(query: DealListQuery) -> Any:
    """List visible deals, a page at a time.

    Filter by status, stage, process, owner, words of the name or customer (`q`), value and
    expected close; sort by newest, value, expected close or name. The body is the page's
    deals; `Link`, `X-Next-Cursor` and `X-Total-Count` say where the next page is and how
    many there are.
    """
    found = deals.list_deals(
        ctx(),
        actor(),
        query.status,
        query.stage,
        query.limit,
        query.process,
        query.owner,
        q=query.q,
        value_min=query.value_min,
        value_max=query.value_max,
        close_from=query.close_from,
        close_to=query.close_to,
        sort=query.sort,
        cursor=query.cursor,
    )
    return paged(found, [v.to_dict() for v in found])


@post("/deals", body=NewDeal, responses={201: created(Deal)}, errors=(403, 404, 409))
def create_deal(body: NewDeal) -> Any:
    """Start an opportunity directly (in sales_process or the named process)."""
    view = deals.create_deal(
        ctx(),
        actor(),
        body.name,
        body.customer,
        body.value,
        body.currency,
        body.owner,
        body.process,
        body.expected_close_date,
    )
    return respond_created(view.to_dict(), f"/api/v1/deals/{view.id}")


@get("/deals/<id:deal_id>", responses={200: versioned(Deal), 304: NOT_MODIFIED}, errors=(403,))
def get_deal(deal_id: int) -> Any:
    """One deal, with `detail` (stages, checklist, requirements, records)."""
    return respond_versioned(deals.get_deal(ctx(), actor(), deal_id).to_dict())


@patch("/deals/<id:deal_id>", body=DealChanges, responses={200: versioned(Deal)}, errors=(403, 409))
def update_deal(deal_id: int, body: DealChanges) -> Any:
    """Change the deal's fields, its customer's fields and its stage fields."""
    changes = body.model_dump(include=body.model_fields_set - {"version"}, by_alias=True)
    version = expected_version(body.version)
    return respond_versioned(deals.update_deal(ctx(), actor(), deal_id, changes, version).to_dict())


@post(
    "/deals/<id:deal_id>/move", body=Move, responses={200: versioned(Deal)}, errors=(403, 409, 422)
)
def move_deal(deal_id: int, body: Move) -> Any:
    """Move the deal to another stage (processes with free moves).

    Forward moves need the requirements of the stage left and of every non-optional stage
    passed.
    """
    version = expected_version(body.version)
    return respond_versioned(
        deals.move_deal(ctx(), actor(), deal_id, body.stage, version).to_dict()
    )


@post(
    "/deals/<id:deal_id>/close",
    body=Closing,
    responses={200: versioned(Deal)},
    errors=(403, 409, 422),
)
def close_deal(deal_id: int, body: Closing) -> Any:
    """Close as won, lost or invalid.

    Lost needs a reason from the process's list; won needs the obligatory activities and,
    where required, an order.
    """
    version = expected_version(body.version)
    return respond_versioned(
        deals.close_deal(ctx(), actor(), deal_id, body.outcome, body.reason, version).to_dict()
    )


@post("/deals/<id:deal_id>/reopen", responses={201: created(Deal)}, errors=(403, 409))
def reopen_deal(deal_id: int) -> Any:
    """Reopen a closed deal as a new linked opportunity."""
    view = deals.reopen_deal(ctx(), actor(), deal_id)
    return respond_created(view.to_dict(), f"/api/v1/deals/{view.id}")


@get(
    "/deals/<id:deal_id>/history",
    query=HistoryQuery,
    responses={200: page_of(list[HistoryEntry])},
    errors=(403,),
)
def deal_history(deal_id: int, query: HistoryQuery) -> Any:
    """The deal's history, a page at a time (oldest first unless sort=newest)."""
    found = deals.deal_history(
        ctx(), actor(), deal_id, sort=query.sort, cursor=query.cursor, limit=query.limit
    )
    return paged(found, [h.to_dict() for h in found])


@get("/deals/<id:deal_id>/diagram", responses={200: DealDiagram}, errors=(403,))
def deal_diagram(deal_id: int) -> Any:
    """The deal's process diagram (BPMN XML) with the element ids to mark.

    Where the deal is now (ready tasks, waiting events, its stage) and what it has completed.
    """
    return deals.deal_diagram(ctx(), actor(), deal_id)
