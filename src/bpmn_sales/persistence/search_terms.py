"""Keep the search terms of leads and deals in step with their names, in the same flush.

Whichever use case creates a lead or deal, or changes its name or company, the row passes
through the session: an `after_flush` listener (new rows have their ids by then) writes the
words they are found by into `search_terms`, so a search is an index range on every backend.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, event, insert, inspect
from sqlalchemy.orm import InstanceState, Session

from bpmn_sales.domain.search import terms
from bpmn_sales.persistence.models import Deal, Lead, SearchTerm

# The columns each subject is found by.
SEARCHED = {Deal: ("name", "customer"), Lead: ("name", "company")}


def subject_terms(kind: str, subject_id: int, *texts: str | None) -> list[dict[str, Any]]:
    """The rows of `search_terms` for one record."""
    return [{"subject_type": kind, "term": t, "subject_id": subject_id} for t in terms(*texts)]


def _changed(record: Deal | Lead, columns: tuple[str, ...]) -> bool:
    state: InstanceState[Any] = inspect(record)
    return any(state.attrs[name].history.has_changes() for name in columns)


@event.listens_for(Session, "after_flush")
def _index_names(session: Session, _context: object) -> None:
    rows: list[dict[str, Any]] = []
    stale: dict[str, list[int]] = {"deal": [], "lead": []}
    for record in (*session.new, *session.dirty):
        if not isinstance(record, Deal | Lead):
            continue
        columns = SEARCHED[type(record)]
        kind = "deal" if isinstance(record, Deal) else "lead"
        if record in session.new:
            pass
        elif _changed(record, columns):
            stale[kind].append(record.id)
        else:
            continue
        rows += subject_terms(kind, record.id, *(getattr(record, c) for c in columns))
    connection = session.connection()
    for kind, ids in stale.items():
        if ids:
            connection.execute(
                delete(SearchTerm).where(
                    SearchTerm.subject_type == kind, SearchTerm.subject_id.in_(ids)
                )
            )
    if rows:
        connection.execute(insert(SearchTerm), rows)
