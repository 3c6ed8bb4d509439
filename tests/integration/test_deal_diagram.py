"""deals.deal_diagram on the demo deals: the element ids marked current and completed, the same
whether the instance comes from memory or is restored from its stored state."""

from __future__ import annotations

from typing import Any

import pytest

from bpmn_sales.context import Context
from bpmn_sales.errors import NotFound
from bpmn_sales.services import deals, worklist
from bpmn_sales.services.people import users


def deal_named(ctx: Context, name: str) -> Any:
    admin = users.actor_for_username(ctx, "admin")
    return next(d for d in deals.list_deals(ctx, admin) if d.name == name)


def marks(ctx: Context, who: str, deal_id: int) -> tuple[list[str], list[str]]:
    found = deals.deal_diagram(ctx, users.actor_for_username(ctx, who), deal_id)
    return found["current"], found["completed"]


@pytest.mark.parametrize("restored", [False, True], ids=["live", "restored"])
def test_a_moved_openfire_deal(demo_ctx: Context, restored: bool) -> None:
    kitchen = deal_named(demo_ctx, "Rénovation cuisine")
    if restored:
        demo_ctx.live.clear()  # as another worker process would: from the stored state
    current, completed = marks(demo_ctx, "rob", kitchen.id)
    assert current == ["Activity_PlanifierVisite", "Stage_VisiteTechnique"]
    assert completed[0] == "Event_AffaireCreee"
    assert "Event_DeplacerNouveau" in completed  # the move left 'Nouveau' by its boundary event
    assert "Stage_Nouveau" not in completed  # ...which was interrupted, not completed
    assert not any(c.startswith("Gateway_") for c in completed)
    xml = deals.deal_diagram(demo_ctx, users.actor_for_username(demo_ctx, "rob"), kitchen.id)
    assert 'id="Stage_VisiteTechnique"' in xml["xml"]
    assert xml["version"] == kitchen.version


def test_marks_follow_the_work(demo_ctx: Context) -> None:
    rob = users.actor_for_username(demo_ctx, "rob")
    kitchen = deal_named(demo_ctx, "Rénovation cuisine")
    task = next(t for t in kitchen.tasks if t.element_id == "Activity_PlanifierVisite")
    worklist.complete_task(demo_ctx, rob, task.task_id)
    current, completed = marks(demo_ctx, "rob", kitchen.id)
    assert current == ["Activity_RealiserVisite", "Stage_VisiteTechnique"]
    assert "Activity_PlanifierVisite" in completed
    demo_ctx.live.clear()
    assert marks(demo_ctx, "rob", kitchen.id) == (current, completed)
    # A second read uses the instance the first one put back: still the same answer.
    assert marks(demo_ctx, "rob", kitchen.id) == (current, completed)


def test_won_post_sale_and_closed_deals(demo_ctx: Context) -> None:
    litware = deal_named(demo_ctx, "Litware renewal")
    current, completed = marks(demo_ctx, "rob", litware.id)
    assert current == ["Activity_Install", "Stage_Installation"]
    for stage in ("Stage_InitialVisit", "Stage_NeedsAnalysis", "Stage_SolutionDesign"):
        assert stage in completed
    assert "Activity_ApproveSolution" in completed and "Event_DealWon" in completed
    lost = deal_named(demo_ctx, "Tailspin pilot")
    demo_ctx.live.clear()
    current, completed = marks(demo_ctx, "sara", lost.id)
    assert current == []
    assert completed[-1] == "Event_DealLost"


def test_only_those_who_see_the_deal_get_its_diagram(demo_ctx: Context) -> None:
    kitchen = deal_named(demo_ctx, "Rénovation cuisine")
    with pytest.raises(NotFound):
        deals.deal_diagram(demo_ctx, users.actor_for_username(demo_ctx, "olga"), kitchen.id)
    assert marks(demo_ctx, "mia", kitchen.id)[0]  # rob's manager
