"""Store.batched on SQLite and PostgreSQL: the history entries, tasks and timers of new records
are kept while it is open and written when it closes, one statement per table; an error inside
writes none of them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bpmn_sales.context import Context
from bpmn_sales.persistence.models import Timer
from tests.integration.conftest import Flow
from tests.statements import Statements
from tests.team import Team

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def timers(count: int) -> list[Timer]:
    return [
        Timer(
            task_id=f"00000000-0000-0000-0000-{n:012d}",
            subject_type="lead",
            subject_id=900 + n,
            element_id="Timer_Remind",
            name="Remind",
            due_at=AT,
            created_at=AT,
        )
        for n in range(count)
    ]


def test_new_records_rows_are_written_together_when_the_batch_closes(
    ctx: Context, team: Team, flow: Flow
) -> None:
    with ctx.uow() as store, Statements(ctx.db).counting() as seen:
        with store.batched():
            for n, timer in enumerate(timers(6)):
                store.replace_timers("lead", timer.subject_id, [timer], frozenset())
                store.record("lead", 900 + n, AT, team.admin.id, "created", to_status="new")
            assert seen.count == 0  # nothing written yet
        assert [s.split()[2] for s in seen.sql] == ["timers", "history"]
        store.commit()
    assert flow.count("timers", name="Remind") == 6
    assert flow.count("history", action="created", subject_type="lead") == 6


def test_an_error_inside_the_batch_writes_nothing_of_it(
    ctx: Context, team: Team, flow: Flow
) -> None:
    with ctx.uow() as store:
        with pytest.raises(ZeroDivisionError), store.batched():
            store.record("lead", 901, AT, team.admin.id, "created", to_status="new")
            store.replace_timers("lead", 901, timers(1), frozenset())
            _ = 1 / 0
        assert store.pending is None
        store.commit()
    assert flow.count("history", subject_id=901) == 0 and flow.count("timers") == 0
