"""Moving running deals of the B2B process to new versions: stages added, removed, renamed and
reordered; activities added, removed, renamed and retyped; a new required field. Deals are
parked at every stage and at several tasks within a stage; what they do afterwards is checked
from their stored state (a restore from the database)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bpmn_sales.context import Context
from bpmn_sales.errors import Forbidden, InvalidInput, NotFound
from bpmn_sales.services import deals
from bpmn_sales.services.processes import migration
from tests import helpers
from tests import migration_edits as edits
from tests.databases import Copy, Templates, initialise
from tests.fakes import FakeClock
from tests.migration_parking import (
    CLOSED,
    OPEN,
    fresh,
    migrated_entries,
    park,
    ready_titles,
    row,
    timers,
    version_of,
)
from tests.team import Team, make_team, team_of


# Parking takes seconds: the team and the parked deals are built once per session on each
# backend, and a test that asks for `parked` gets a copy (its `ctx` and `team` are on it).
@dataclass(frozen=True)
class Parked:
    tokens: dict[str, str]  # the team's API tokens
    deals: dict[str, int]  # the parked deals' ids by name (OPEN, CLOSED)


def initialise_and_park(ctx: Context) -> Parked:
    initialise(ctx)
    team = make_team(ctx)
    return Parked(team.tokens, park(ctx, team))


@pytest.fixture
def start(
    request: pytest.FixtureRequest, database_url: str, clock: FakeClock, templates: Templates
) -> Iterator[Copy]:
    """The bundled diagrams (the root `ctx`); with the team and the parked deals for a test
    that asks for `parked`."""
    if "parked" in request.fixturenames:
        copy = templates.open(database_url, "parked", initialise_and_park, clock)
    else:
        copy = templates.open(database_url, "bundled", initialise, clock)
    yield copy
    copy.context.close()


@pytest.fixture
def ctx(start: Copy) -> Context:
    return start.context


@pytest.fixture
def team(start: Copy) -> Team:
    if isinstance(start.made, Parked):
        return team_of(start.context, start.made.tokens)
    return make_team(start.context)


@pytest.fixture
def parked(start: Copy) -> dict[str, int]:
    assert isinstance(start.made, Parked)
    return start.made.deals


def rows_by_name(preview: Any) -> dict[str, Any]:
    return {r.name: r for r in preview.rows}


def test_an_added_stage_moves_every_open_deal_and_comes_next(
    ctx: Context, team: Any, parked: dict[str, int]
) -> None:
    admin, rob = team.admin, team.rob
    before = {name: row(ctx, parked[name]) for name in (*OPEN, *CLOSED)}
    iv_timers = timers(ctx, parked["iv"])
    assert edits.deploy(ctx, edits.add_site_survey(edits.sales_xml())) == 2
    shown = migration.preview(ctx, admin, "sales_process")
    assert (shown.to_version, shown.from_version, shown.closed) == (2, None, len(CLOSED))
    plans = rows_by_name(shown)
    assert sorted(plans) == sorted(OPEN) and all(r.movable for r in shown.rows)
    assert plans["iv_met"].tasks == plans["iv_met"].to_tasks == ["Identify decision makers"]
    assert plans["sd_approval"].to_tasks == ["Approve solution"]
    assert (plans["await"].to_stage, plans["await"].to_tasks) == ("quote_and_bid", [])
    assert row(ctx, parked["iv"]) == before["iv"]  # a preview saves nothing

    result = migration.apply_all(ctx, admin, "sales_process", batch=3)
    assert (result.moved, result.refused, result.remaining, result.finished) == (8, 0, 0, True)
    for name in OPEN:
        deal_id = parked[name]
        assert version_of(ctx, deal_id) == 2
        view = fresh(ctx, admin, deal_id)
        assert view.version == before[name]["version"] + 1
        # What the preview said is where it is.
        assert view.stage == plans[name].to_stage
        assert ready_titles(ctx, admin, deal_id) == sorted(plans[name].to_tasks)
        (entry,) = migrated_entries(ctx, deal_id)
        assert entry["run"] == result.run_id
        assert (entry["from_version"], entry["to_version"]) == (1, 2)
        assert entry["stage_before"] == entry["stage_after"] == plans[name].stage
        assert entry["tasks_after"] == plans[name].to_tasks
    for name in CLOSED:
        assert row(ctx, parked[name]) == before[name]
    assert timers(ctx, parked["iv"]) == iv_timers  # reminders keep their due time

    # The new stage is next for a deal still before it, with the new version's win rate.
    after = helpers.initial_visit(ctx, rob, parked["iv"])
    assert (after.stage, after.probability) == ("site_survey", 20)
    assert ready_titles(ctx, rob, parked["iv"]) == ["Survey the site"]
    helpers.complete(ctx, rob, parked["iv"], "Survey the site")
    assert fresh(ctx, rob, parked["iv"]).stage == "needs_analysis"
    # A deal past it goes on as before, to the win.
    won = helpers.walk_to_won(ctx, rob, team.mia, parked["na"])
    assert won.status == "won"


def test_a_removed_stage_refuses_the_deals_in_it_and_moves_the_rest(
    ctx: Context, team: Any, parked: dict[str, int]
) -> None:
    admin, rob = team.admin, team.rob
    edits.deploy(ctx, edits.remove_stage(edits.sales_xml(), "needs_analysis"))
    plans = rows_by_name(migration.preview(ctx, admin, "sales_process"))
    gone = "its stage 'Needs analysis' is not in version 2"
    assert plans["na"].reasons == plans["na_budget"].reasons == [gone]
    assert not plans["na"].movable and plans["sd"].movable and plans["await"].movable
    untouched = {name: row(ctx, parked[name]) for name in ("na", "na_budget")}

    result = migration.apply_all(ctx, admin, "sales_process")
    assert (result.moved, result.refused, result.remaining) == (6, 2, 0)
    refused = {r.deal_id: r.reasons for r in result.refused_deals}
    assert refused == {parked["na"]: [gone], parked["na_budget"]: [gone]}
    for name in ("na", "na_budget"):
        assert row(ctx, parked[name]) == untouched[name]
        assert migrated_entries(ctx, parked[name]) == []
    # Past the removed stage: its history folds away and the deal goes on.
    assert fresh(ctx, rob, parked["sd"]).stage == "solution_design"
    assert helpers.walk_to_won(ctx, rob, team.mia, parked["sd"]).status == "won"
    # Before it: the next stage is now the one after it.
    assert helpers.initial_visit(ctx, rob, parked["iv"]).stage == "solution_design"
    # The refused deal still works on its own version.
    assert helpers.needs_analysis(ctx, rob, parked["na"]).stage == "solution_design"
    assert version_of(ctx, parked["na"]) == 1


def test_renamed_then_reordered_stages(ctx: Context, team: Any, parked: dict[str, int]) -> None:
    admin, rob, mia = team.admin, team.rob, team.mia
    renamed = edits.rename(edits.sales_xml(), "Stage_NeedsAnalysis", "Needs discovery")
    edits.deploy(ctx, renamed)
    plans = rows_by_name(migration.preview(ctx, admin, "sales_process"))
    assert (plans["na"].stage_name, plans["na"].to_stage_name) == (
        "Needs analysis",
        "Needs discovery",
    )
    assert migration.apply_all(ctx, admin, "sales_process").moved == len(OPEN)
    assert fresh(ctx, rob, parked["na"]).stage_name == "Needs discovery"

    # Version 3 runs solution design before needs analysis.
    edits.deploy(ctx, edits.swap_stages(renamed, "needs_analysis", "solution_design"))
    result = migration.apply_all(ctx, admin, "sales_process", from_version=2, to_version=3)
    assert (result.moved, result.refused, result.from_version) == (len(OPEN), 0, 2)
    assert helpers.initial_visit(ctx, rob, parked["iv"]).stage == "solution_design"
    helpers.solution_design(ctx, rob, parked["sd"])
    assert helpers.approve(ctx, mia, parked["sd"]).stage == "needs_analysis"
    assert helpers.needs_analysis(ctx, rob, parked["na"]).stage == "quote_and_bid"
    assert [len(migrated_entries(ctx, parked[n])) for n in OPEN] == [2] * len(OPEN)


def test_activities_removed_then_added_and_renamed(
    ctx: Context, team: Any, parked: dict[str, int]
) -> None:
    admin, rob = team.admin, team.rob
    original = edits.sales_xml()
    edits.deploy(ctx, edits.remove_activity(original, "Activity_QualifyBudget"))
    added = edits.add_activity(
        original, "Activity_AnalyseNeeds", "Activity_CheckCredit", "Check credit"
    )
    edits.deploy(ctx, edits.rename(added, "Activity_SendQuote", "Send the quote"))

    to_two = migration.apply_all(ctx, admin, "sales_process", from_version=1, to_version=2)
    waits = "it waits at 'Qualify budget' (stage 'Needs analysis'), which version 2 removes"
    assert [(r.deal_id, r.reasons) for r in to_two.refused_deals] == [(parked["na"], [waits])]
    assert ready_titles(ctx, rob, parked["na_budget"]) == ["Analyse needs"]

    # Version 3 has Qualify budget again, and Check credit beside Analyse needs.
    plans = rows_by_name(migration.preview(ctx, admin, "sales_process"))
    assert {r.from_version for r in plans.values()} == {1, 2}
    assert plans["na"].to_tasks == ["Analyse needs", "Qualify budget", "Check credit"]
    # Version 2 folded its Qualify budget away; coming back in version 3, it is to do again.
    assert sorted(plans["na_budget"].to_tasks) == [
        "Analyse needs",
        "Check credit",
        "Qualify budget",
    ]
    assert plans["qb"].to_tasks == ["Send the quote", "Negotiate terms"]
    assert plans["sd"].to_tasks == ["Design solution", "Present solution"]  # passed: no new task
    result = migration.apply_all(ctx, admin, "sales_process")
    assert (result.moved, result.refused, result.to_version) == (len(OPEN), 0, 3)
    assert len(migrated_entries(ctx, parked["na"])) == 1
    assert len(migrated_entries(ctx, parked["na_budget"])) == 2
    helpers.prepare_needs_analysis(ctx, rob, parked["na_budget"])
    helpers.complete(ctx, rob, parked["na_budget"], "Analyse needs")
    assert fresh(ctx, rob, parked["na_budget"]).stage == "needs_analysis"
    helpers.complete(ctx, rob, parked["na_budget"], "Check credit")
    helpers.complete(ctx, rob, parked["na_budget"], "Qualify budget")
    assert fresh(ctx, rob, parked["na_budget"]).stage == "solution_design"
    helpers.complete(ctx, rob, parked["qb"], "Send the quote")
    assert ready_titles(ctx, rob, parked["qb"]) == ["Negotiate terms"]


def test_a_new_required_field_refuses_naming_it(
    ctx: Context, team: Any, parked: dict[str, int]
) -> None:
    admin, rob = team.admin, team.rob
    xml = edits.set_property(
        edits.sales_xml(),
        "Stage_NeedsAnalysis",
        "stage_required_fields",
        "deal.budget:number; deal.expected_close_date; deal.region",
    )
    edits.deploy(ctx, xml)
    plans = rows_by_name(migration.preview(ctx, admin, "sales_process"))
    missing = "Needs analysis: Region is empty (version 2 requires it)"
    for name in ("na", "na_budget", "sd", "sd_approval", "qb", "await"):
        assert plans[name].reasons == [missing], name
    assert plans["iv"].movable and plans["iv_met"].movable
    first = migration.apply_all(ctx, admin, "sales_process")
    assert (first.moved, first.refused) == (2, 6)
    # Filled in, the deal moves on a new run.
    deals.update_deal(ctx, rob, parked["na"], {"fields": {"region": "North"}})
    second = migration.apply_all(ctx, admin, "sales_process")
    assert (second.moved, second.refused, second.run_id) == (1, 5, first.run_id + 1)
    assert version_of(ctx, parked["na"]) == 2


def test_a_task_that_changed_kind_is_refused(
    ctx: Context, team: Any, parked: dict[str, int]
) -> None:
    edits.deploy(ctx, edits.retype(edits.sales_xml(), "Activity_QualifyBudget", "manualTask"))
    plans = rows_by_name(migration.preview(ctx, team.admin, "sales_process"))
    assert plans["na"].reasons == [
        "'Qualify budget' is a user task in its version and a manual task in version 2"
    ]
    # Done already, the task is history: the deal moves.
    assert plans["na_budget"].movable and plans["qb"].movable


def test_rerun_after_an_interruption_moves_the_rest_once(
    ctx: Context, team: Any, parked: dict[str, int]
) -> None:
    admin = team.admin
    edits.deploy(ctx, edits.add_site_survey(edits.sales_xml()))
    first = migration.apply_batch(ctx, admin, "sales_process", limit=2)
    assert (first.moved, first.remaining, first.finished) == (2, len(OPEN) - 2, False)
    again = migration.apply_batch(ctx, admin, "sales_process", limit=3, run_id=first.run_id)
    assert (again.run_id, again.moved, again.remaining) == (first.run_id, 5, len(OPEN) - 5)
    # The run is given up; a new one finds the deals still on version 1.
    rest = migration.apply_all(ctx, admin, "sales_process")
    assert (rest.run_id, rest.moved, rest.remaining, rest.finished) == (
        first.run_id + 1,
        3,
        0,
        True,
    )
    assert [len(migrated_entries(ctx, parked[n])) for n in OPEN] == [1] * len(OPEN)
    assert migration.apply_all(ctx, admin, "sales_process").moved == 0
    history = migration.runs(ctx, admin, "sales_process")
    assert [(r.moved, r.remaining, r.finished_at is not None) for r in history] == [
        (0, 0, True),
        (3, 0, True),
        (5, 3, False),
    ]


def test_a_deal_changed_after_the_preview_is_planned_again(
    ctx: Context, team: Any, parked: dict[str, int]
) -> None:
    admin, rob = team.admin, team.rob
    edits.deploy(ctx, edits.remove_activity(edits.sales_xml(), "Activity_QualifyBudget"))
    plans = rows_by_name(migration.preview(ctx, admin, "sales_process"))
    assert not plans["na"].movable
    assert plans["iv"].to_tasks == ["Meet the customer", "Identify decision makers"]
    helpers.prepare_needs_analysis(ctx, rob, parked["na"])
    helpers.complete(ctx, rob, parked["na"], "Qualify budget")
    helpers.complete(ctx, rob, parked["iv"], "Meet the customer")
    result = migration.apply_all(ctx, admin, "sales_process")
    assert (result.moved, result.refused) == (len(OPEN), 0)
    (entry,) = migrated_entries(ctx, parked["iv"])
    assert entry["tasks_before"] == entry["tasks_after"] == ["Identify decision makers"]
    assert ready_titles(ctx, rob, parked["na"]) == ["Analyse needs"]


def test_who_may_migrate_and_what_is_asked(ctx: Context, team: Any) -> None:
    edits.deploy(ctx, edits.add_site_survey(edits.sales_xml()))
    with pytest.raises(Forbidden):
        migration.preview(ctx, team.rob, "sales_process")
    with pytest.raises(Forbidden):
        migration.apply_batch(ctx, team.mia, "sales_process")
    with pytest.raises(NotFound):
        migration.preview(ctx, team.admin, "nope")
    cases = [({"from_version": 2}, "from"), ({"to_version": 9}, "to"), ({"to_version": "x"}, "to")]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as caught:
            migration.preview(ctx, team.admin, "sales_process", **kwargs)
        assert caught.value.field == field
    with pytest.raises(InvalidInput) as caught:
        migration.apply_batch(ctx, team.admin, "sales_process", limit=0)
    assert caught.value.field == "batch"
    assert migration.preview(ctx, team.admin, "sales_process", to_version=1).rows == []
