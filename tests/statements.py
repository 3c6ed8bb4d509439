"""Count the SQL statements a request runs: a SQLAlchemy event listener on the app's engine.

A list that costs one more statement per row (an N+1) shows up as a count that grows with the
page size; the statement-count tests read the same list at two sizes and compare.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


class Statements:
    """The statements run on `engine` while `counting()` is open (their SQL kept for messages)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sql: list[str] = []

    @property
    def count(self) -> int:
        return len(self.sql)

    @contextmanager
    def counting(self) -> Iterator[Statements]:
        self.sql = []

        def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            self.sql.append(statement)

        event.listen(self.engine, "before_cursor_execute", seen)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", seen)

    def summary(self) -> str:
        """The statements, one line each, for an assertion's message."""
        return "\n".join(" ".join(s.split())[:160] for s in self.sql)
