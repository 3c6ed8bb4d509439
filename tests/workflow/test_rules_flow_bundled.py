"""The sales rules on the bundled processes: bpmn/sales_process.bpmn from the first stage to
delivered, and bpmn/openfire_pipeline.bpmn with free moves."""

from __future__ import annotations

from typing import Any

import pytest

from bpmn_sales.errors import RuleViolation
from tests.workflow.rules_helpers import PDF, ROUNDTRIP, Desk

pytestmark = ROUNDTRIP


def test_sales_process_from_initial_visit_to_delivered(desk: Desk) -> None:
    rob, mia = desk.team.rob, desk.team.mia
    deal = desk.create("sales_process")
    seen: list[tuple[str, str | None, int]] = [("start", deal.stage, deal.probability)]

    def do(actor: Any, title: str, **kwargs: Any) -> None:
        desk.do(actor, deal.id, title, **kwargs)
        view = desk.deal(deal.id)
        seen.append((title, view.stage, view.probability))

    desk.contact(rob, deal.id, "Pat Direct", "pat@customer.example")
    desk.contact(rob, deal.id, "Kim Boss")
    desk.update(rob, deal.id, {"customer_fields": {"industry": "Software"}})
    do(rob, "Meet the customer")
    do(rob, "Identify decision makers", note="Kim decides; Pat buys.")
    desk.update(rob, deal.id, {"fields": {"budget": 8000}, "expected_close_date": "2026-06-30"})
    do(rob, "Analyse needs")
    do(rob, "Qualify budget")
    desk.update(
        rob,
        deal.id,
        {
            "stage_fields": {
                "solution_design": {"design_summary": "One site", "customer_feedback": "Yes"}
            }
        },
    )
    design = desk.upload(rob, deal.id, "design.pdf", PDF)
    do(rob, "Design solution", note="Design attached", attachment_ids=[design])
    do(rob, "Present solution")
    do(mia, "Approve solution", data={"decision": "approve", "comment": "Go"})
    do(rob, "Send quote")
    do(rob, "Negotiate terms")

    # Rates 10, 30, 50, 80 then won 100; weights (2, 1), (2, 1), (2, 1, 0, 0), (1, 2).
    assert seen == [
        ("start", "initial_visit", 10),
        ("Meet the customer", "initial_visit", 23),  # 10 + 20 * 2/3
        ("Identify decision makers", "needs_analysis", 30),
        ("Analyse needs", "needs_analysis", 43),  # 30 + 20 * 2/3
        ("Qualify budget", "solution_design", 50),
        ("Design solution", "solution_design", 70),  # 50 + 30 * 2/3
        ("Present solution", "solution_design", 80),  # 50 + 30 * 3/3, awaiting approval
        ("Approve solution", "quote_and_bid", 80),
        ("Send quote", "quote_and_bid", 87),  # 80 + 20 * 1/3
        ("Negotiate terms", "quote_and_bid", 100),
    ]
    desk.assert_state_round_trips(deal.id)
    with pytest.raises(RuleViolation) as no_order:
        desk.close(rob, deal.id, "won")
    assert no_order.value.details == {"unmet": ["an order must exist to win"]}
    desk.order(rob, deal.id)

    won = desk.close(rob, deal.id, "won")
    assert (won.status, won.outcome_label, won.probability, won.stage) == (
        "won",
        "Won",
        100,
        "installation",
    )
    seen.clear()
    do(rob, "Install the solution")
    do(rob, "Train the users")
    with pytest.raises(RuleViolation) as no_date:
        desk.do(rob, deal.id, "Obtain sign-off")
    assert no_date.value.details == {"unmet": ["Acceptance: Acceptance date is empty"]}
    desk.update(rob, deal.id, {"stage_fields": {"acceptance": {"acceptance_date": "2026-07-01"}}})
    do(rob, "Obtain sign-off")
    assert seen == [
        ("Install the solution", "training", 100),
        ("Train the users", "acceptance", 100),
        ("Obtain sign-off", "acceptance", 100),
    ]
    delivered = desk.deal(deal.id)
    assert (delivered.status, delivered.outcome_label, delivered.tasks) == (
        "won",
        "Won and delivered",
        [],
    )
    desk.assert_state_round_trips(deal.id)


def test_openfire_pipeline_free_moves(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create("openfire_pipeline", name="Rénovation cuisine", customer="Famille Martin")
    seen: list[tuple[str, str | None, int]] = [("start", deal.stage, deal.probability)]

    def note(label: str, view: Any) -> None:
        seen.append((label, view.stage, view.probability))

    def do(title: str, **kwargs: Any) -> None:
        desk.do(rob, deal.id, title, **kwargs)
        note(title, desk.deal(deal.id))

    before = desk.frozen(deal.id)
    with pytest.raises(RuleViolation) as over_visit:
        desk.move(rob, deal.id, "devis")
    assert over_visit.value.message == (
        f"deal {deal.id} cannot leave stage 'Nouveau' for 'Devis': "
        "Visite technique: obligatory activity 'Réaliser la visite' is not done"
    )
    assert desk.frozen(deal.id) == before

    note("move visite_technique", desk.move(rob, deal.id, "visite_technique"))  # skips Estimation
    do("Planifier la visite")
    do("Réaliser la visite", note="Cuisine mesurée")
    note("move estimation", desk.move(rob, deal.id, "estimation"))  # back
    do("Générer l'estimation")
    note("move devis", desk.move(rob, deal.id, "devis"))
    do("Éditer le devis")
    do("Envoyer le devis")

    # Rates 10, 30 (optional), 50, 80 then won 100; weights 1, 1, (1, 2), (2, 1).
    assert seen == [
        ("start", "nouveau", 10),
        ("move visite_technique", "visite_technique", 50),
        ("Planifier la visite", "visite_technique", 60),  # 50 + 30 * 1/3
        ("Réaliser la visite", "devis", 80),
        ("move estimation", "estimation", 30),
        ("Générer l'estimation", "visite_technique", 80),  # both visit activities done before
        ("move devis", "devis", 80),
        ("Éditer le devis", "devis", 93),  # 80 + 20 * 2/3
        ("Envoyer le devis", "devis", 100),
    ]
    follow_ups = [t for t in desk.my_tasks(rob) if t.kind == "follow_up"]
    assert [(t.title, t.due_on.isoformat() if t.due_on else None) for t in follow_ups] == [
        ("Relancer le client", "2026-01-12")
    ]
    desk.assert_state_round_trips(deal.id)

    won = desk.close(rob, deal.id, "won")
    assert (won.status, won.outcome_label, won.probability) == ("won", "Gagné", 100)
    assert [(h.from_stage, h.to_stage) for h in desk.history(deal.id) if h.action == "moved"] == [
        ("nouveau", "visite_technique"),
        ("devis", "estimation"),
        ("visite_technique", "devis"),
    ]
