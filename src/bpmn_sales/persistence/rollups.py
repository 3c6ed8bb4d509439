"""The analytics rollups' triggers: each row's share of the running totals, kept by the database.

A rollup table (models/rollups.py) holds, per group, the sum of what each source row (a deal, a
stage stay, a lead) adds to it. A trigger on the source adds a new row's share, takes an old
row's back and, when a watched column changes, moves the share from the old group to the new
one; it runs inside the writer's statement, so the ORM, the Core hot path, batched imports,
the bench loaders and raw SQL all keep the totals right in the same transaction.

Each share is written once as SQL over a row `@` (NEW or OLD in a trigger, the source table
in the backfill), rendered for SQLite or PostgreSQL. A group whose deals all left it stays
with zeros; readers skip those.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection


@dataclass(frozen=True)
class Share:
    """What each row of `source` adds to `rollup`: sums under keys, for rows meeting `where`
    (joined with `join`, whose rows each add a share, if given)."""

    rollup: str
    source: str
    keys: tuple[tuple[str, str], ...]  # (rollup column, expression)
    sums: tuple[tuple[str, str], ...]
    watched: tuple[str, ...]  # the source columns whose change moves the share
    where: str = "1 = 1"
    join: str = ""
    backfill: bool = True  # False: the same pairs are filled from the other side
    tag: str = ""  # tells apart two shares of one source in one rollup


@dataclass(frozen=True)
class Dialect:
    name: str

    def cents(self, value: str) -> str:
        return f"COALESCE(CAST(ROUND({value} * 100) AS BIGINT), 0)"

    def month(self, day: str) -> str:
        if self.name == "postgresql":
            return f"to_char({day}, 'YYYY-MM')"
        return f"strftime('%Y-%m', {day})"

    def utc_month(self, instant: str) -> str:
        if self.name == "postgresql":
            return f"to_char({instant} AT TIME ZONE 'UTC', 'YYYY-MM')"
        # As the reports' bound instants compare: a stamp written without its fraction
        # ('...00:00:00+00:00') sorts before the month's first instant, so it is the month before.
        return (
            f"CASE WHEN {instant} < strftime('%Y-%m-01 00:00:00.000000', {instant}) "
            f"THEN strftime('%Y-%m', {instant}, 'start of month', '-1 month') "
            f"ELSE strftime('%Y-%m', {instant}) END"
        )

    def began(self, day: str) -> str:
        """The UTC instant the month of `day` begins, as the reports' bound values compare."""
        if self.name == "postgresql":
            return f"(date_trunc('month', CAST({day} AS timestamp)) AT TIME ZONE 'UTC')"
        return f"strftime('%Y-%m-01 00:00:00.000000', {day})"

    def seconds(self, start: str, end: str) -> str:
        if self.name == "postgresql":
            return f"EXTRACT(EPOCH FROM ({end} - {start}))"
        return f"((julianday({end}) - julianday({start})) * 86400.0)"

    def differs(self, column: str) -> str:
        op = "IS DISTINCT FROM" if self.name == "postgresql" else "IS NOT"
        return f"OLD.{column} {op} NEW.{column}"


def _history_where(sql: Dialect, deal: str, visit: str) -> str:
    began = sql.began(f"{deal}.expected_close_date")
    return (
        f"{deal}.expected_close_date IS NOT NULL AND {visit}.entered_at <= {began} "
        f"AND ({visit}.left_at IS NULL OR {visit}.left_at > {began}) "
        f"AND ({deal}.closed_at IS NULL OR {deal}.closed_at > {began})"
    )


def _reopened_keys(deal: str) -> tuple[tuple[str, str], ...]:
    return (
        ("process_version_id", f"{deal}.process_version_id"),
        ("owner_id", f"{deal}.owner_id"),
        ("stages_reached", f"COALESCE({deal}.stages_reached, '')"),
        ("status", f"{deal}.status"),
        ("stage_key", f"COALESCE({deal}.stage_key, '')"),
    )


def shares(sql: Dialect) -> list[Share]:
    owned = (("process_version_id", "@.process_version_id"), ("owner_id", "@.owner_id"))
    money = (("deals", "1"), ("value_cents", sql.cents("@.value")))
    history_keys = (
        ("close_month", sql.month("d.expected_close_date")),
        ("process_version_id", "d.process_version_id"),
        ("owner_id", "d.owner_id"),
        ("stage_key", "v.stage_key"),
        ("currency", "d.currency"),
    )
    history_sums = (("deals", "1"), ("value_cents", sql.cents("d.value")))
    deal_money = ("process_version_id", "owner_id", "currency", "value")
    return [
        Share(  # the board's columns: open deals by stage (0028)
            "rollup_open",
            "deals",
            (*owned, ("stage_key", "COALESCE(@.stage_key, '')"), ("currency", "@.currency")),
            money,
            (*deal_money, "stage_key", "status"),
            where="@.status = 'open'",
        ),
        Share(
            "rollup_funnel",
            "deals",
            (
                *owned,
                ("stages_reached", "COALESCE(@.stages_reached, '')"),
                ("status", "@.status"),
                ("currency", "@.currency"),
            ),
            money,
            (*deal_money, "stages_reached", "status"),
        ),
        Share(
            "rollup_closed",
            "deals",
            (
                *owned,
                ("status", "@.status"),
                ("stage_key", "COALESCE(@.stage_key, '')"),
                ("lost_reason", "COALESCE(@.lost_reason, '')"),
                ("currency", "@.currency"),
            ),
            (
                *money,
                ("cycle_seconds", f"COALESCE({sql.seconds('@.created_at', '@.closed_at')}, 0)"),
                (
                    "timed",
                    "CASE WHEN @.closed_at IS NULL OR @.created_at IS NULL THEN 0 ELSE 1 END",
                ),
            ),
            (*deal_money, "status", "stage_key", "lost_reason", "closed_at", "created_at"),
            "@.status IN ('won', 'lost', 'invalid')",
        ),
        Share(
            "rollup_forecast",
            "deals",
            (
                *owned,
                ("close_month", f"COALESCE({sql.month('@.expected_close_date')}, '')"),
                ("currency", "@.currency"),
            ),
            (*money, ("weighted", f"{sql.cents('@.value')} * @.probability")),
            (*deal_money, "status", "expected_close_date", "probability"),
            "@.status = 'open'",
        ),
        *(
            # Each owner's stays, and everyone's (owner 0): hours by owner are many groups.
            Share(
                "rollup_stays",
                "stage_visits",
                (
                    ("process_id", "@.process_id"),
                    ("owner_id", owner),
                    ("stage_key", "@.stage_key"),
                    ("hours", "COALESCE(@.hours, 0)"),
                ),
                (("stays", "1"),),
                ("process_id", "owner_id", "stage_key", "hours", "left_at"),
                "@.left_at IS NOT NULL",
                tag=tag,
            )
            for owner, tag in (("@.owner_id", ""), ("0", "all"))
        ),
        Share(
            "rollup_won",
            "deals",
            (*owned, ("close_month", sql.utc_month("@.closed_at")), ("currency", "@.currency")),
            money,
            (*deal_money, "status", "closed_at"),
            "@.status = 'won' AND @.closed_at IS NOT NULL",
        ),
        # A reopened deal's link counts for the deal it was reopened from (`o`), by that deal's
        # groups: kept when the link is written and when that deal changes.
        Share(
            "rollup_reopened",
            "deals",
            _reopened_keys("o"),
            (("deals", "1"),),
            ("reopened_from_id",),
            "o.id = @.reopened_from_id",
            "deals o",
            tag="link",
        ),
        Share(
            "rollup_reopened",
            "deals",
            _reopened_keys("@"),
            (("deals", "1"),),
            ("process_version_id", "owner_id", "stages_reached", "status", "stage_key"),
            "s.reopened_from_id = @.id",
            "deals s",
            backfill=False,
            tag="source",
        ),
        Share(
            "rollup_leads",
            "leads",
            (("owner_id", "@.owner_id"), ("status", "@.status")),
            (("leads", "1"),),
            ("owner_id", "status"),
        ),
        Share(
            "rollup_history",
            "deals",
            tuple((k, e.replace("d.", "@.")) for k, e in history_keys),
            tuple((k, e.replace("d.", "@.")) for k, e in history_sums),
            (*deal_money, "expected_close_date", "closed_at"),
            f"v.deal_id = @.id AND {_history_where(sql, '@', 'v')}",
            "stage_visits v",
        ),
        Share(
            "rollup_history",
            "stage_visits",
            tuple((k, e.replace("v.", "@.")) for k, e in history_keys),
            history_sums,
            ("deal_id", "stage_key", "entered_at", "left_at"),
            f"d.id = @.deal_id AND {_history_where(sql, 'd', '@')}",
            "deals d",
            backfill=False,
        ),
    ]


def _select(
    share: Share, row: str, sign: str, source: str | None = None, named: bool = False
) -> str:
    """The share of `row` (times `sign`) by group. With `source`, `row` is that table's alias
    and the shares of all its rows are summed; `named`: each value named as its column."""

    def at(expr: str) -> str:
        return expr.replace("@.", f"{row}.")

    keys = [at(e) for _, e in share.keys]
    grouped = bool(share.join or source)
    sums = [f"{sign}SUM({at(e)})" if grouped else f"{sign}({at(e)})" for _, e in share.sums]
    tables = [f"{source} {row}"] if source else []
    tables += [share.join] if share.join else []
    values = keys + sums
    if named:
        values = [f"{value} AS {name}" for value, name in zip(values, _columns(share), strict=True)]
    select = f"SELECT {', '.join(values)}"
    if tables:
        select += f" FROM {', '.join(tables)}"
    select += f" WHERE {at(share.where)}"
    if grouped:
        # A constant key (everyone's owner 0) is no group: a number there names a column.
        select += f" GROUP BY {', '.join(k for k in keys if not k.isdigit())}"
    return select


def _columns(share: Share) -> list[str]:
    return [k for k, _ in share.keys] + [s for s, _ in share.sums]


def _upsert(share: Share, row: str, sign: str, source: str | None = None) -> str:
    """INSERT the share into its groups, adding to the groups there are."""
    added = ", ".join(f"{s} = {share.rollup}.{s} + excluded.{s}" for s, _ in share.sums)
    return (
        f"INSERT INTO {share.rollup} ({', '.join(_columns(share))}) "
        f"{_select(share, row, sign, source)} "
        f"ON CONFLICT ({', '.join(k for k, _ in share.keys)}) DO UPDATE SET {added}"
    )


def _ordered_upsert(share: Share, parts: list[tuple[str, str]]) -> str:
    """PostgreSQL: the shares of (row, sign) parts in one upsert whose groups are locked in key
    order, so two writers moving deals between the same two groups cannot deadlock."""
    keys = ", ".join(k for k, _ in share.keys)
    sums = ", ".join(f"SUM({s})" for s, _ in share.sums)
    moved = " UNION ALL ".join(_select(share, row, sign, named=True) for row, sign in parts)
    added = ", ".join(f"{s} = {share.rollup}.{s} + excluded.{s}" for s, _ in share.sums)
    return (
        f"INSERT INTO {share.rollup} ({', '.join(_columns(share))}) "  # noqa: S608 - own SQL
        f"SELECT {keys}, {sums} FROM ({moved}) AS moved "
        f"GROUP BY {keys} ORDER BY {keys} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {added}"
    )


def _name(share: Share) -> str:
    return f"{share.rollup}_{share.source}" + (f"_{share.tag}" if share.tag else "")


def _chosen(sql: Dialect, only: Collection[str]) -> list[Share]:
    return [share for share in shares(sql) if share.rollup in only]


def create_triggers(connection: Connection, only: Collection[str]) -> None:
    """The triggers that keep the rollups named (run by their migration; both backends' DDL)."""
    sql = Dialect(connection.dialect.name)
    for share in _chosen(sql, only):
        name = _name(share)
        add, take = _upsert(share, "NEW", ""), _upsert(share, "OLD", "-")
        changed = " OR ".join(sql.differs(c) for c in share.watched)
        if sql.name == "postgresql":
            moved = _ordered_upsert(share, [("OLD", "-"), ("NEW", "")])
            taken, added = (
                _ordered_upsert(share, [("OLD", "-")]),
                _ordered_upsert(share, [("NEW", "")]),
            )
            connection.exec_driver_sql(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF TG_OP = 'UPDATE' THEN {moved}; ELSIF TG_OP = 'DELETE' THEN {taken}; "
                f"ELSE {added}; END IF; RETURN NULL; END $$"
            )
            connection.exec_driver_sql(
                f"CREATE TRIGGER {name}_write AFTER INSERT OR DELETE ON {share.source} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
            connection.exec_driver_sql(
                f"CREATE TRIGGER {name}_change AFTER UPDATE ON {share.source} FOR EACH ROW "
                f"WHEN ({changed}) EXECUTE FUNCTION {name}()"
            )
            continue
        for event, body in (("INSERT", add), ("DELETE", take)):
            connection.exec_driver_sql(
                f"CREATE TRIGGER {name}_{event.lower()} AFTER {event} ON {share.source} "
                f"FOR EACH ROW BEGIN {body}; END"
            )
        connection.exec_driver_sql(
            f"CREATE TRIGGER {name}_change AFTER UPDATE ON {share.source} FOR EACH ROW "
            f"WHEN {changed} BEGIN {take}; {add}; END"
        )


def drop_triggers(connection: Connection, only: Collection[str]) -> None:
    sql = Dialect(connection.dialect.name)
    for share in _chosen(sql, only):
        name = _name(share)
        if sql.name == "postgresql":
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
            continue
        for event in ("insert", "delete", "change"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}_{event}")


def backfill(connection: Connection, only: Collection[str]) -> None:
    """Fill the rollups named from the rows there are (one grouped INSERT ... SELECT each)."""
    for share in _chosen(Dialect(connection.dialect.name), only):
        if share.backfill:
            connection.exec_driver_sql(_upsert(share, "r", "", share.source))


ROLLUPS = tuple(dict.fromkeys(s.rollup for s in shares(Dialect("sqlite"))))


def recomputed(connection: Connection, rollup: str) -> set[tuple[Any, ...]]:
    """A rollup's non-empty groups computed from scratch from the source rows (for checks)."""
    found: set[tuple[Any, ...]] = set()
    for share in shares(Dialect(connection.dialect.name)):
        if share.rollup == rollup and share.backfill:
            select = _select(share, "r", "", share.source)
            found |= {_exact(r) for r in connection.exec_driver_sql(select) if r[len(share.keys)]}
    return found


def kept(connection: Connection, rollup: str) -> set[tuple[Any, ...]]:
    """A rollup's non-empty groups as the triggers kept them."""
    share = next(s for s in shares(Dialect("sqlite")) if s.rollup == rollup)
    columns = ", ".join(_columns(share))
    rows = connection.exec_driver_sql(f"SELECT {columns} FROM {rollup}")  # noqa: S608 - known
    return {_exact(r) for r in rows if r[len(share.keys)]}


def _exact(row: Any) -> tuple[Any, ...]:
    """Fractions (seconds) to the millisecond: summed in another order they differ in the last
    bits; every other value is a whole number, compared exactly."""
    return tuple(
        round(float(v), 3) if isinstance(v, float | Decimal) and v != int(v) else v for v in row
    )
