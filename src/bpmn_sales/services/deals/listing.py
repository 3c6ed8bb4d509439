"""The deals list: a page of the deals the reader may see, filtered and sorted as people expect.

Every filter and order is an index range (migration 0010); a page costs the same handful of
queries whatever its size or position (owners, versions, links and tasks read in bulk).
"""

from __future__ import annotations

from dataclasses import replace

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, DealStatus, DealView, money
from bpmn_sales.domain.paging import DEFAULT_LIMIT, Page, checked_limit, decode_cursor
from bpmn_sales.domain.search import query_words
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _
from bpmn_sales.persistence.queries.subjects import DEAL_SORTS, DealFilters
from bpmn_sales.services import common
from bpmn_sales.services.deals.start import optional_date
from bpmn_sales.services.deals.views import deal_views

SORTS = tuple(DEAL_SORTS)


def list_deals(
    ctx: Context,
    actor: Actor,
    status: str | None = None,
    stage: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
    process: str | None = None,
    owner: str | None = None,
    *,
    q: str | None = None,
    value_min: object = None,
    value_max: object = None,
    close_from: object = None,
    close_to: object = None,
    sort: str | None = None,
    cursor: str | None = None,
) -> Page[DealView]:
    """A page of the deals the actor may see: filtered by status, stage key, process key, owner,
    words of the name or customer, value and expected close; newest first or as `sort` says."""
    if status is not None and status not in {s.value for s in DealStatus}:
        raise InvalidInput(
            _(
                "status must be one of %(known)s, not %(status)s",
                known=", ".join(s.value for s in DealStatus),
                status=repr(status),
            ),
            field="status",
        )
    order = sort or SORTS[0]
    if order not in SORTS:
        raise InvalidInput(
            _(
                "sort must be one of %(known)s, not %(sort)s",
                known=", ".join(SORTS),
                sort=repr(order),
            ),
            field="sort",
        )
    size = checked_limit(limit)
    filters = DealFilters(
        stage=stage or None,
        status=status or None,
        process_key=process or None,
        words=tuple(query_words(q)),
        value_min=money(value_min, "value_min"),
        value_max=money(value_max, "value_max"),
        close_from=optional_date(close_from, "close_from"),
        close_to=optional_date(close_to, "close_to"),
    )
    at = decode_cursor(cursor, DEAL_SORTS[order].name)
    with ctx.uow() as store:
        filters = replace(
            filters,
            owner_ids=common.visible_owner_ids(store, actor),
            owner_id=common.owner_filter(store, owner),
        )
        page = store.deal_page(filters, order, at, size)
        return page.map(lambda deals: deal_views(ctx, store, deals))
