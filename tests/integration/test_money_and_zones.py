"""Money exact and per currency, leads' currencies carried to deals, and analytics months in the
company's time zone, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from bpmn_sales.context import Context
from bpmn_sales.persistence.models import Setting
from bpmn_sales.services import analytics, deals, leads
from bpmn_sales.services.analytics import tables
from bpmn_sales.services.analytics.scope import Filters
from bpmn_sales.services.board import pipeline_board
from bpmn_sales.services.deals import records
from bpmn_sales.services.demo import steps as demo_steps
from bpmn_sales.services.people.preferences import company_preferences


def company(ctx: Context, **values: str) -> None:
    """Set company settings the way the settings page stores them (keys `company.<name>`)."""
    with ctx.uow() as store:
        for name, value in values.items():
            store.add(Setting(key=f"company.{name}", value=value))
        store.commit()


def test_company_preferences_default_to_english_utc_and_dollars(ctx: Context) -> None:
    assert company_preferences(ctx) == type(company_preferences(ctx))("en", "UTC", "USD")
    company(ctx, currency="PLN", time_zone="Europe/Warsaw")
    chosen = company_preferences(ctx)
    assert (chosen.language, chosen.time_zone, chosen.currency) == ("en", "Europe/Warsaw", "PLN")


def test_a_tenth_and_two_tenths_are_stored_and_summed_as_three_tenths(
    ctx: Context, team: Any
) -> None:
    a = deals.create_deal(ctx, team.rob, "Dime", None, "0.10")
    b = deals.create_deal(ctx, team.rob, "Two dimes", None, 0.2)
    assert deals.get_deal(ctx, team.rob, a.id).value == Decimal("0.10")
    assert deals.get_deal(ctx, team.rob, b.id).value == Decimal("0.20")
    shown = analytics.funnel(ctx, team.admin, Filters()).to_dict()
    total = shown["steps"][0]["value"]["USD"]
    assert isinstance(total, Decimal) and str(total) == "0.30"


def test_a_lead_takes_the_company_currency_and_its_deal_takes_the_leads(
    ctx: Context, team: Any
) -> None:
    company(ctx, currency="PLN")
    plain = leads.create_lead(ctx, team.rob, "Jan Kowalski", "Hurtownia", estimated_value="30000")
    assert plain.currency == "PLN"
    euro = leads.create_lead(
        ctx, team.rob, "Anne Martin", "Boulangerie", estimated_value="1234.56", currency_code="eur"
    )
    assert euro.currency == "EUR" and euro.to_dict()["estimated_value"] == Decimal("1234.56")
    deal = deals.get_deal(ctx, team.rob, leads.qualify_lead(ctx, team.rob, euro.id).deal_id or 0)
    assert (deal.currency, deal.value) == ("EUR", Decimal("1234.56"))
    direct = deals.create_deal(ctx, team.rob, "Direct", None, "10")
    assert direct.currency == "PLN"


def test_board_and_analytics_never_add_one_currency_to_another(ctx: Context, team: Any) -> None:
    deals.create_deal(ctx, team.rob, "Zloty", None, "30000.00", "PLN")
    deals.create_deal(ctx, team.rob, "Euro", None, "1000.50", "EUR")
    deals.create_deal(ctx, team.rob, "Euro 2", None, "0.50", "EUR")
    board = pipeline_board(ctx, team.rob, "sales_process").to_dict()
    [first] = [c for c in board["columns"] if c["count"]]
    assert first["totals"] == {"EUR": Decimal("1001.00"), "PLN": Decimal("30000.00")}
    funnel = analytics.funnel(ctx, team.admin, Filters()).to_dict()
    assert funnel["steps"][0]["value"] == {"EUR": Decimal("1001.00"), "PLN": Decimal("30000.00")}
    table = tables.table(ctx, team.admin, "funnel", Filters())
    assert "value_EUR" in table.headers and "value_PLN" in table.headers


@pytest.mark.parametrize(("zone", "month"), [("Asia/Shanghai", "2027-03"), ("UTC", "2027-02")])
def test_a_deal_won_at_7_in_the_morning_in_shanghai_counts_in_the_companys_month(
    ctx: Context, team: Any, clock: Any, zone: str, month: str
) -> None:
    company(ctx, time_zone=zone)
    clock.now = datetime(2027, 2, 20, 9, 0, tzinfo=UTC)
    made = deals.create_deal(ctx, team.sara, "Pudong", "Lujiazui", "88000.00", "CNY").id
    demo_steps.initial_visit(ctx, team.sara, made, "Retail")
    demo_steps.needs_analysis(ctx, team.sara, made, 88000)
    demo_steps.solution_design(ctx, team.sara, made)
    approve = {"decision": "approve", "comment": "ok"}
    demo_steps.do(ctx, team.mia, made, "Approve solution", data=approve)
    demo_steps.do(ctx, team.sara, made, "Send quote")
    demo_steps.do(ctx, team.sara, made, "Negotiate terms")
    records.create_order(ctx, team.sara, made)
    # 2027-03-01 07:00 in Shanghai is 2027-02-28 23:00 UTC.
    clock.now = datetime(2027, 2, 28, 23, 0, tzinfo=UTC)
    deals.close_deal(ctx, team.sara, made, "won")
    shown = analytics.forecast(
        ctx, team.admin, Filters(start="2027-02-01", end="2027-03-31")
    ).to_dict()
    won = {m["period"]: m["won"] for m in shown["months"] if m["currency"] == "CNY"}
    other = "2027-02" if month == "2027-03" else "2027-03"
    assert (won[month], won[other]) == (Decimal("88000.00"), Decimal("0.00"))
    # A period filter of March alone starts at March's midnight in the company's zone.
    march = analytics.losses(ctx, team.admin, Filters(start="2027-03-01", end="2027-03-31"))
    assert march.to_dict()["won"] == (1 if month == "2027-03" else 0)


def test_money_in_the_csv_is_plain_decimal_text(ctx: Context, team: Any) -> None:
    deals.create_deal(ctx, team.rob, "Big", None, "1234567.89", "PLN")
    text = tables.table(ctx, team.admin, "funnel", Filters()).csv()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    column = rows[0].index("value_PLN")
    assert rows[1][column] == "1234567.89"
