"""Money, numbers, dates and times the reader's way (Babel's CLDR data), and money typed their way.

Pure functions of the value and the language / time zone in force (`bpmn_sales.i18n`): the
pages' filters, mail, CSV and the CLI all format through here, so a Polish reader sees
`30 000,00 zł` (with CLDR's no-break spaces) wherever an amount shows, and times carry their zone.

Money is `Decimal` from end to end; nothing here goes through `float`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import get_timezone_name
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, get_decimal_symbol
from babel.units import format_unit

from bpmn_sales.i18n import current_language, current_time_zone

CENTS = Decimal("0.01")
# Spaces people (and CLDR) put between digit groups: space, no-break, narrow no-break, thin.
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]+")
_DIGITS = re.compile(r"\d+")
# An ISO 8601 duration of weeks, days and time: P7D, PT12H, P1DT2H, P2W.
_DURATION = re.compile(
    r"^P(?:(?P<week>\d+)W)?(?:(?P<day>\d+)D)?"
    r"(?:T(?:(?P<hour>\d+)H)?(?:(?P<minute>\d+)M)?(?:(?P<second>\d+)S)?)?$"
)


def locale_of(language: str | None = None) -> Locale:
    """Babel's locale for one of our languages (the language in force when None)."""
    return _locale(language or current_language())


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@cache
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone(name: str | None = None) -> tzinfo:
    """The time zone `name` (the one in force when None; UTC for a name it does not know)."""
    return _zone(name or current_time_zone())


def money(amount: Decimal | int | str, currency: str, language: str | None = None) -> str:
    """`amount` in `currency` for the reader: en `$1,234,567.89`, pl `1 234 567,89 zł`,
    fr `1 234 567,89 €`, zh_Hans `¥1,234,567.89` (with CLDR's spacing), cents always kept."""
    value = Decimal(amount)
    return format_currency(
        value, currency, locale=locale_of(language), currency_digits=True, group_separator=True
    )


def money_totals(totals: Mapping[str, Decimal], language: str | None = None) -> list[str]:
    """One figure per currency, in code order: amounts in different currencies never add up."""
    return [money(totals[code], code, language) for code in sorted(totals)]


def number(value: Decimal | int, language: str | None = None) -> str:
    """A plain number with the reader's grouping and decimal sign (`1 234,5` in French)."""
    return format_decimal(value, locale=locale_of(language), group_separator=True)


def amount(value: Decimal, language: str | None = None) -> str:
    """An amount without its currency, cents kept: `1,234.50`, `1 234,50` (Polish, French)."""
    return format_decimal(value, "#,##0.00", locale=locale_of(language), group_separator=True)


def plain(amount: Decimal) -> str:
    """An amount as machines read it: `1234567.89`, always two decimals, no grouping."""
    return str(Decimal(amount).quantize(CENTS))


def day(value: date | None, language: str | None = None) -> str:
    """A date in the reader's medium format (`2 mars 2027`, `2027年3月2日`, `Mar 2, 2027`)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = in_zone(value).date()
    return _format_date(value, "medium", locale=locale_of(language))


def in_zone(moment: datetime, zone_name: str | None = None) -> datetime:
    """`moment` (naive means UTC) as a local time in the zone (the one in force when None)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone(zone_name))


def moment(
    value: datetime | None, language: str | None = None, zone_name: str | None = None
) -> str:
    """A time in the time zone in force, with that zone named: `01/03/2027 15:00 UTC+08:00`."""
    if value is None:
        return ""
    local = in_zone(value, zone_name)
    text = _format_datetime(local, "short", tzinfo=local.tzinfo, locale=locale_of(language))
    return f"{text} {zone_label(local, language)}"


def zone_label(local: datetime, language: str | None = None) -> str:
    """The zone of a local time as a short name: `UTC`, `GMT+08:00` (the locale's own words)."""
    tz = local.tzinfo or UTC
    if local.utcoffset() in (None, UTC.utcoffset(None)) and str(tz) in ("UTC", "Etc/UTC"):
        return "UTC"
    return _format_datetime(local, "ZZZZ", tzinfo=tz, locale=locale_of(language))


def zone_name(name: str | None = None, language: str | None = None) -> str:
    """The zone's name for a page's note (`Asia/Shanghai` -> `China Time` in English)."""
    tz = zone(name)
    if str(tz) in ("UTC", "Etc/UTC"):
        return "UTC"
    return f"{get_timezone_name(tz, locale=locale_of(language))} ({tz})"


class AmountError(ValueError):
    """Typed money that is not an amount (`garbage`) or that reads two ways (`ambiguous`)."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__(f"{kind}: {text!r}")
        self.kind = kind
        self.text = text


def parse_money(text: str, language: str | None = None) -> Decimal:
    """An amount typed the reader's way or the plain way, as a Decimal.

    Accepted: `1234.5` everywhere; `27.000,00`, `27 000,00`, `27000,5` in Polish and French;
    `1,234.5` in English and Chinese. A dot before exactly three digits and nothing else (`1.234`)
    reads two ways where the decimal sign is a comma, so it is refused as ambiguous, as is a
    comma before one, two or four digits where the decimal sign is a dot (`1,5` in English).
    """
    decimal_sign = get_decimal_symbol(locale_of(language))
    raw = text.strip()
    sign = ""
    if raw[:1] in "-+" and raw[:1]:
        sign, raw = ("-" if raw[0] == "-" else ""), raw[1:].strip()
    raw = _SPACES.sub(" ", raw)
    if not raw or re.search(r"[^\d., ]", raw) or not raw[0].isdigit() or not raw[-1].isdigit():
        raise AmountError("garbage", text)
    marks = [c for c in raw if c in ".,"]
    whole, fraction = raw, ""
    if "." in marks and "," in marks:
        point = max(raw.rfind("."), raw.rfind(","))
        if marks.count(raw[point]) != 1:
            raise AmountError("garbage", text)
        whole, fraction = raw[:point], raw[point + 1 :]
    elif len(marks) == 1:
        point = raw.find(marks[0])
        after = raw[point + 1 :]
        if marks[0] == decimal_sign:
            whole, fraction = raw[:point], after
        elif len(after) == 3 and marks[0] == ".":
            raise AmountError("ambiguous", text)  # 1.234: a plain decimal or 1 234?
        elif marks[0] == ".":
            whole, fraction = raw[:point], after  # the plain way: 1234.5
        elif len(after) != 3:
            raise AmountError("ambiguous", text)  # 1,5 where the decimal sign is a dot
    if not _DIGITS.fullmatch(fraction or "0"):
        raise AmountError("garbage", text)
    digits = _whole_digits(whole, text)
    try:
        return Decimal(f"{sign}{digits}.{fraction or '0'}")
    except InvalidOperation:
        raise AmountError("garbage", text) from None


def _whole_digits(whole: str, text: str) -> str:
    """The digits of the whole part, its groups (if any) checked: 1-3 digits, then threes."""
    groups = re.split(r"[., ]", whole)
    if len(groups) > 1:
        separators = set(re.findall(r"[., ]", whole))
        if len(separators) > 1 or not 1 <= len(groups[0]) <= 3:
            raise AmountError("garbage", text)
        if any(len(g) != 3 for g in groups[1:]):
            raise AmountError("garbage", text)
    if not all(_DIGITS.fullmatch(g) for g in groups):
        raise AmountError("garbage", text)
    return "".join(groups)


__all__ = [
    "AmountError",
    "amount",
    "csv_delimiter",
    "day",
    "decimal_sign",
    "in_zone",
    "locale_of",
    "moment",
    "money",
    "money_totals",
    "number",
    "parse_money",
    "plain",
    "zone",
    "zone_label",
    "zone_name",
]


def decimal_sign(language: str | None = None) -> str:
    """The reader's decimal sign: `.` in English and Chinese, `,` in Polish and French."""
    return get_decimal_symbol(locale_of(language))


def csv_delimiter(language: str | None = None) -> str:
    """The delimiter the reader's spreadsheet expects: `;` where the decimal sign is a comma
    (Polish and French Excel), `,` elsewhere."""
    return ";" if decimal_sign(language) == "," else ","


def duration(text: str | None, language: str | None = None) -> str:
    """An ISO 8601 duration in words, in the reader's language: `P7D` reads "7 days" ("7 jours",
    "7 dni", "7天"), `P1DT2H` "1 day, 2 hours". Text that is not such a duration stays as it is
    ("" for None)."""
    if not text:
        return ""
    match = _DURATION.match(text.strip().upper())
    if not match or text.strip().upper() in ("P", "PT"):
        return text
    locale = locale_of(language)
    parts = [
        format_unit(int(count), f"duration-{unit}", length="long", locale=locale)
        for unit, count in match.groupdict().items()
        if count and int(count)
    ]
    if not parts:
        return format_unit(0, "duration-day", length="long", locale=locale)
    return format_list(parts, style="unit", locale=locale)
