"""Keyset pages of any list query: a stable order ending in a unique id, read from a cursor.

A page is `WHERE (sort key) beyond the cursor's ORDER BY sort key LIMIT n + 1`: an index range
read, as cheap on the last page as on the first. A list may be made of parts read one after
the other (ready tasks, then follow-ups; deals with a close date, then those without): the
cursor names its part, and the next part is read only when one runs out. The total is counted
up to `COUNT_CAP + 1` rows, so counting never reads the whole list either.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from sqlalchemy import Date, Integer, Numeric, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from bpmn_sales.domain.paging import COUNT_CAP, Cursor, Page, bad_cursor
from bpmn_sales.persistence.models.base import UTCDateTime

K = TypeVar("K", bound=Hashable)
# SQLite joins at most 500 SELECTs in one compound statement.
COMPOUND_TERMS = 400


@dataclass(frozen=True)
class Sort:
    """A list's order: some columns (or none: the id alone), then a unique id to break ties.

    All go the same way. With `nullable`, rows whose first column is empty come last (read as
    a second part, by id).
    """

    name: str
    id: InstrumentedAttribute[Any]
    keys: tuple[InstrumentedAttribute[Any], ...] = ()
    descending: bool = False
    nullable: bool = False

    @property
    def columns(self) -> list[InstrumentedAttribute[Any]]:
        return [*self.keys, self.id]

    def values(self, row: Any) -> tuple[Any, ...]:
        return tuple(getattr(row, c.key) for c in self.columns)

    def key(self, row: Any) -> list[Any]:
        """The row's sort key as JSON values (dates as ISO text, money as text)."""
        return [_out(getattr(row, c.key)) for c in self.columns]

    def parse(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """A cursor's key as column values; refuse one that does not fit this order."""
        if len(values) != len(self.columns):
            raise bad_cursor()
        return tuple(_in(c, v) for c, v in zip(self.columns, values, strict=True))

    def order(self, reverse: bool) -> list[ColumnElement[Any]]:
        desc = self.descending != reverse
        return [c.desc() if desc else c.asc() for c in self.columns]

    def beyond(self, key: tuple[Any, ...], reverse: bool) -> ColumnElement[bool]:
        """Rows strictly after `key` in this order (before it when `reverse`)."""
        desc = self.descending != reverse
        alternatives = []
        for n, column in enumerate(self.columns):
            equal = [c == v for c, v in zip(self.columns[:n], key[:n], strict=True)]
            past = column < key[n] if desc else column > key[n]
            alternatives.append(and_(*equal, past) if equal else past)
        return or_(*alternatives)


@dataclass(frozen=True)
class Part:
    """One stretch of a list: a query and its order; `label` names it in cursors."""

    label: str
    query: Select[Any]
    sort: Sort


def parts(query: Select[Any], sort: Sort) -> list[Part]:
    """A query in an order as the parts a keyset reads: two when empty values go last."""
    if not sort.nullable or not sort.keys:
        return [Part("", query, sort)]
    first, rest = sort.keys[0], sort.keys[1:]
    emptied = Sort(sort.name, sort.id, rest, descending=sort.descending)
    return [
        Part("v", query.where(first.is_not(None)), sort),
        Part("n", query.where(first.is_(None)), emptied),
    ]


def _out(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _in(column: InstrumentedAttribute[Any], value: Any) -> Any:
    kind = column.type
    try:
        if value is None:
            raise ValueError("empty")
        if isinstance(kind, UTCDateTime):
            parsed = datetime.fromisoformat(str(value))
            if parsed.tzinfo is None:
                raise ValueError("naive")
            return parsed
        if isinstance(kind, Date):
            return date.fromisoformat(str(value))
        if isinstance(kind, Numeric):
            number = Decimal(str(value))
            if not number.is_finite():
                raise ValueError("not finite")
            return number
        if isinstance(kind, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("not an integer")
            return value
    except (ValueError, InvalidOperation):
        raise bad_cursor() from None
    if not isinstance(value, str):
        raise bad_cursor()
    return value


def count_capped(session: Session, query: Select[Any]) -> tuple[int, bool]:
    """(rows, exact): rows counted up to COUNT_CAP + 1."""
    capped = query.order_by(None).limit(COUNT_CAP + 1).subquery()
    found = int(session.scalar(select(func.count()).select_from(capped)) or 0)
    return found, found <= COUNT_CAP


def capped_counts(
    session: Session, queries: Mapping[K, Select[Any]], cap: int = COUNT_CAP
) -> dict[K, int]:
    """How many rows each query finds, each counted up to `cap` + 1 (past COUNT_CAP a list
    says "1,000+"), in one statement however many there are: a UNION ALL of bounded counts."""
    found: dict[K, int] = {}
    keys = list(queries)
    for first in range(0, len(keys), COMPOUND_TERMS):
        chunk = keys[first : first + COMPOUND_TERMS]
        counts = [
            select(literal(n).label("n"), func.count().label("rows")).select_from(
                queries[key].order_by(None).limit(cap + 1).subquery()
            )
            for n, key in enumerate(chunk)
        ]
        statement = counts[0] if len(counts) == 1 else union_all(*counts)
        for n, rows in session.execute(statement):
            found[chunk[n]] = int(rows)
    return found


def _start(pieces: list[Part], cursor: Cursor | None) -> tuple[int, tuple[Any, ...] | None]:
    """The part a cursor points into and its key there (the first part's start: no cursor)."""
    if cursor is None:
        return 0, None
    if not cursor.key or not isinstance(cursor.key[0], str):
        raise bad_cursor()
    labels = [p.label for p in pieces]
    if cursor.key[0] not in labels:
        raise bad_cursor()
    at = labels.index(cursor.key[0])
    return at, pieces[at].sort.parse(cursor.key[1:])


def _cursors(
    found: list[tuple[Any, Part]], more: bool, cursor: Cursor | None, reverse: bool
) -> tuple[str | None, str | None]:
    """(next, previous) cursors of a page read from `cursor` (`more`: rows lie beyond it)."""

    def make(index: int, back: bool) -> str:
        item, piece = found[index]
        return Cursor(piece.sort.name, (piece.label, *piece.sort.key(item)), back).encode()

    if reverse:
        return (make(-1, False) if found else None), (make(0, True) if more else None)
    following = make(-1, False) if more else None
    return following, (make(0, True) if cursor is not None and found else None)


def keyset(
    session: Session,
    pieces: list[Part],
    cursor: Cursor | None,
    limit: int,
    *,
    count: list[Select[Any]] | None = None,
    rows: bool = False,
) -> Page[Any]:
    """One page of the parts, in order, from `cursor`, with the neighbours' cursors.

    `count` lists the queries whose rows make the total (default: each part by its id);
    `rows` keeps whole result rows instead of the first entity of each.
    """
    at, key = _start(pieces, cursor)
    reverse = bool(cursor and cursor.backwards)
    order = range(at, -1, -1) if reverse else range(at, len(pieces))
    found: list[tuple[Any, Part]] = []
    for index in order:
        wanted = limit + 1 - len(found)
        if wanted <= 0:
            break
        piece = pieces[index]
        query = piece.query
        if index == at and key is not None:
            query = query.where(piece.sort.beyond(key, reverse))
        result = session.execute(query.order_by(*piece.sort.order(reverse)).limit(wanted))
        found += [(item, piece) for item in (result.all() if rows else result.scalars().all())]
    more = len(found) > limit
    found = found[:limit]
    if reverse:
        found.reverse()
    following, preceding = _cursors(found, more, cursor, reverse)
    counted = count if count is not None else [p.query.with_only_columns(p.sort.id) for p in pieces]
    total, exact = 0, True
    for query in counted:
        number, exact = count_capped(session, query)
        total += number
        if total > COUNT_CAP or not exact:
            total, exact = COUNT_CAP + 1, False
            break
    return Page([item for item, _ in found], following, preceding, total, exact)


def first_pages(
    session: Session, lists: Mapping[K, list[Part]], limit: int, totals: Mapping[K, int]
) -> dict[K, Page[Any]]:
    """The first page of many lists of rows at once: one UNION ALL statement per part.

    `totals` are the lists' sizes (known from an aggregate); a list's next part is read only
    when the rows before it run out, which a list whose order has no empty values never does.
    """
    found: dict[K, list[tuple[Any, Part]]] = {key: [] for key in lists}
    depth = max((len(p) for p in lists.values()), default=0)
    for index in range(depth):
        wanted = {
            key: limit + 1 - len(found[key])
            for key, pieces in lists.items()
            if index < len(pieces)
            and len(found[key]) <= limit
            and (index == 0 or len(found[key]) < totals.get(key, 0))
        }
        keys = [key for key, n in wanted.items() if n > 0]
        for first in range(0, len(keys), COMPOUND_TERMS):
            chunk = keys[first : first + COMPOUND_TERMS]
            terms = []
            for n, key in enumerate(chunk):
                piece = lists[key][index]
                ranked = piece.query.order_by(*piece.sort.order(False)).limit(wanted[key])
                inner = ranked.add_columns(literal(n).label("list_n")).subquery()
                terms.append(select(inner))
            statement = terms[0] if len(terms) == 1 else union_all(*terms)
            rows = session.execute(statement).all()
            for key in chunk:
                piece = lists[key][index]
                mine = [r for r in rows if r.list_n == chunk.index(key)]
                # Every key of an order goes the same way: one sort of the whole key.
                mine.sort(key=piece.sort.values, reverse=piece.sort.descending)
                found[key] += [(r, piece) for r in mine]
    pages = {}
    for key, read in found.items():
        shown = read[:limit]
        following, _ = _cursors(shown, len(read) > limit, None, False)
        total = totals.get(key, len(shown))
        pages[key] = Page([r for r, _ in shown], following, None, total, total <= COUNT_CAP)
    return pages


def read_page(
    session: Session, query: Select[Any], sort: Sort, cursor: Cursor | None, limit: int
) -> Page[Any]:
    """A page of one query's entities in `sort` order (its total counted in one statement)."""
    counted = [query.with_only_columns(sort.id)]
    return keyset(session, parts(query, sort), cursor, limit, count=counted)
