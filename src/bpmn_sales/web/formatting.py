"""Money, numbers, dates and times in the pages, the reader's way (`bpmn_sales.i18n.formats`).

Filters: `{{ deal.value|money(deal.currency) }}`, `{{ totals|money_totals|join("; ") }}`,
`{{ n|number }}`, `{{ "P7D"|duration }}` ("7 days"), `{{ deal.closed_at|day }}`,
`{{ task.asked_at|moment }}` (in the time zone in force, with its zone);
`{{ time_zone_note() }}` names the company's zone where figures are bucketed by month.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask

from bpmn_sales.i18n import formats


def _money(value: Any, currency: str) -> str:
    if value is None or value == "":
        return "—"
    return formats.money(Decimal(str(value)) if not isinstance(value, Decimal) else value, currency)


def _day(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return formats.day(value)


def _moment(value: datetime | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return formats.moment(value)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=_money,
        money_totals=formats.money_totals,
        number=formats.number,
        day=_day,
        moment=_moment,
        duration=formats.duration,
    )
    app.jinja_env.globals["zone_name"] = formats.zone_name
