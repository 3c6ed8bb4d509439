"""Queries for process instances (part of the Store: persistence/store.py): reading a lead's or
deal's snapshot and journal, and writing one step in a few SQL statements.

A step writes the subject's row by SQL with the version check (the row version is still the
only guard against a stale instance, in this process or another), then either appends its delta
to the journal or, with a new snapshot, writes it to instance_snapshots and clears the journal.
The ORM object is told the values it now has, so the session never flushes the row a second
time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from bpmn_sales.errors import Conflict
from bpmn_sales.i18n import lazy_gettext
from bpmn_sales.persistence import stage_visits
from bpmn_sales.persistence.models import Deal, InstanceSnapshot, JournalEntry, Lead, table_of
from bpmn_sales.persistence.prepared import Prepared

STALE = lazy_gettext("someone else changed this record since you read it; reload and try again")
JOURNAL = table_of(JournalEntry)
SNAPSHOTS = table_of(InstanceSnapshot)
READ_JOURNAL = (
    select(JOURNAL.c.version, JOURNAL.c.base_version, JOURNAL.c.body)
    .where(
        JOURNAL.c.subject_type == bindparam("kind"),
        JOURNAL.c.subject_id == bindparam("id"),
        JOURNAL.c.version > bindparam("after"),
        JOURNAL.c.version <= bindparam("upto"),
    )
    .order_by(JOURNAL.c.version)
)
READ_JOURNALS = (
    select(JOURNAL.c.subject_id, JOURNAL.c.version, JOURNAL.c.base_version, JOURNAL.c.body)
    .where(
        JOURNAL.c.subject_type == bindparam("kind"),
        JOURNAL.c.subject_id.in_(bindparam("ids", expanding=True)),
    )
    .order_by(JOURNAL.c.subject_id, JOURNAL.c.version)
)
APPEND = Prepared(insert(JOURNAL))
CLEAR = delete(JOURNAL).where(
    JOURNAL.c.subject_type == bindparam("kind"),
    JOURNAL.c.subject_id == bindparam("id"),
    JOURNAL.c.version <= bindparam("upto"),
)


def _upsert(dialect: Any) -> Any:
    """A snapshot's INSERT that replaces the subject's last one."""
    statement = dialect.insert(SNAPSHOTS)
    return statement.on_conflict_do_update(
        index_elements=[SNAPSHOTS.c.subject_type, SNAPSHOTS.c.subject_id],
        set_={"state": statement.excluded.state},
    )


# Writing a snapshot, by dialect name.
WRITE_SNAPSHOT = {"sqlite": Prepared(_upsert(sqlite)), "postgresql": Prepared(_upsert(postgresql))}


def _statements(kind: str, table: Table) -> tuple[Any, Any, Prepared]:
    # A row without a snapshot (none can be read) restores as an unreadable state.
    columns = (
        table.c.id,
        table.c.version,
        func.coalesce(SNAPSHOTS.c.state, "").label("state"),
        table.c.state_version,
        table.c.instance_version,
    )
    joined = table.outerjoin(
        SNAPSHOTS,
        and_(SNAPSHOTS.c.subject_type == literal(kind), SNAPSHOTS.c.subject_id == table.c.id),
    )
    state = select(*columns).select_from(joined).where(table.c.id == bindparam("id"))
    states = (
        select(*columns).select_from(joined).where(table.c.id.in_(bindparam("ids", expanding=True)))
    )
    # No .values(): the SET clause is the keys of each call's parameters.
    write = Prepared(
        update(table).where(
            table.c.id == bindparam("_id"), table.c.version == bindparam("_version")
        )
    )
    return state, states, write


_TABLES: dict[str, tuple[Any, Any, Prepared]] = {
    "lead": _statements("lead", table_of(Lead)),
    "deal": _statements("deal", table_of(Deal)),
}
# PostgreSQL: the row's UPDATE and the delta's INSERT as one statement, by the columns a step
# sets (a handful of combinations, each built once).
_ROW_AND_DELTA: dict[tuple[str, tuple[str, ...]], Any] = {}


def _row_and_delta(kind: str, columns: Iterable[str]) -> Any:
    """One statement writing the row (version checked) and appending the delta: the INSERT
    takes its row from the UPDATE's RETURNING, so a stale row writes neither, and returns the
    row it appended (none: the row was stale)."""
    key = (kind, tuple(sorted(columns)))
    found = _ROW_AND_DELTA.get(key)
    if found is None:
        table = table_of(Deal if kind == "deal" else Lead)
        moved = (
            update(table)
            .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_version"))
            .values({c: bindparam(f"_set_{c}", type_=table.c[c].type) for c in key[1]})
            .returning(table.c.id)
            .cte("moved")
        )
        rows = select(
            bindparam("_kind", type_=String),
            moved.c.id,
            bindparam("_new", type_=Integer),
            bindparam("_base", type_=Integer),
            bindparam("_body", type_=Text),
        ).select_from(moved)
        columns_written = ["subject_type", "subject_id", "version", "base_version", "body"]
        found = _ROW_AND_DELTA[key] = (
            insert(JOURNAL).from_select(columns_written, rows).returning(JOURNAL.c.version)
        )
    return found


Subject = Lead | Deal


def _kind(subject: Subject) -> str:
    return "deal" if isinstance(subject, Deal) else "lead"


def _chained(row: Any, entries: Sequence[Any], version: int) -> tuple[str, list[str]]:
    """The snapshot and deltas of a row read at `version`, if the journal chain is whole.

    A writer that moved the row on (or wrote a new snapshot, clearing the entries) since the
    row was read makes this a Conflict, never an older state taken for the current one.
    """
    if row is None or row.version != version:
        raise Conflict(str(STALE))
    base = row.state_version
    bodies = []
    for entry in entries:
        if entry.version <= row.state_version or entry.version > row.instance_version:
            continue
        if entry.base_version != base:
            raise Conflict(str(STALE))
        base = entry.version
        bodies.append(entry.body)
    if base != row.instance_version:
        raise Conflict(str(STALE))
    return row.state, bodies


class InstanceQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    def instance_state(self, subject: Subject) -> tuple[str, list[str]]:
        """The stored snapshot of a lead's or deal's instance and the deltas after it, as of the
        row version this session read; Conflict if it has moved on since."""
        kind = _kind(subject)
        connection = self.session.connection()
        row = connection.execute(_TABLES[kind][0], {"id": subject.id}).one_or_none()
        entries: Sequence[Any] = ()
        if row is not None and row.instance_version != row.state_version:
            entries = connection.execute(
                READ_JOURNAL,
                {
                    "kind": kind,
                    "id": subject.id,
                    "after": row.state_version,
                    "upto": row.instance_version,
                },
            ).all()
        return _chained(row, entries, subject.version)

    def instance_states(self, subjects: Sequence[Subject]) -> dict[int, tuple[str, list[str]]]:
        """`instance_state` of many leads or deals of one kind, in two queries."""
        if not subjects:
            return {}
        kind = _kind(subjects[0])
        ids = [s.id for s in subjects]
        connection = self.session.connection()
        rows = {r.id: r for r in connection.execute(_TABLES[kind][1], {"ids": ids})}
        entries: dict[int, list[Any]] = {}
        if any(r.instance_version != r.state_version for r in rows.values()):
            for entry in connection.execute(READ_JOURNALS, {"kind": kind, "ids": ids}):
                entries.setdefault(entry.subject_id, []).append(entry)
        return {s.id: _chained(rows.get(s.id), entries.get(s.id, ()), s.version) for s in subjects}

    def show_values(self, subject: Subject, values: Mapping[str, Any]) -> None:
        """Give the ORM object values a coming `write_step` writes, without making it dirty
        (so no flush writes the row before that)."""
        state = instance_state(subject)
        state.info[_SHOWN] = state.info.get(_SHOWN, frozenset()) | values.keys()
        for name, value in values.items():
            set_committed_value(subject, name, value)

    def write_step(
        self,
        subject: Subject,
        values: Mapping[str, Any],
        snapshot: str | None = None,
        delta: str | None = None,
    ) -> None:
        """Write a step: the row's new values (version checked and bumped), and the instance's
        new snapshot or its delta. Conflict if the row moved on since it was read."""
        if instance_state(subject).modified:
            self.session.flush()  # changes made through the ORM go first, as their own write
        kind = _kind(subject)
        old = subject.version
        new = old + 1
        changes = {**_changed(subject, values), "version": new}
        if snapshot is not None:
            changes.update(state_version=new, instance_version=new)
        elif delta is not None:
            changes["instance_version"] = new
        move = None
        since = subject.stage_entered_at if isinstance(subject, Deal) else None
        if isinstance(subject, Deal) and ("stage_key" in changes or "status" in changes):
            move = stage_visits.plan(subject.stage_key, subject.status, _After(subject, changes))
            if move is not None and move.enter is not None:
                changes["stages_reached"] = stage_visits.merge_reached(
                    subject.stages_reached, move.enter
                )
        connection = self.session.connection()
        if delta is not None and connection.dialect.name == "postgresql":
            params = {f"_set_{name}": value for name, value in changes.items()}
            params.update(
                _id=subject.id,
                _version=old,
                _kind=kind,
                _new=new,
                _base=subject.instance_version,
                _body=delta,
            )
            written = connection.execute(_row_and_delta(kind, changes), params).all()
            if len(written) != 1:
                raise Conflict(str(STALE))
            delta = None  # written
        else:
            params = {**changes, "_id": subject.id, "_version": old}
            if _TABLES[kind][2](connection, params).rowcount != 1:
                raise Conflict(str(STALE))
        if delta is not None:
            APPEND(
                connection,
                {
                    "subject_type": kind,
                    "subject_id": subject.id,
                    "version": new,
                    "base_version": subject.instance_version,
                    "body": delta,
                },
            )
        if snapshot is not None:
            WRITE_SNAPSHOT[connection.dialect.name](
                connection, {"subject_type": kind, "subject_id": subject.id, "state": snapshot}
            )
            if subject.instance_version != subject.state_version:
                connection.execute(CLEAR, {"kind": kind, "id": subject.id, "upto": new})
        for name, value in changes.items():
            set_committed_value(subject, name, value)
        if move is not None:
            stage_visits.write(connection, subject, move, since)


_SHOWN = "bpmn_sales.shown"  # the names show_values gave the ORM object before write_step


def _changed(subject: Subject, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values that differ from the row as read (the version check makes the ORM object's
    values the row's), and those shown to the ORM object already.

    SQLite rewrites an entry in every index that holds a column the UPDATE sets, whether its
    value changed or not: `status` alone is in ten of the deals' indexes, and setting it on
    every step made a task's commit write 39 pages where 21 do."""
    state = instance_state(subject)
    shown = state.info.pop(_SHOWN, frozenset())
    loaded = state.dict
    return {
        name: value
        for name, value in values.items()
        if name in shown or name not in loaded or loaded[name] != value
    }


class _After:
    """The subject's values once `changes` are written (for stage_visits.plan)."""

    def __init__(self, subject: Subject, changes: Mapping[str, Any]) -> None:
        self._subject = subject
        self._changes = changes

    def __getattr__(self, name: str) -> Any:
        if name in self._changes:
            return self._changes[name]
        return getattr(self._subject, name)
