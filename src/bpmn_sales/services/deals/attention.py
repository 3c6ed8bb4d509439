"""Each open deal's next due activity and its flag (nothing scheduled, quiet), for a page of
deals at once: one statement however many deals the page holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bpmn_sales.context import Context
from bpmn_sales.domain.analytics import duration
from bpmn_sales.domain.attention import Attention, Due, attention
from bpmn_sales.i18n import formats
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common


@dataclass(frozen=True)
class Watched:
    """An open deal as the flags need it: when it last changed, its stage's reminder period."""

    deal_id: int
    touched_at: datetime
    reminder: timedelta | None


def reminder_of(
    ctx: Context, store: Store, version_id: int, stage_key: str | None
) -> timedelta | None:
    """The reminder period of the deal's stage, from the diagram (None without one)."""
    stage = common.info_for(ctx, store, version_id).rules.stage(stage_key) if stage_key else None
    return duration(stage.reminder_after) if stage else None


def attention_of(store: Store, deals: Sequence[Watched], now: datetime) -> dict[int, Attention]:
    """The next activity and flag of each open deal, read in one statement."""
    if not deals:
        return {}
    by_deal: dict[int, list[Due]] = {}
    for item in store.open_items_of([d.deal_id for d in deals]):
        by_deal.setdefault(item.deal_id, []).append(item)
    today = formats.in_zone(now).date()
    return {
        d.deal_id: attention(by_deal.get(d.deal_id, []), d.touched_at, d.reminder, now, today)
        for d in deals
    }
