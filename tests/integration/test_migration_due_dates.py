"""Migration 0021: ready tasks take the due time of the earliest timer their record waits for;
follow-ups gain their cancelled mark (both backends)."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from bpmn_sales.persistence.db import alembic_config, make_engine
from bpmn_sales.persistence.models import WorkItem
from tests.integration.test_migrations import AT, fill_0001

TIMER = (
    "INSERT INTO timers (task_id, subject_type, subject_id, element_id, name, due_at, created_at)"
    " VALUES (:task, :kind, :subject, 'Event_Reminder', 'Reminder after 7d', :due, :at)"
)


def test_upgrade_gives_ready_tasks_their_records_earliest_timer(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(engine)
    command.upgrade(config, "0001")
    fill_0001(engine)  # deal 1 with its ready task t-1
    command.upgrade(config, "0017")
    with engine.begin() as conn:
        for task, kind, subject, days in (
            ("x-1", "deal", 1, 10),
            ("x-2", "deal", 1, 7),
            ("x-3", "lead", 1, 1),  # a lead's timer, not the deal's
        ):
            conn.execute(
                text(TIMER),
                {
                    "task": task,
                    "kind": kind,
                    "subject": subject,
                    "due": AT + timedelta(days=days),
                    "at": AT,
                },
            )

    command.upgrade(config, "head")

    with Session(engine) as session:
        assert session.get_one(WorkItem, "t-1").due_at == AT + timedelta(days=7)
    with engine.connect() as conn:
        cancelled = "SELECT count(*) FROM follow_ups WHERE cancelled_at IS NOT NULL"
        assert conn.execute(text(cancelled)).scalar_one() == 0
    command.downgrade(config, "0017")
    assert "due_at" not in {c["name"] for c in inspect(engine).get_columns("work_items")}
    assert "cancelled_at" not in {c["name"] for c in inspect(engine).get_columns("follow_ups")}
    engine.dispose()
