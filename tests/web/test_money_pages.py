"""Money, dates and CSV the reader's way on the pages and the API: a Polish reader sees
`30 000,00 zł` (Babel's grouping characters) and may type `27.000,00` or `27 000,00`; amounts
stay exact (0.10 + 0.20 is 0.30) and one figure per currency; CSV files open right in Excel."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from decimal import Decimal

from babel.numbers import get_group_symbol

from bpmn_sales.context import Context
from bpmn_sales.i18n import formats
from bpmn_sales.persistence.models import Setting
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests.web.api import Api
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]
PL = {"Accept-Language": "pl"}
FR = {"Accept-Language": "fr-FR"}
NBSP = "\u00a0"


def group(language: str) -> str:
    return get_group_symbol(formats.locale_of(language))


def made(ctx: Context, name: str) -> deals.DealView:
    admin = users.actor_for_username(ctx, "admin")
    return next(d for d in deals.list_deals(ctx, admin) if d.name == name)


def test_a_polish_reader_sees_polish_money_and_dates(visitor: Visitor, api: Api) -> None:
    body = {"name": "Hurtownia Kraków", "value": "30000.00", "currency": "PLN"}
    created = api("POST", "/deals", json={**body, "expected_close_date": "2027-03-02"})
    deal = created.get_json()["id"]
    rob = visitor("rob")
    page = rob.text(rob.get(f"/deals/{deal}", headers=PL))
    g = group("pl")
    assert f"30{g}000,00{NBSP}zł" in page
    assert "2 mar 2027" in page  # the expected close date, Polish medium format
    english = rob.text(rob.get(f"/deals/{deal}"))
    assert "PLN30,000.00" in english and "Mar 2, 2027" in english
    listed = rob.text(rob.get("/deals?q=hurtownia", headers=PL))
    assert f"30{g}000,00{NBSP}zł" in listed


def test_a_polish_reader_types_money_the_polish_way(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    for typed, name in (
        ("27.000,00", "Kropki"),
        ("27 000,00", "Spacje"),
        ("27\u00a0000,5", "Nbsp"),
    ):
        form = {"name": name, "value": typed, "currency": "PLN", "process": "sales_process"}
        rob.post("/deals/new", form, 302, headers=PL)
    assert made(demo_ctx, "Kropki").value == Decimal("27000.00")
    assert made(demo_ctx, "Spacje").value == Decimal("27000.00")
    assert made(demo_ctx, "Nbsp").value == Decimal("27000.50")
    # A dot before three digits reads two ways where the decimal sign is a comma.
    form = {"name": "Dwuznaczna", "value": "1.234", "currency": "PLN", "process": "sales_process"}
    page = rob.text(rob.post("/deals/new", form, 400, headers=PL))
    assert re.search(r'id="value-error"[^>]*>1\.234 można odczytać na dwa sposoby', page)
    form["value"] = "dużo"
    page = rob.text(rob.post("/deals/new", form, 400, headers=PL))
    assert re.search(r'id="value-error"[^>]*>dużo nie jest kwotą', page)
    form["value"] = "1,5"  # in English the decimal sign is a dot
    page = rob.text(rob.post("/deals/new", form, 400))
    assert re.search(r'id="value-error"[^>]*>1,5 can be read two ways: type the amount', page)
    # French: narrow no-break spaces or plain spaces between groups.
    lead = {"name": "Anne Martin", "estimated_value": "1 234,5", "currency": "EUR"}
    location = rob.post("/leads/new", lead, 302, headers=FR).headers["Location"]
    shown = rob.text(rob.get(location, headers=FR))
    assert f"1{group('fr')}234,50{NBSP}€" in shown
    assert "€1,234.50" in rob.text(rob.get(location))


def test_a_tenth_and_two_tenths_are_stored_and_shown_as_three_tenths(
    visitor: Visitor, api: Api
) -> None:
    for value in ("0.10", "0.20"):
        api("POST", "/deals", json={"name": f"Dime {value}", "value": value, "currency": "CHF"})
    board = api("GET", "/board?process=sales_process").get_json()
    [column] = [c for c in board["columns"] if "CHF" in c["totals"]]
    assert column["totals"]["CHF"] == 0.3
    raw = api("GET", "/board?process=sales_process").get_data(as_text=True)
    assert re.search(r'"CHF":\s*0\.30[,}]', raw)  # the exact decimal, not 0.30000000000000004
    rob = visitor("rob")
    page = rob.text(rob.get("/board?process=sales_process", headers=PL))
    assert f"0,30{NBSP}CHF" in page
    assert "CHF0.30" in rob.text(rob.get("/board?process=sales_process"))


def test_money_in_the_api_is_an_exact_json_number(api: Api) -> None:
    created = api("POST", "/deals", json={"name": "Exact", "value": "1234567.89"})
    raw = created.get_data(as_text=True)
    assert re.search(r'"value":\s*1234567\.89[,}]', raw)
    assert created.get_json()["value"] == 1234567.89
    lead = api("POST", "/leads", json={"name": "Cash", "estimated_value": 0.1, "currency": "pln"})
    assert lead.get_json()["currency"] == "PLN"
    assert re.search(r'"estimated_value":\s*0\.10[,}]', lead.get_data(as_text=True))


def test_columns_with_two_currencies_show_one_figure_each(visitor: Visitor, api: Api) -> None:
    api("POST", "/deals", json={"name": "Złoty", "value": "100", "currency": "PLN"})
    api("POST", "/deals", json={"name": "Euro", "value": "50", "currency": "EUR"})
    rob = visitor("rob")
    page = rob.text(rob.get("/board?process=sales_process"))
    total = re.search(r'data-testid="column-total-initial_visit">([^<]*)<', page)
    assert total is not None
    shown = total[1].split("; ")
    assert "PLN100.00" in shown and any(s.startswith("€") for s in shown)


def test_csv_files_have_a_bom_and_the_readers_delimiter(visitor: Visitor) -> None:
    mia = visitor("mia")
    english = mia.get("/analytics/funnel.csv").get_data(as_text=True)
    assert english.startswith("\ufeffstage,name,")
    polish = mia.get("/analytics/funnel.csv", headers=PL)
    assert polish.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = polish.get_data(as_text=True)
    assert text.startswith("\ufeffetap;nazwa;")  # the headers in Polish too
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert all("." not in cell for cell in rows[1][7:])  # a decimal comma, never a dot
    forced = mia.get("/analytics/funnel.csv?delimiter=,", headers=PL).get_data(as_text=True)
    assert forced.startswith("\ufeffetap,nazwa,")
    mia.get("/analytics/funnel.csv?delimiter=|", status=400)


def test_the_api_csv_takes_a_delimiter_and_refuses_others(api: Api) -> None:
    answer = api("GET", "/analytics/funnel.csv?delimiter=tab", user="mia")
    assert answer.get_data(as_text=True).startswith("\ufeffstage\tname\t")
    refused = api("GET", "/analytics/funnel.csv?delimiter=x", user="mia")
    assert refused.status_code == 400 and refused.get_json()["field"] == "delimiter"


def test_the_analytics_page_names_the_companys_time_zone(
    visitor: Visitor, demo_ctx: Context
) -> None:
    mia = visitor("mia")
    note = re.compile(r'data-testid="time-zone-note">([^<]*)<')
    found = note.search(mia.text(mia.get("/analytics")))
    assert found is not None and found[1].endswith("time zone: UTC.")
    with demo_ctx.uow() as store:
        store.add(Setting(key="company.time_zone", value="Asia/Shanghai"))
        store.add(Setting(key="company.currency", value="CNY"))
        store.commit()
    page = mia.text(mia.get("/analytics"))
    found = note.search(page)
    assert found is not None and found[1].endswith("China Time (Asia/Shanghai).")
    assert "Targets " in page and "(CNY)" in page  # targets in the company's currency
    chinese = mia.text(mia.get("/analytics", headers={"Accept-Language": "zh-CN"}))
    assert "日、月和季度均从公司时区的午夜开始计算：中国时间 (Asia/Shanghai)。" in chinese


def test_times_are_shown_with_their_zone_and_dates_in_the_readers_format(
    visitor: Visitor,
) -> None:
    mia = visitor("mia")
    page = mia.text(mia.get("/approvals"))
    asked = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', page)
    assert asked is not None and asked[2].endswith(" UTC")
    polish = mia.text(mia.get("/approvals", headers=PL))
    shown = re.search(r'<time datetime="[^"]+">([^<]+)</time>', polish)
    # Polish short format: 5.01.2026, 09:00 UTC (day first, 24-hour clock)
    assert shown is not None and re.fullmatch(r"\d{1,2}\.\d{2}\.\d{4}, \d{2}:\d{2} UTC", shown[1])


def test_the_openapi_document_says_amounts_are_exact_decimals(api: Api) -> None:
    document = api("GET", "/openapi.json", user=None).get_json()
    schemas = document["components"]["schemas"]
    value = schemas["Deal"]["properties"]["value"]
    assert (value["type"], value["format"]) == ("number", "decimal")
    assert "parse_float=Decimal" in value["description"]
    estimate = schemas["Lead"]["properties"]["estimated_value"]
    assert estimate["type"] == ["number", "null"] and estimate["format"] == "decimal"
    totals = schemas["Column"]["properties"]["totals"]
    assert totals["additionalProperties"] == {"type": "number", "format": "decimal"}


def test_the_deal_edit_form_takes_money_the_readers_way(
    visitor: Visitor, api: Api, demo_ctx: Context
) -> None:
    deal = api("POST", "/deals", json={"name": "Edycja", "value": "10", "currency": "PLN"})
    body = deal.get_json()
    rob = visitor("rob")
    form = {"name": "Edycja", "value": "25.000,50", "version": str(body["version"])}
    rob.post(f"/deals/{body['id']}/edit", form, 302, headers=PL)
    assert made(demo_ctx, "Edycja").value == Decimal("25000.50")
    stale = {"name": "Edycja", "value": "2.500", "version": str(body["version"] + 1)}
    page = rob.text(rob.post(f"/deals/{body['id']}/edit", stale, 400, headers=PL))
    assert "2.500 można odczytać na dwa sposoby" in page
