"""Pages of a list: a bounded slice in a stable order, and the cursors that reach its neighbours.

Every list that can grow is read a page at a time by keyset: a cursor names the sort key of the
row a page starts after (or ends before), so a page costs the same at row 10 and at row 900,000
and a row inserted meanwhile never shifts what the next page shows. A cursor is opaque to
clients: base64url of `[order, direction, key...]`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _

T = TypeVar("T")
U = TypeVar("U")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# Totals are counted up to this many; past it a list says "1,000+" (counting every row of a
# large list would cost as much as reading it).
COUNT_CAP = 1000
MAX_CURSOR = 2000  # characters: a cursor holds a few key values, never more

AFTER = "a"
BEFORE = "b"


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (or, `backwards`, before) the row with this sort key."""

    order: str
    key: tuple[Any, ...]
    backwards: bool = False

    def encode(self) -> str:
        raw = json.dumps([self.order, BEFORE if self.backwards else AFTER, *self.key])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def count_text(count: int) -> str:
    """A count counted up to COUNT_CAP + 1 as people read it: '57', or '1,000+'."""
    return f"{count:,}" if count <= COUNT_CAP else f"{COUNT_CAP:,}+"


def bad_cursor(why: str | None = None) -> InvalidInput:
    """A refused cursor; `why` is a whole sentence, by default that this list did not give it."""
    return InvalidInput(
        why or _("cursor is not one this list gave out; start again without a cursor"),
        field="cursor",
    )


def decode_cursor(text: str | None, order: str) -> Cursor | None:
    """The cursor a client sent back (None: the first page); refuse one that is not ours."""
    if text is None or text == "":
        return None
    if len(text) > MAX_CURSOR:
        raise bad_cursor(
            _("cursor is too long to be one this list gave out; start again without a cursor")
        )
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad_cursor() from None
    if (
        not isinstance(value, list)
        or len(value) < 3
        or value[1] not in (AFTER, BEFORE)
        or not isinstance(value[0], str)
    ):
        raise bad_cursor()
    if value[0] != order:
        raise bad_cursor(
            _(
                "cursor belongs to the order '%(found)s', not '%(order)s'; start again without a "
                "cursor",
                found=value[0],
                order=order,
            )
        )
    if not all(v is None or isinstance(v, str | int | float) for v in value[2:]):
        raise bad_cursor()
    return Cursor(order, tuple(value[2:]), value[1] == BEFORE)


def checked_limit(limit: object, default: int = DEFAULT_LIMIT, most: int = MAX_LIMIT) -> int:
    """A page size from 1 to `most`; refuse anything else, naming `limit`."""
    if limit is None:
        return default
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= most:
        raise InvalidInput(
            _("limit must be a whole number from 1 to %(most)s", most=most), field="limit"
        )
    return limit


@dataclass(frozen=True)
class Page(Sequence[T]):
    """One page of a list: its items, the cursors of the pages around it, and the total.

    It is the sequence of its items (len, iteration, indexing), like the list it replaces.
    """

    items: list[T]
    next: str | None = None
    previous: str | None = None
    # Rows in the whole list (with its filters), counted up to COUNT_CAP + 1.
    total: int = 0
    exact: bool = True

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    @property
    def total_text(self) -> str:
        """'57', or '1,000+' when the list is longer than is worth counting."""
        return count_text(self.total if self.exact else COUNT_CAP + 1)

    @property
    def total_header(self) -> str:
        """The total for an HTTP header: '57', or '1000+'."""
        return str(self.total) if self.exact else f"{COUNT_CAP}+"

    def map(self, convert: Callable[[Sequence[T]], list[U]]) -> Page[U]:
        """The same page with its items converted all at once (so views are built in bulk)."""
        return Page(convert(self.items), self.next, self.previous, self.total, self.exact)

    def to_dict(self) -> dict[str, Any]:
        return {
            "next": self.next,
            "previous": self.previous,
            "total": self.total_header,
        }
