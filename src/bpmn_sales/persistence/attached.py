"""Entities read by a Core SELECT and given to the session as the ORM's own loader gives them.

Completing a task starts by reading the task's work item, its lead or deal and that record's
owner in one statement. Through the ORM (`session.execute(select(WorkItem, Deal, User))`) the
statement's set-up and its loader cost about twice what running it through Core costs, and the
use case then works on ORM objects. `Joined` runs the Core statement and makes each row's
entities persistent in the session the way `sqlalchemy.orm.loading` makes a new instance: a
new instance of the class, its column values as loaded (committed, nothing modified), its
identity key in the session's identity map. Relationships load lazily, changes flush, and
`session.get` finds the same object, as after an ORM query.

It is the ORM's answer only for a session that holds no object and no pending change (the
first statement of a unit of work): otherwise an object already in the identity map would have
to win over the row, and pending changes be flushed first, and `Joined` leaves that to the ORM
statement it is given. Classes or sessions with `load` listeners are left to it too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.sql.elements import ColumnElement

# A model's mapper, the attributes the ORM loads (in entity_columns' order), those of its
# primary key, and where its columns start and end in the Core statement's row.
_Part = tuple[Mapper[Any], list[str], list[str], int, int]


def _loaded(mapper: Mapper[Any]) -> list[tuple[str, ColumnElement[Any]]]:
    """(attribute, column) of what the ORM loads of an entity: its columns but the deferred."""
    return [(prop.key, prop.columns[0]) for prop in mapper.column_attrs if not prop.deferred]


def entity_columns(models: Sequence[type[Any]]) -> list[ColumnElement[Any]]:
    """What the ORM loads of each model in turn (its columns but the deferred ones): what a
    `Joined` Core statement selects first."""
    return [column for model in models for _, column in _loaded(inspect(model))]


class Joined:
    """A SELECT of whole entities, then other columns, answered by Core (see the module's doc).

    `build(columns)` makes the statement for the columns given: called once with the models
    (the ORM statement) and once with the columns the ORM loads of them (the Core one).
    Deferred columns stay unloaded and load when read, as after the ORM's query.
    """

    def __init__(
        self,
        models: Sequence[type[Any]],
        extra: Sequence[ColumnElement[Any]],
        build: Callable[[Sequence[Any]], Select[Any]],
    ) -> None:
        self.orm_statement = build([*models, *extra])
        self.statement = build([*entity_columns(models), *extra])
        self._parts: list[_Part] = []
        start = 0
        for model in models:
            mapper: Mapper[Any] = inspect(model)
            keys = [key for key, _ in _loaded(mapper)]
            primary = [mapper.get_property_by_column(c).key for c in mapper.primary_key]
            self._parts.append((mapper, keys, primary, start, start + len(keys)))
            start += len(keys)
        self._extra_from = start

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row: its entities, then the other columns; None when there is none."""
        if not _fresh(session, self._parts):
            row = session.execute(self.orm_statement, dict(params)).first()
            return tuple(row) if row is not None else None
        found = session.connection().execute(self.statement, dict(params)).first()
        if found is None:
            return None
        entities = tuple(
            _attach(session, mapper, dict(zip(keys, found[start:end], strict=True)), primary)
            for mapper, keys, primary, start, end in self._parts
        )
        return (*entities, *found[self._extra_from :])


def _fresh(session: Session, parts: list[_Part]) -> bool:
    """True when the session holds nothing the row could meet (see the module's doc)."""
    if session.identity_map or session.new or session.deleted:
        return False
    if session.dispatch.loaded_as_persistent:
        return False
    return not any(mapper.class_manager.dispatch.load for mapper, *_ in parts)


def _attach(
    session: Session, mapper: Mapper[Any], values: dict[str, Any], primary: list[str]
) -> Any:
    """A persistent instance holding `values`, as `sqlalchemy.orm.loading._instance` makes a
    new one for a row: its state keyed, owned by the session, in the session's identity map."""
    instance = mapper.class_manager.new_instance()
    state = instance_state(instance)
    state.dict.update(values)
    key = mapper.identity_key_from_primary_key(tuple(values[name] for name in primary))
    state.key = key
    state.identity_token = None
    state.session_id = session.hash_key
    session.identity_map._add_unpresent(state, key)
    return instance
