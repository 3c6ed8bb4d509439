"""The task lookup's entities, read by Core into the session, are what the ORM would load.

`Store.work_item_with_subject` (the first statement of completing a task) runs its SELECT
through Core and makes the work item, the deal or lead and its owner persistent in the session
(persistence/attached.py). On both databases they must hold the values an ORM query loads,
be the session's own objects (identity map, flushes, lazy relationships), and a session that
already holds objects must get the ORM's own answer.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.orm.attributes import instance_state

from bpmn_sales.context import Context
from bpmn_sales.persistence.models import Deal, Lead, User, WorkItem
from bpmn_sales.persistence.queries.worklist import WITH_SUBJECT
from bpmn_sales.services import deals, leads, processes
from tests.statements import Statements

RATED = Path(__file__).resolve().parents[1] / "data" / "rules" / "rated.bpmn"


def loaded(obj: Any) -> dict[str, Any]:
    """The column values an object holds, by attribute."""
    return {key: value for key, value in instance_state(obj).dict.items() if key[0] != "_"}


def orm_row(ctx: Context, statement_index: int, task_id: str) -> tuple[Any, ...]:
    with ctx.uow() as store:
        row = store.session.execute(
            WITH_SUBJECT[statement_index].orm_statement, {"task_id": task_id}
        ).one()
        return (*(loaded(obj) for obj in row[:3]), row[3])


def deal_task(ctx: Context, team: Any) -> tuple[int, str]:
    processes.deploy_process(ctx, team.admin, {RATED.name: RATED.read_bytes()})
    deal = deals.create_deal(ctx, team.rob, "Attached", "Acme", "1234.50", process="rated")
    return deal.id, deals.get_deal(ctx, team.rob, deal.id).tasks[0].task_id


def test_the_lookup_loads_what_the_orm_loads(ctx: Context, team: Any) -> None:
    deal_id, task_id = deal_task(ctx, team)
    lead = leads.create_lead(ctx, team.rob, "Lead", "Acme")
    lead_task = leads.get_lead(ctx, team.rob, lead.id).tasks[0].task_id
    for index, task, model in ((0, task_id, Deal), (1, lead_task, Lead)):
        expected = orm_row(ctx, index, task)
        with ctx.uow() as store:
            item, subject, owner = store.work_item_with_subject(task) or ((),) * 3
            assert isinstance(item, WorkItem) and isinstance(subject, model)
            assert isinstance(owner, User)
            assert (loaded(item), loaded(subject), loaded(owner)) == expected[:3]
            # Every column, as the ORM loads a deal or lead (the instance's snapshot is a row
            # of instance_snapshots, not one of them).
            columns = {a.key for a in inspect(model).column_attrs}
            assert set(loaded(subject)) == columns and "state" not in columns
    with ctx.uow() as store:
        found = store.work_item_with_subject(task_id)
        assert found is not None and found[1].value == Decimal("1234.50") and found[1].id == deal_id


def test_the_entities_are_the_sessions_own(ctx: Context, team: Any) -> None:
    deal_id, task_id = deal_task(ctx, team)
    counter = Statements(ctx.db)
    with ctx.uow() as store:
        with counter.counting():
            found = store.work_item_with_subject(task_id)
            assert found is not None
            item, deal, owner = found
            # In the identity map: no statement to get them again, the same objects.
            assert store.session.get(Deal, deal_id) is deal
            assert store.session.get(User, owner.id) is owner
            assert store.session.get(WorkItem, task_id) is item
        assert counter.count == 1, counter.summary()
        # An expired attribute loads when read, with a statement of its own.
        store.session.expire(deal, ["name"])
        with counter.counting():
            assert deal.name == "Attached"
        assert counter.count == 1, counter.summary()
        for obj in (item, deal, owner):
            state = inspect(obj)
            assert state.persistent and not state.modified and state.session is store.session
        # A relationship loads lazily; a change flushes as an UPDATE of the row.
        assert [g.id for g in owner.groups] == sorted(g.id for g in owner.groups)
        deal.name = "Renamed"
        assert deal in store.session.dirty
        store.flush()
        name = store.session.connection().execute(
            text("SELECT name FROM deals WHERE id = :id"), {"id": deal_id}
        )
        assert name.scalar_one() == "Renamed"
        store.commit()
    assert deals.get_deal(ctx, team.rob, deal_id).name == "Renamed"


def test_a_session_holding_objects_gets_the_orms_answer(ctx: Context, team: Any) -> None:
    """A deal the session already holds, changed and not yet flushed, is the one returned (the
    ORM's identity map wins over the row), as an ORM query returns it."""
    deal_id, task_id = deal_task(ctx, team)
    with ctx.uow() as store:
        deal = store.session.get(Deal, deal_id)
        assert deal is not None
        deal.name = "Pending"
        found = store.work_item_with_subject(task_id)
        assert found is not None and found[1] is deal and found[1].name == "Pending"
        # The ORM flushed the change before its query (autoflush), as it always has.
        assert store.session.scalar(select(Deal.name).where(Deal.id == deal_id)) == "Pending"
    with ctx.uow() as store:
        assert store.work_item_with_subject("no-such-task") is None
