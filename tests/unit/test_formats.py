"""Money, numbers and times the reader's way, and money typed their way (bpmn_sales.i18n.formats).

Expected texts are built from Babel's own symbols (CLDR puts no-break and narrow no-break spaces
between groups), so the tests say which characters a reader gets without guessing them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from babel.numbers import get_group_symbol

from bpmn_sales import i18n
from bpmn_sales.i18n import formats


def group(language: str) -> str:
    return get_group_symbol(formats.locale_of(language))


NBSP = "\u00a0"


def test_money_is_shown_the_readers_way_with_cents_kept() -> None:
    amount = Decimal("1234567.89")
    assert formats.money(amount, "USD", "en") == "$1,234,567.89"
    assert formats.money(amount, "CNY", "zh_Hans") == "¥1,234,567.89"
    g = group("fr")
    assert formats.money(amount, "EUR", "fr") == f"1{g}234{g}567,89{NBSP}€"
    g = group("pl")
    assert formats.money(Decimal("30000"), "PLN", "pl") == f"30{g}000,00{NBSP}zł"
    assert formats.money(Decimal("1234567.89"), "PLN", "pl") == f"1{g}234{g}567,89{NBSP}zł"


def test_money_follows_the_language_in_force() -> None:
    with i18n.use_language("pl"):
        assert formats.money(Decimal("0.30"), "PLN").startswith("0,30")
    assert formats.money(Decimal("0.30"), "USD") == "$0.30"


def test_amounts_without_a_currency_keep_their_cents() -> None:
    assert formats.amount(Decimal("1234.5"), "en") == "1,234.50"
    assert formats.amount(Decimal("1234.5"), "pl") == f"1{group('pl')}234,50"


def test_a_tenth_and_two_tenths_make_three_tenths() -> None:
    total = Decimal("0.10") + Decimal("0.20")
    assert formats.money(total, "USD", "en") == "$0.30"
    assert formats.plain(total) == "0.30"


def test_totals_are_one_figure_per_currency() -> None:
    shown = formats.money_totals({"PLN": Decimal("10"), "EUR": Decimal("5.5")}, "en")
    assert shown == ["€5.50", "PLN10.00"]


def test_dates_and_times_in_the_locale_and_the_zone_in_force() -> None:
    assert formats.day(date(2027, 3, 1), "fr") == "1 mars 2027"
    assert formats.day(date(2027, 3, 1), "zh_Hans") == "2027年3月1日"
    won = datetime(2027, 2, 28, 23, 0, tzinfo=UTC)  # 07:00 on 1 March in Shanghai
    with i18n.use_time_zone("Asia/Shanghai"):
        assert formats.day(won, "en") == "Mar 1, 2027"
        shown = formats.moment(won, "en")
    assert shown.startswith("3/1/27, 7:00") and shown.endswith("GMT+08:00")
    in_utc = formats.moment(won, "en")
    assert in_utc.startswith("2/28/27, 11:00") and in_utc.endswith("PM UTC")
    assert formats.moment(None) == ""


def test_zone_names_for_the_analytics_note() -> None:
    assert formats.zone_name("UTC", "en") == "UTC"
    assert formats.zone_name("Asia/Shanghai", "en") == "China Time (Asia/Shanghai)"


@pytest.mark.parametrize(
    ("language", "typed", "amount"),
    [
        ("pl", "27.000,00", "27000.00"),
        ("pl", "27 000,00", "27000.00"),
        ("pl", "27\u00a0000,00", "27000.00"),
        ("pl", "27000,5", "27000.5"),
        ("fr", "1 234,5", "1234.5"),
        ("fr", "1\u202f234,50", "1234.50"),
        ("fr", "1234.5", "1234.5"),
        ("pl", "1.5", "1.5"),
        ("en", "1234.5", "1234.5"),
        ("en", "1,234.5", "1234.5"),
        ("en", "1,234,567.89", "1234567.89"),
        ("zh_Hans", "1,234.50", "1234.50"),
        ("en", " 12 ", "12.0"),
    ],
)
def test_money_typed_the_readers_way_or_plainly(language: str, typed: str, amount: str) -> None:
    assert formats.parse_money(typed, language) == Decimal(amount)


@pytest.mark.parametrize(
    ("language", "typed", "kind"),
    [
        ("pl", "1.234", "ambiguous"),
        ("fr", "27.000", "ambiguous"),
        ("en", "1,5", "ambiguous"),
        ("en", "abc", "garbage"),
        ("en", "12abc", "garbage"),
        ("pl", "1,2,3", "garbage"),
        ("en", "1,23,456", "garbage"),
        ("pl", "1.000 000,00", "garbage"),
        ("en", "", "garbage"),
        ("en", "1e5", "garbage"),
        ("en", "NaN", "garbage"),
    ],
)
def test_money_that_reads_two_ways_or_not_at_all_is_refused(
    language: str, typed: str, kind: str
) -> None:
    with pytest.raises(formats.AmountError) as refused:
        formats.parse_money(typed, language)
    assert refused.value.kind == kind
