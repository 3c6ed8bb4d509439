"""Cells of an imported file: amounts and days written the way each UI language writes them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from bpmn_sales.domain.model import money
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _

# Group separators people type: spaces (also the no-break ones French uses), apostrophes.
_GROUPS = re.compile("[\\s\u00a0\u202f'\u2019]")
# A currency written before or after the amount: "$ 1,200", "1 200 €", "¥1200", "1200 zł", "EUR 5".
_CURRENCY = r"(?:[A-Z]{3}|[$€£¥₩₹]|zł|元)"
_SYMBOLS = re.compile(rf"^\s*{_CURRENCY}|{_CURRENCY}\s*$")
_DAYS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), (1, 2, 3)),  # 2026-03-31 (ISO)
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), (1, 2, 3)),  # 2026/03/31 (Chinese)
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"), (1, 2, 3)),  # 2026年3月31日
    (re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$"), (3, 2, 1)),  # 31/03/2026, 31.03.2026
)


def amount(text: str, field_name: str) -> Decimal | None:
    """Parse "12 000,50", "12,000.50", "12.000,50" or "€ 1200" as an amount of money.

    With both a comma and a dot, the last one is the decimal mark; a lone comma followed by
    exactly three digits ("12,000") groups thousands, any other lone comma is a decimal mark.
    """
    plain = _GROUPS.sub("", _SYMBOLS.sub("", text.strip()))
    if not plain:
        return money(text.strip() or None, field_name)
    if "," in plain and "." in plain:
        decimal_mark = "," if plain.rfind(",") > plain.rfind(".") else "."
        group = "." if decimal_mark == "," else ","
        plain = plain.replace(group, "").replace(decimal_mark, ".")
    elif plain.count(",") == 1 and not re.search(r",\d{3}$", plain):
        plain = plain.replace(",", ".")
    elif "," in plain:
        plain = plain.replace(",", "")
    elif plain.count(".") > 1:
        plain = plain.replace(".", "")
    try:
        return money(plain, field_name)
    except InvalidInput:
        raise InvalidInput(
            _("%(value)r is not an amount", value=text.strip()), field=field_name
        ) from None


def day(text: str, field_name: str) -> date | None:
    """Parse a day written YYYY-MM-DD, YYYY/MM/DD, DD/MM/YYYY, DD.MM.YYYY or 2026年3月31日."""
    value = text.strip()
    if not value:
        return None
    for pattern, (y, m, d) in _DAYS:
        found = pattern.match(value)
        if found:
            try:
                return date(int(found[y]), int(found[m]), int(found[d]))
            except ValueError:
                break
    raise InvalidInput(
        _("%(value)r is not a day (YYYY-MM-DD, DD/MM/YYYY or DD.MM.YYYY)", value=value),
        field=field_name,
    )
