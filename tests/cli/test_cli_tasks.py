"""`bpmn-sales task claim` and `task form`: group tasks and JSON Schema task forms by shell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.cli_checks import DEMO, Cli, CliOn, Run, assert_error, ok_json

COMPLETION = Path(__file__).resolve().parents[1] / "data" / "rules" / "completion.bpmn"


@pytest.fixture
def ready(cli_on: CliOn) -> Cli:
    """The demo, the `completion` rules diagram, sara in presales and finance; as admin."""
    setup = (*DEMO, ("deploy", str(COMPLETION)), ("user", "groups", "sara", "presales", "finance"))
    return cli_on(*setup, user="admin")


def finance_task(run: Run) -> str:
    created = run(
        "deal", "create", "--name", "Checks", "--process", "completion", "--json", user="rob"
    )
    deal = ok_json(created)
    [task] = [t for t in deal["tasks"] if t["title"] == "Finance check"]
    assert (task["assignee"], task["group"]) == ("group:finance", "finance")
    return str(task["task_id"])


def test_claim_a_group_task(ready: Run) -> None:
    task_id = finance_task(ready)
    assert_error(
        ready("task", "claim", task_id, user="rob"), "rob is not a member of group finance"
    )
    claimed = ready("task", "claim", task_id, user="sara")
    assert claimed.exit_code == 0, claimed.output
    assert claimed.stdout.startswith(f"claimed {task_id}  Finance check")
    assert_error(ready("task", "claim", task_id, user="sara"), "already claimed by you")
    listed = ok_json(ready("task", "list", "--json", user="sara"))
    assert [t["assignee"] for t in listed if t["task_id"] == task_id] == ["sara"]
    assert_error(ready("task", "claim", "nope", user="sara"), "'nope' is not a ready task")


def test_task_form_and_a_refused_completion(ready: Run) -> None:
    tasks = ok_json(ready("task", "list", "--json", user="rob"))
    [review] = [t for t in tasks if t["title"] == "Review lead"]
    shown = ok_json(ready("task", "form", review["task_id"], "--json", user="rob"))
    assert shown["schema"]["required"] == ["decision"]
    assert shown["ui_schema"]["decision"] == {"ui:widget": "radio"}
    text = ready("task", "form", review["task_id"], user="rob")
    assert '"disqualify_reason"' in text.stdout
    data = json.dumps({"decision": "disqualify"})
    refused = ready("task", "complete", review["task_id"], "--data", data, user="rob")
    assert_error(
        refused, "Reason is required (field 'disqualify_reason' of the 'Review lead' form)"
    )
