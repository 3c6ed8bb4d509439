"""Leaving a stage needs its required fields and contacts (tests/data/rules/requirements.bpmn)."""

from __future__ import annotations

import pytest

from bpmn_sales.errors import InvalidInput, RuleViolation
from tests.workflow.rules_helpers import ROUNDTRIP, Desk

pytestmark = ROUNDTRIP


def test_leaving_the_stage_needs_every_requirement(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create(desk.deploy("requirements"))
    assert (deal.stage, deal.stage_name) == ("visit", "Visit")
    task = desk.task(deal.id, "Visit the customer")
    before = desk.frozen(deal.id)

    with pytest.raises(RuleViolation) as refused:
        desk.do(rob, deal.id, "Visit the customer", note="Met the buyer")
    unmet = [
        "Visit: Industry is empty",
        "Visit: Budget is empty",
        "Visit: Visit date is empty",
        "Visit: the customer needs at least 2 contacts (has 0)",
    ]
    assert refused.value.message == (
        f"deal {deal.id} cannot leave stage 'Visit' for 'Offer': " + "; ".join(unmet)
    )
    assert refused.value.details == {"unmet": unmet}
    # Nothing half-written: the row, its state, the work items, history and notes are as before.
    assert desk.frozen(deal.id) == before
    assert desk.task(deal.id, "Visit the customer").task_id == task.task_id
    desk.assert_state_round_trips(deal.id)

    detail = desk.deal(deal.id).detail
    assert detail is not None
    assert detail["unmet_requirements"] == [u.removeprefix("Visit: ") for u in unmet]


def test_typed_fields_are_checked_on_update(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create(desk.deploy("requirements"))
    version = desk.deal(deal.id).version

    with pytest.raises(InvalidInput) as budget:
        desk.update(rob, deal.id, {"fields": {"budget": "a lot"}})
    assert budget.value.field == "deal_fields.budget"
    assert budget.value.message == "deal_fields.budget must be a number, not 'a lot'"

    with pytest.raises(InvalidInput) as visit_date:
        desk.update(rob, deal.id, {"stage_fields": {"visit": {"visit_date": "next Tuesday"}}})
    assert visit_date.value.field == "stage_fields.visit.visit_date"
    assert visit_date.value.message == (
        "stage_fields.visit.visit_date must be a date YYYY-MM-DD, not 'next Tuesday'"
    )
    assert desk.deal(deal.id).version == version


def test_stage_is_left_once_requirements_are_met(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create(desk.deploy("requirements"))
    desk.update(rob, deal.id, {"customer_fields": {"industry": "Retail"}})
    desk.update(rob, deal.id, {"fields": {"budget": "25000"}})
    view = desk.update(rob, deal.id, {"stage_fields": {"visit": {"visit_date": "2026-02-03"}}})
    assert view.fields == {"budget": 25000}
    assert view.stage_fields == {"visit": {"visit_date": "2026-02-03"}}
    desk.contact(rob, deal.id, "Pat Buyer", "pat@acme.example")

    with pytest.raises(RuleViolation) as one_contact:
        desk.do(rob, deal.id, "Visit the customer")
    assert one_contact.value.details == {
        "unmet": ["Visit: the customer needs at least 2 contacts (has 1)"]
    }

    desk.contact(rob, deal.id, "Kim Boss")
    desk.do(rob, deal.id, "Visit the customer")
    view = desk.deal(deal.id)
    assert (view.stage, view.status) == ("offer", "open")
    assert desk.titles(deal.id) == ["Send the offer"]
    desk.assert_state_round_trips(deal.id)
