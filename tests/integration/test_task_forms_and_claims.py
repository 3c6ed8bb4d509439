"""Task forms deployed with the diagrams and checked on completion; claiming group tasks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import DiagramError, Forbidden, InvalidInput, InvalidState
from bpmn_sales.services import deals, leads, processes, worklist
from bpmn_sales.services.people import users
from tests.helpers import BUNDLED, FORMS, ready_task, solution_design, walk_to

SALES = BUNDLED / "sales_process.bpmn"
COMPLETION = Path(__file__).resolve().parents[1] / "data" / "rules" / "completion.bpmn"


# -- deploying forms ----------------------------------------------------------------------------
def test_bundled_forms_are_deployed_with_their_diagrams(ctx: Context, team: Any) -> None:
    lead = leads.create_lead(ctx, team.rob, "Jane", "Northwind")
    found = worklist.task_form(ctx, team.rob, lead.tasks[0].task_id)
    assert found.schema is not None and found.ui_schema is not None
    assert found.schema["title"] == "Review lead"
    assert found.ui_schema["decision"] == {"ui:widget": "radio"}
    assert found.version == lead.version
    deal = deals.create_deal(ctx, team.rob, "No forms yet", "Acme", "10")
    meet = ready_task(ctx, team.rob, deal.id, "Meet the customer")
    assert worklist.task_form(ctx, team.rob, meet.task_id).schema is None


def test_a_changed_form_deploys_as_a_new_version(ctx: Context, team: Any) -> None:
    again = processes.deploy_process(ctx, team.admin, processes.collect_files([SALES]))
    assert [(r.version, r.created) for r in again] == [(1, False)]
    schema = json.loads(FORMS["negotiate-terms-schema.json"])
    schema["properties"]["discount_percent"]["maximum"] = 30
    changed = {**FORMS, "negotiate-terms-schema.json": json.dumps(schema).encode()}
    files = {SALES.name: SALES.read_bytes(), **changed}
    assert [r.version for r in processes.deploy_process(ctx, team.admin, files)] == [2]
    assert [r.created for r in processes.deploy_process(ctx, team.admin, files)] == [False]


@pytest.mark.parametrize(
    ("forms", "message"),
    [
        ({}, "form file 'approve-solution-schema.json' (formJsonSchemaFilename) is missing"),
        (
            {**FORMS, "approve-solution-schema.json": b"{not json"},
            "form file 'approve-solution-schema.json' (formJsonSchemaFilename) is not JSON",
        ),
        (
            {**FORMS, "approve-solution-schema.json": b'{"type": "object", "minLength": -1}'},
            "not a valid JSON Schema at minLength",
        ),
        (
            {**FORMS, "approve-solution-uischema.json": b"[1, 2]"},
            "a form UI schema must be a JSON object",
        ),
    ],
)
def test_a_bad_form_file_refuses_the_deploy(
    ctx: Context, team: Any, forms: dict[str, bytes], message: str
) -> None:
    with pytest.raises(DiagramError) as refused:
        processes.deploy_process(ctx, team.admin, {SALES.name: SALES.read_bytes(), **forms})
    assert (refused.value.file, refused.value.element_id) == (
        "sales_process.bpmn",
        "Activity_ApproveSolution",
    )
    assert message in refused.value.message
    assert processes.get_process(ctx, "sales_process").versions == 1


def test_collect_files_finds_forms_next_to_the_diagram(tmp_path: Path) -> None:
    copy = tmp_path / SALES.name
    copy.write_bytes(SALES.read_bytes())
    (tmp_path / "negotiate-terms-schema.json").write_bytes(FORMS["negotiate-terms-schema.json"])
    (tmp_path / "unrelated.json").write_text("{}")
    found = processes.collect_files([copy])
    assert sorted(found) == ["negotiate-terms-schema.json", "sales_process.bpmn"]
    by_path = processes.collect_files([copy], by_path=True)
    assert sorted(by_path) == sorted([str(copy), str(tmp_path / "negotiate-terms-schema.json")])


# -- completing with a form ---------------------------------------------------------------------
def errors_of(call: Any) -> tuple[str | None, Any]:
    with pytest.raises(InvalidInput) as refused:
        call()
    return refused.value.field, refused.value.details.get("errors")


def test_completion_data_is_checked_against_the_form(ctx: Context, team: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Formed", "Acme", "10")
    walk_to(ctx, team.rob, team.mia, deal.id, "solution_design")
    [approval] = solution_design(ctx, team.rob, deal.id).tasks
    complete = worklist.complete_task
    field, errors = errors_of(lambda: complete(ctx, team.mia, approval.task_id, {}))
    assert (field, errors) == ("data.decision", {"decision": "Decision is required"})
    field, errors = errors_of(
        lambda: complete(ctx, team.mia, approval.task_id, {"decision": "reject"})
    )
    assert (field, errors) == ("data.comment", {"comment": "Comment is required"})
    long = {"decision": "maybe", "comment": "x" * 2001}
    field, errors = errors_of(lambda: complete(ctx, team.mia, approval.task_id, long))
    assert field == "data.decision"
    assert set(errors) == {"decision", "comment"}
    assert deals.get_deal(ctx, team.rob, deal.id).stage == "solution_design"
    complete(ctx, team.mia, approval.task_id, {"decision": "approve"})
    terms = ready_task(ctx, team.rob, deal.id, "Negotiate terms")
    bad = {"discount_percent": 80, "payment_terms": "net_90"}
    field, errors = errors_of(lambda: complete(ctx, team.rob, terms.task_id, bad))
    assert field == "data.discount_percent"
    assert errors == {
        "discount_percent": "Discount (%) must be at most 50",
        "payment_terms": "Payment terms must be one of: prepaid, net_30, net_60",
    }
    good = {"discount_percent": 10, "payment_terms": "net_30", "terms_signed": True}
    assert complete(ctx, team.rob, terms.task_id, good).title == "Negotiate terms"


# -- claiming group tasks -----------------------------------------------------------------------
def finance_task(ctx: Context, team: Any) -> tuple[int, str]:
    processes.deploy_process(ctx, None, {COMPLETION.name: COMPLETION.read_bytes()})
    users.set_groups(ctx, team.admin, "sara", ["finance"])
    users.set_groups(ctx, team.admin, "olga", ["finance"])
    deal = deals.create_deal(ctx, team.rob, "Checks", "Acme", "10", process="completion")
    task = ready_task(ctx, team.rob, deal.id, "Finance check")
    assert (task.assignee, task.group) == ("group:finance", "finance")
    return deal.id, task.task_id


def assignee(ctx: Context, actor: Actor, task_id: str) -> str | None:
    return next(t.assignee for t in worklist.list_tasks(ctx, actor) if t.task_id == task_id)


@pytest.mark.parametrize("live", [True, False], ids=["live", "restored"])
def test_a_claim_survives_later_projections(ctx: Context, team: Any, live: bool) -> None:
    deal_id, task_id = finance_task(ctx, team)
    claimed = worklist.claim_task(ctx, team.sara, task_id)
    assert (claimed.assignee, claimed.group) == ("sara", "finance")
    if not live:
        ctx.live.clear()  # the next use case restores the instance: every row is re-projected
    worklist.complete_task(
        ctx, team.rob, ready_task(ctx, team.rob, deal_id, "Write report").task_id, note="Done"
    )
    assert assignee(ctx, team.sara, task_id) == "sara"
    assert assignee(ctx, team.olga, task_id) == "sara"
    history = deals.deal_history(ctx, team.rob, deal_id)
    assert (history[-2].action, history[-2].actor, history[-2].detail["group"]) == (
        "task_claimed",
        "sara",
        "finance",
    )


def test_claim_refusals(ctx: Context, team: Any) -> None:
    deal_id, task_id = finance_task(ctx, team)
    with pytest.raises(Forbidden, match="rob is not a member of group finance"):
        worklist.claim_task(ctx, team.rob, task_id)
    report = ready_task(ctx, team.rob, deal_id, "Write report").task_id
    with pytest.raises(InvalidState, match="is not a group task"):
        worklist.claim_task(ctx, team.rob, report)
    worklist.claim_task(ctx, team.olga, task_id)
    with pytest.raises(InvalidState, match="already claimed by olga"):
        worklist.claim_task(ctx, team.sara, task_id)
    with pytest.raises(InvalidState, match="already claimed by you"):
        worklist.claim_task(ctx, team.olga, task_id)
    # the claimer completes it like any member could
    assert worklist.complete_task(ctx, team.olga, task_id).title == "Finance check"
