"""CSV files a spreadsheet opens right in every language: UTF-8 with a byte order mark (so
Excel reads Chinese and Polish), the reader's delimiter, and no cell it would run as a formula.

Numbers (money included) are written plainly, without grouping: `1234567.89`. Where the file
uses `;` (the Polish and French default, as their Excel expects) the decimal sign is the
locale's comma, `1234567,89`, so that Excel reads a number; with `,` it is always a dot.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from bpmn_sales.errors import InvalidInput

BOM = "\ufeff"
# A text cell starting with one of these is a formula to Excel, LibreOffice and Sheets: a loss
# reason typed as "=HYPERLINK(...)" would run when the file is opened (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What `?delimiter=` and `--delimiter` accept.
DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\t": "\t"}


def delimiter_of(text: str | None, default: str) -> str:
    """The delimiter a reader asked for (`,`, `;` or `tab`), else `default`."""
    if text is None or text == "":
        return default
    if text not in DELIMITERS:
        raise InvalidInput(f"delimiter {text!r} is not one of ',', ';' or 'tab'", field="delimiter")
    return DELIMITERS[text]


def cell(value: Any, decimal_sign: str = ".") -> Any:
    """The value as a CSV cell: blank for None, numbers plain with `decimal_sign`, and text
    that would be a formula quoted as text with a leading `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", decimal_sign)
    if isinstance(value, float):
        return repr(value).replace(".", decimal_sign)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    delimiter: str = ",",
    decimal_sign: str = ".",
) -> str:
    """The table as CSV text, byte order mark first, CRLF line ends."""
    sign = decimal_sign if delimiter != "," else "."
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([cell(header) for header in headers])
    writer.writerows([cell(value, sign) for value in row] for row in rows)
    return out.getvalue()
