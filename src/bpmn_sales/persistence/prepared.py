"""Core statements of the task-completion path, compiled once and run as their SQL text.

`connection.execute(statement, params)` builds the statement's cache key (a walk of the whole
statement) on every call before it finds the compiled form in its cache; on the hot path that
was most of what a short INSERT or UPDATE cost. A `Prepared` statement is compiled once per
dialect and set of parameter names, and each call hands the driver the SQL text with the
parameters its column types convert (`exec_driver_sql`: the engine's events, the SQLite writer
lock among them, still see every statement). A statement whose compiled form needs more than
the parameters given (a Python-side default, an expanding IN) is run the ordinary way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import CursorResult
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase

_Found = tuple[str, tuple[str, ...] | None, dict[str, Callable[[Any], Any]]]
_Plan = _Found | None


class Prepared:
    """An INSERT, UPDATE or DELETE compiled once per (dialect, parameter names)."""

    def __init__(self, statement: UpdateBase) -> None:
        self.statement = statement
        # By the dialect's class and parameter style, not the dialect object: every engine
        # (a test makes hundreds) has its own, and they compile these statements alike.
        self._plans: dict[tuple[type[Dialect], str, tuple[str, ...]], _Plan] = {}
        self._lock = threading.Lock()

    def _plan(self, dialect: Dialect, names: tuple[str, ...]) -> _Plan:
        compiled = self.statement.compile(dialect=dialect, column_keys=list(names))
        assert isinstance(compiled, SQLCompiler)
        binds = set(compiled.bind_names.values())
        later = compiled.literal_execute_params or compiled.post_compile_params
        if later or not binds <= set(names):
            return None  # it needs what the parameters do not give: run it the ordinary way
        processors: dict[str, Callable[[Any], Any]] = {}
        for name, processor in compiled._bind_processors.items():
            if not callable(processor):
                return None  # a tuple's processors: not on this path
            processors[name] = processor
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        return compiled.string, order, processors

    def _plan_for(self, dialect: Dialect, names: tuple[str, ...]) -> _Plan:
        key = (type(dialect), dialect.paramstyle, names)
        try:
            return self._plans[key]
        except KeyError:
            plan = self._plan(dialect, names)
            with self._lock:
                self._plans[key] = plan
            return plan

    def __call__(self, connection: Connection, params: Mapping[str, Any]) -> CursorResult[Any]:
        plan = self._plan_for(connection.dialect, tuple(params))
        if plan is None:
            return connection.execute(self.statement, dict(params))
        return connection.exec_driver_sql(plan[0], _args(plan, params))

    def many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per row, as one executemany. Rows naming other parameters
        than the first row (in any order is fine), or a statement not on this path, run the
        ordinary way: SQLAlchemy then names a parameter a row lacks."""
        if not rows:
            return
        first = rows[0].keys()
        plan = self._plan_for(connection.dialect, tuple(first))
        if plan is None or any(row.keys() != first for row in rows):
            connection.execute(self.statement, [dict(row) for row in rows])
            return
        connection.exec_driver_sql(plan[0], [_args(plan, row) for row in rows])


def _args(plan: _Found, params: Mapping[str, Any]) -> Any:
    """The driver's parameters of one call: positional in the SQL's order, or by name."""
    _sql, order, processors = plan
    if order is not None:
        return tuple(
            processors[name](params[name]) if name in processors else params[name] for name in order
        )
    return {
        name: processors[name](value) if name in processors else value
        for name, value in params.items()
    }
