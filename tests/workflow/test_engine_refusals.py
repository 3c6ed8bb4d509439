"""What an instance refuses: messages it is not waiting for, tasks that are not ready."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from bpmn_sales.errors import InvalidState, NotFound

pytestmark = pytest.mark.parametrize("roundtrip", [False, True], ids=["straight", "roundtrip"])

StartRun = Callable[..., Any]
LEAD = "lead_qualification"
DEAL = "sales_process"
LEAD_DATA = {"lead": {"name": "Ann Lee", "company": "Acme"}}
DEAL_DATA = {"deal": {"name": "Acme opportunity"}}


@pytest.mark.parametrize("message", ["lead_renewed", "deal_close", "no_such_message"])
def test_lead_in_review_refuses_messages(start: StartRun, roundtrip: bool, message: str) -> None:
    run = start(LEAD, LEAD_DATA, roundtrip)
    before = run.snap()
    with pytest.raises(InvalidState) as refused:
        run.send(message, {})
    assert message in refused.value.message
    assert refused.value.details["event"] == message
    assert run.snap() == before


def test_disqualified_lead_refuses_the_deal_message(start: StartRun, roundtrip: bool) -> None:
    run = start(LEAD, LEAD_DATA, roundtrip)
    run.complete("Review lead", {"decision": "disqualify", "disqualify_reason": "No"})
    with pytest.raises(InvalidState):
        run.send("deal_close", {"outcome": "won"})
    assert run.snap().waiting_messages == ["lead_renewed"]


def test_completed_instances_refuse_messages(start: StartRun, roundtrip: bool) -> None:
    lead = start(LEAD, LEAD_DATA, roundtrip)
    lead.complete("Review lead", {"decision": "qualify"})
    with pytest.raises(InvalidState):
        lead.send("lead_renewed", {})

    deal = start(DEAL, DEAL_DATA, roundtrip)
    deal.send("deal_close", {"outcome": "lost", "reason": "Other"})
    assert deal.snap().completed
    with pytest.raises(InvalidState):
        deal.send("deal_close", {"outcome": "won"})
    assert deal.snap().end_event == "Event_DealLost"


def test_a_won_deal_refuses_another_close(start: StartRun, roundtrip: bool) -> None:
    """Won leads into the post-sale stages: the process runs on but no longer takes a close."""
    deal = start(DEAL, DEAL_DATA, roundtrip)
    deal.send("deal_close", {"outcome": "won"})
    before = deal.snap()
    assert not before.completed
    assert deal.ready_titles() == ["Install the solution"]
    with pytest.raises(InvalidState) as refused:
        deal.send("deal_close", {"outcome": "lost", "reason": "Other"})
    assert refused.value.details["event"] == "deal_close"
    assert deal.snap() == before
    assert deal.snap().outcome_event == "Event_DealWon"


def test_a_completed_task_cannot_be_completed_again(start: StartRun, roundtrip: bool) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    task_id = run.item("Meet the customer").task_id
    run.complete_id(task_id, {"note": "first"})
    before = run.snap()

    with pytest.raises(InvalidState, match="completed") as refused:
        run.complete_id(task_id, {"note": "second"})
    assert refused.value.details["task_id"] == task_id
    assert "Meet the customer" in refused.value.message
    assert run.snap() == before
    assert run.ready_titles() == ["Identify decision makers"]


def test_a_finished_lead_task_cannot_be_completed(start: StartRun, roundtrip: bool) -> None:
    run = start(LEAD, LEAD_DATA, roundtrip)
    task_id = run.item("Review lead").task_id
    run.complete_id(task_id, {"decision": "qualify"})
    with pytest.raises(InvalidState):
        run.complete_id(task_id, {"decision": "disqualify", "disqualify_reason": "x"})
    assert run.snap().state_properties == {"lead_status": "qualified"}


def test_a_non_manual_task_cannot_be_completed(start: StartRun, roundtrip: bool) -> None:
    """Engine tasks (the start event, gateways) have ids too, but are not work items."""
    run = start(LEAD, LEAD_DATA, roundtrip)
    root_id = str(run.instance.workflow.task_tree.id)
    with pytest.raises(InvalidState):
        run.complete_id(root_id, {})
    assert run.ready_titles() == ["Review lead"]


@pytest.mark.parametrize(
    "task_id",
    [
        str(uuid.UUID(int=0)),
        "5f0c6a52-9d43-4c1e-8f7e-0d6f3b1c2a99",
        "not-a-uuid",
        "",
        "1; DROP TABLE tasks",
    ],
)
def test_unknown_or_malformed_task_ids_are_not_found(
    start: StartRun, roundtrip: bool, task_id: str
) -> None:
    run = start(LEAD, LEAD_DATA, roundtrip)
    before = run.snap()
    with pytest.raises(NotFound) as refused:
        run.complete_id(task_id, {"decision": "qualify"})
    assert refused.value.details["task_id"] == task_id
    assert run.snap() == before
