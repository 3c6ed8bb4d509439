"""Money typed on a page, the reader's way (`27.000,00`, `27 000,00`, `1 234,5`) or plainly
(`1234.5`), turned into the plain text every use case takes; the API takes JSON as it is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _, formats


def typed_amount(text: str | None, field: str) -> str | None:
    """`text` as a plain amount (`27000.00`); blank stays as it is. Text that reads two ways
    or is no amount at all is refused in the reader's words, naming `field`."""
    if text is None or not text.strip():
        return text
    try:
        return f"{formats.parse_money(text):f}"
    except formats.AmountError as error:
        example = formats.amount(Decimal("1234.50"))
        if error.kind == "ambiguous":
            message = _(
                "%(value)s can be read two ways: type the amount with its decimals, "
                "e.g. %(example)s",
                value=text.strip(),
                example=example,
            )
        else:
            message = _(
                "%(value)s is not an amount: type it like %(example)s",
                value=text.strip(),
                example=example,
            )
        raise InvalidInput(message, field=field) from None


def typed_amounts(values: Mapping[str, str | None], fields: Iterable[str]) -> dict[str, str | None]:
    """`values` with each of `fields` read as an amount (see `typed_amount`)."""
    read = dict(values)
    for field in fields:
        if field in read:
            read[field] = typed_amount(read[field], field)
    return read
