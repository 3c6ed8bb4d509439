"""Import columns and cells: headers in four languages, mappings, locale amounts and days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bpmn_sales.domain import cells
from bpmn_sales.domain.columns import (
    DEAL_NAMES,
    LEAD_NAMES,
    header_key,
    mapping_pairs,
    resolve_columns,
)
from bpmn_sales.errors import InvalidInput


def test_headers_compare_without_case_accents_spaces_or_punctuation() -> None:
    assert header_key("E-mail") == header_key("EMAIL") == header_key(" e_mail ") == "email"
    assert header_key("Société") == "societe"
    assert header_key("Właściciel") == "wlasciciel"
    assert header_key("预计金额") == "预计金额"


@pytest.mark.parametrize(
    ("headers", "fields"),
    [
        (
            ["Name", "Company", "E-mail", "Phone", "Estimated value", "Owner"],
            ["name", "company", "email", "phone", "estimated_value", "owner"],
        ),
        (
            ["Nom", "Société", "Courriel", "Téléphone", "Valeur estimée", "Propriétaire"],
            ["name", "company", "email", "phone", "estimated_value", "owner"],
        ),
        (
            ["Imię i nazwisko", "Firma", "Adres e-mail", "Telefon", "Wartość", "Właściciel"],
            ["name", "company", "email", "phone", "estimated_value", "owner"],
        ),
        (
            ["姓名", "公司", "邮箱", "电话", "预计金额", "负责人"],
            ["name", "company", "email", "phone", "estimated_value", "owner"],
        ),
    ],
)
def test_lead_headers_in_each_ui_language(headers: list[str], fields: list[str]) -> None:
    assert list(resolve_columns(headers, LEAD_NAMES).fields) == fields


def test_deal_headers_in_french_polish_and_chinese() -> None:
    french = ["Affaire", "Client", "Montant", "Devise", "Date de clôture prévue"]
    polish = ["Nazwa", "Klient", "Kwota", "Waluta", "Data zamknięcia"]
    chinese = ["商机名称", "客户", "金额", "币种", "预计成交日期"]
    expected = ["name", "customer", "value", "currency", "expected_close_date"]
    for headers in (french, polish, chinese):
        assert list(resolve_columns(headers, DEAL_NAMES).fields) == expected


def test_an_unknown_column_is_refused_naming_it_unless_mapped_or_ignored() -> None:
    with pytest.raises(InvalidInput, match=r"column 'Source' is not a field.*--ignore 'Source'"):
        resolve_columns(["Name", "Source"], LEAD_NAMES)
    mapped = resolve_columns(["Name", "Source"], LEAD_NAMES, {"source": "company"})
    assert mapped.fields == ("name", "company")
    assert mapped.column_of("company") == "Source"
    ignored = resolve_columns(["Name", "Source"], LEAD_NAMES, ignored=["SOURCE"])
    assert ignored.fields == ("name", None)


def test_mistakes_in_the_mapping_are_named() -> None:
    with pytest.raises(InvalidInput, match="'colour' is not a field"):
        resolve_columns(["Name", "X"], LEAD_NAMES, {"X": "colour"})
    with pytest.raises(InvalidInput, match="not a column of the file"):
        resolve_columns(["Name"], LEAD_NAMES, ignored=["Nope"])
    with pytest.raises(InvalidInput, match="--id-column 'Ref' is not a column"):
        resolve_columns(["Name"], LEAD_NAMES, id_column="Ref")
    with pytest.raises(InvalidInput, match="'Mail' and 'Courriel' both hold email"):
        resolve_columns(["Name", "Mail", "Courriel"], LEAD_NAMES)
    with pytest.raises(InvalidInput, match="no name column"):
        resolve_columns(["Company"], LEAD_NAMES)
    with pytest.raises(InvalidInput, match="HEADER=FIELD"):
        mapping_pairs(["Source"])
    assert mapping_pairs(["a=b=email"]) == {"a=b": "email"}


def test_the_id_column_is_read_apart_from_the_fields() -> None:
    columns = resolve_columns(["Ref", "Name"], LEAD_NAMES, id_column="ref")
    assert columns.id_index == 0 and columns.fields == (None, "name")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12000", "12000.00"),
        ("12 000,50", "12000.50"),
        ("12\u202f000,50 €", "12000.50"),
        ("12.000,50", "12000.50"),
        ("12,000.50", "12000.50"),
        ("12,000", "12000.00"),
        ("12,5", "12.50"),
        ("$ 1,200", "1200.00"),
        ("¥1200", "1200.00"),
        ("1 200 zł", "1200.00"),
        ("1.234.567", "1234567.00"),
    ],
)
def test_amounts_as_each_language_writes_them(text: str, value: str) -> None:
    assert cells.amount(text, "value") == Decimal(value)


def test_a_blank_amount_is_none_and_a_bad_one_is_refused() -> None:
    assert cells.amount("  ", "value") is None
    with pytest.raises(InvalidInput) as refused:
        cells.amount("twelve", "value")
    assert refused.value.field == "value"
    with pytest.raises(InvalidInput, match="not an amount"):
        cells.amount("1,2,3.4.5", "value")


@pytest.mark.parametrize(
    "text", ["2026-03-31", "2026/03/31", "31/03/2026", "31.03.2026", "2026年3月31日"]
)
def test_days_as_each_language_writes_them(text: str) -> None:
    assert cells.day(text, "expected_close_date") == date(2026, 3, 31)


def test_a_bad_day_is_refused_and_a_blank_one_is_none() -> None:
    assert cells.day("", "d") is None
    with pytest.raises(InvalidInput, match="'31/02/2026' is not a day"):
        cells.day("31/02/2026", "d")
    with pytest.raises(InvalidInput, match="'soon' is not a day"):
        cells.day("soon", "d")
