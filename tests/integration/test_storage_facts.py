"""How processes and instances are stored: specs once per version, state without the spec."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import text

from bpmn_sales.context import BUNDLED_DIAGRAMS, Context
from bpmn_sales.errors import Forbidden
from bpmn_sales.persistence.models import Deal
from bpmn_sales.services import common, deals, leads, processes, worklist
from tests.helpers import FORMS, solution_design, walk_to

SALES = BUNDLED_DIAGRAMS / "sales_process.bpmn"


def sales_version_count(flow: Any) -> int:
    return int(
        flow.scalar(
            "SELECT count(*) FROM process_versions pv JOIN processes p ON p.id = pv.process_id "
            "WHERE p.key = 'sales_process'"
        )
    )


def test_deploying_the_same_diagram_keeps_version_1(ctx: Context, team: Any, flow: Any) -> None:
    assert flow.count("process_versions") == 4
    results = processes.deploy_process(ctx, team.admin, processes.collect_files([SALES]))
    assert [(r.key, r.version, r.created) for r in results] == [("sales_process", 1, False)]
    again = processes.deploy_bundled(ctx)
    assert sorted((r.key, r.version, r.created) for r in again) == [
        ("lead_qualification", 1, False),
        ("openfire_pipeline", 1, False),
        ("sales_process", 1, False),
        ("zh_key_account", 1, False),
    ]
    assert flow.count("process_versions") == 4
    assert flow.count("processes") == 4
    assert processes.get_process(ctx, "sales_process").versions == 1


def test_changed_diagram_becomes_v2_and_old_deals_stay_on_v1(
    ctx: Context, team: Any, flow: Any
) -> None:
    old = deals.create_deal(ctx, team.rob, "Old deal", value="100")
    flow.complete_stage(old.id)
    old_pv = flow.scalar("SELECT process_version_id FROM deals WHERE id = :i", i=old.id)

    xml = SALES.read_text(encoding="utf-8")
    assert xml.count('name="Analyse needs"') == 1
    changed = xml.replace('name="Analyse needs"', 'name="Analyse the needs"')
    results = processes.deploy_process(ctx, team.admin, {SALES.name: changed.encode(), **FORMS})
    assert [(r.key, r.version, r.created) for r in results] == [("sales_process", 2, True)]
    assert sales_version_count(flow) == 2
    view = processes.get_process(ctx, "sales_process")
    assert (view.version, view.versions) == (2, 2)
    # deploying the changed diagram again keeps v2
    again = processes.deploy_process(ctx, team.admin, {SALES.name: changed.encode(), **FORMS})
    assert [(r.version, r.created) for r in again] == [(2, False)]

    # the old deal is still on v1 and keeps working with v1's labels
    still = deals.get_deal(ctx, team.rob, old.id)
    assert still.process == "sales_process v1"
    assert flow.scalar("SELECT process_version_id FROM deals WHERE id = :i", i=old.id) == old_pv
    assert sorted(t.title for t in still.tasks) == ["Analyse needs", "Qualify budget"]
    flow.ready_to_win(old.id)
    assert deals.close_deal(ctx, team.rob, old.id, "won").status == "won"
    assert deals.get_deal(ctx, team.rob, old.id).process == "sales_process v1"

    # a new deal runs v2
    new = deals.create_deal(ctx, team.rob, "New deal")
    assert new.process == "sales_process v2"
    assert flow.scalar("SELECT process_version_id FROM deals WHERE id = :i", i=new.id) != old_pv
    needs = flow.complete_stage(new.id)
    assert sorted(t.title for t in needs.tasks) == ["Analyse the needs", "Qualify budget"]
    # v1 and v2 are both in use
    assert processes.get_process(ctx, "sales_process").in_use == 2


def test_only_admin_may_deploy(ctx: Context, team: Any, flow: Any) -> None:
    xml = SALES.read_text(encoding="utf-8")
    assert "Qualify budget" in xml
    xml = xml.replace("Qualify budget", "Check the budget")
    for who in (team.mia, team.rob, team.olga):
        with pytest.raises(Forbidden):
            processes.deploy_process(ctx, who, {SALES.name: xml.encode(), **FORMS})
    assert sales_version_count(flow) == 1
    assert (
        processes.deploy_process(ctx, team.admin, {SALES.name: xml.encode(), **FORMS})[0].version
        == 2
    )


def test_deal_state_does_not_contain_the_spec(ctx: Context, team: Any, flow: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Small state", value="1")
    spec = flow.scalar(
        "SELECT pv.spec_json FROM process_versions pv JOIN deals d "
        "ON d.process_version_id = pv.id WHERE d.id = :i",
        i=deal.id,
    )
    state = flow.scalar(
        "SELECT state FROM instance_snapshots WHERE subject_type = 'deal' AND subject_id = :i",
        i=deal.id,
    )
    assert state.startswith("{")
    # the state is the task tree only (~55% of the spec's size for a fresh deal)
    assert len(state) < len(spec), (len(state), len(spec))
    # things only the spec carries
    assert "Lost to a competitor" in spec
    assert "Lost to a competitor" not in state
    assert "task_specs" in spec
    assert "task_specs" not in state
    # the lead's state neither
    lead = leads.create_lead(ctx, team.rob, "Lead")
    lead_state = flow.scalar(
        "SELECT state FROM instance_snapshots WHERE subject_type = 'lead' AND subject_id = :i",
        i=lead.id,
    )
    lead_spec = flow.scalar(
        "SELECT pv.spec_json FROM process_versions pv JOIN leads l "
        "ON l.process_version_id = pv.id WHERE l.id = :i",
        i=lead.id,
    )
    assert "task_specs" not in lead_state
    assert len(lead_state) < len(lead_spec)


def test_work_items_match_ready_tasks(ctx: Context, team: Any, flow: Any) -> None:
    deal = deals.create_deal(ctx, team.sara, "Projection", "Initech", "1")
    lead = leads.create_lead(ctx, team.sara, "Lead")

    def stored(kind: str, subject_id: int) -> set[tuple[Any, ...]]:
        with ctx.db.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT task_id, element_id, title, lane, role, stage_key, owner_id "
                    "FROM work_items WHERE subject_type = :k AND subject_id = :i"
                ),
                {"k": kind, "i": subject_id},
            ).all()
        return {tuple(r) for r in rows}

    def ready() -> set[tuple[Any, ...]]:
        with ctx.uow() as store:
            row = store.get(Deal, deal.id, "deal")
            items = common.restore(ctx, store, row).snapshot().ready
            owner = row.owner_id
        return {
            (
                i.task_id,
                i.element_id,
                i.title,
                i.lane,
                i.role,
                i.stage.key if i.stage else None,
                owner,
            )
            for i in items
        }

    # two rep activities of the initial visit
    expected = ready()
    assert stored("deal", deal.id) == expected
    assert {(e[1], e[3], e[4], e[5]) for e in expected} == {
        ("Activity_MeetCustomer", "Sales rep", "rep", "initial_visit"),
        ("Activity_IdentifyDecisionMakers", "Sales rep", "rep", "initial_visit"),
    }
    # later, the manager's approval of the solution design
    walk_to(ctx, team.sara, team.mia, deal.id, "solution_design")
    solution_design(ctx, team.sara, deal.id)
    expected = ready()
    assert stored("deal", deal.id) == expected
    assert {(e[1], e[3], e[4], e[5]) for e in expected} == {
        ("Activity_ApproveSolution", "Sales rep", "manager", "solution_design"),
    }
    # a task only one person may complete is assigned to them
    assignee = flow.scalar(
        "SELECT assignee_id FROM work_items WHERE subject_type = 'deal' AND subject_id = :i",
        i=deal.id,
    )
    assert assignee == team.mia.id
    assert {(e[1], e[3], e[4], e[5]) for e in stored("lead", lead.id)} == {
        ("Activity_ReviewLead", "Sales rep", "rep", None)
    }
    # the task list reads the projection, with the role filter
    manager_tasks = worklist.list_tasks(ctx, team.mia, role="manager")
    assert [(t.title, t.subject_id) for t in manager_tasks] == [("Approve solution", deal.id)]

    # closing removes the projection; the lead's review goes when it is qualified
    deals.close_deal(ctx, team.sara, deal.id, "lost", "Other")
    assert stored("deal", deal.id) == set()
    leads.qualify_lead(ctx, team.sara, lead.id)
    assert stored("lead", lead.id) == set()


def test_sqlite_database_is_in_wal_mode(sqlite_ctx: Context) -> None:
    with sqlite_ctx.db.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    path = sqlite_ctx.database_url.removeprefix("sqlite:///")
    import sqlite3

    raw = sqlite3.connect(path)  # WAL is a property of the file, not only of our connections
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_each_completion_writes_the_deal_row_once(ctx: Context, team: Any) -> None:
    """A completion with a note that also leaves a stage bumps the deal's version by one."""
    from tests.helpers import complete, prepare_initial_visit

    deal = deals.create_deal(ctx, team.rob, "One write", "Acme", "100")
    prepare_initial_visit(ctx, team.rob, deal.id)
    versions = [deals.get_deal(ctx, team.rob, deal.id).version]
    complete(ctx, team.rob, deal.id, "Meet the customer")
    versions.append(deals.get_deal(ctx, team.rob, deal.id).version)
    complete(ctx, team.rob, deal.id, "Identify decision makers", note="Kim decides")
    after = deals.get_deal(ctx, team.rob, deal.id)
    versions.append(after.version)
    assert after.stage == "needs_analysis"
    assert [b - a for a, b in pairwise(versions)] == [1, 1]
