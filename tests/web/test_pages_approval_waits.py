"""Approvals that can be approved, on the pages and the API; closing asks first, and "Close as
won" is the primary action only when the deal can be won."""

from __future__ import annotations

import re
from collections.abc import Callable

from bpmn_sales.context import Context
from bpmn_sales.services import deals, worklist
from bpmn_sales.services.deals import records
from bpmn_sales.services.people import users
from tests.helpers import DESIGN_FILE, complete, initial_visit, needs_analysis, ready_task
from tests.web.api import Api
from tests.web.pages import Pages
from tests.web.test_pages_deal_actions import deal_id, version_of

Visitor = Callable[[str | None], Pages]


def waiting_approval(ctx: Context) -> tuple[int, str]:
    """A new deal of rob's in Solution design with its required fields empty, and the task
    "Present solution" (the one before the approval) ready."""
    rob = users.actor_for_username(ctx, "rob")
    deal = deals.create_deal(ctx, rob, "Fabrikam pilot", "Fabrikam", "5000")
    initial_visit(ctx, rob, deal.id)
    needs_analysis(ctx, rob, deal.id)
    design = records.upload_attachment(ctx, rob, deal.id, *DESIGN_FILE)
    complete(ctx, rob, deal.id, "Design solution", note="Design", attachment_ids=[design["id"]])
    return deal.id, ready_task(ctx, rob, deal.id, "Present solution").task_id


def test_the_rep_is_told_and_the_manager_is_not_offered_the_approval(
    visitor: Visitor, demo_ctx: Context
) -> None:
    deal, present = waiting_approval(demo_ctx)
    rob, mia = visitor("rob"), visitor("mia")
    before = mia.text(mia.get("/approvals"))
    done = rob.post(f"/tasks/{present}", {}, 302)
    page = rob.text(rob.follow(done))
    warning = re.search(r'data-testid="flash-warning">(.*?)</div>', page, re.S)
    assert warning is not None
    assert "The approval of stage &#39;Solution design&#39; waits for" in warning[1]
    assert "Design summary is empty" in warning[1]
    assert 'data-testid="waiting-Activity_ApproveSolution"' in page
    assert 'data-testid="open-task-Activity_ApproveSolution"' not in page

    # The manager: not in the approvals inbox, the task list or the deal page's checklist.
    assert (
        mia.text(mia.get("/approvals")).count("Fabrikam pilot")
        == before.count("Fabrikam pilot")
        == 0
    )
    assert "Fabrikam pilot" not in mia.text(mia.get("/tasks"))
    approval = ready_task(
        demo_ctx, users.actor_for_username(demo_ctx, "mia"), deal, "Approve solution"
    )
    assert 'data-testid="task-waiting"' in mia.text(mia.get(f"/tasks/{approval.task_id}"))
    refused = mia.post(f"/approvals/{approval.task_id}", {"decision": "approve"}, 422)
    assert "cannot be decided yet" in mia.text(refused)
    assert deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "mia"), deal).stage == (
        "solution_design"
    )

    # The rep fills the fields in: the approval is offered.
    fields = {"design_summary": "One site", "customer_feedback": "Keen"}
    rob_actor = users.actor_for_username(demo_ctx, "rob")
    deals.update_deal(demo_ctx, rob_actor, deal, {"stage_fields": {"solution_design": fields}})
    assert "Fabrikam pilot" in mia.text(mia.get("/approvals"))
    assert "Fabrikam pilot" in mia.text(mia.get("/tasks"))


def test_the_api_tells_the_rep_lists_nothing_and_refuses_the_manager(
    api: Api, demo_ctx: Context
) -> None:
    deal, present = waiting_approval(demo_ctx)
    done = api("POST", f"/tasks/{present}/complete", json={})
    assert done.status_code == 200
    assert done.json is not None
    [told] = done.json["approval_waits_for"]
    assert told.startswith("The approval of stage 'Solution design' waits for: ")
    for path in ("/tasks?limit=200", "/tasks?role=manager"):
        tasks = api("GET", path, user="mia").json
        assert isinstance(tasks, list) and tasks, path
        assert all((t["subject_id"], t["kind"]) != (deal, "approval") for t in tasks), path
    mia = users.actor_for_username(demo_ctx, "mia")
    approval = ready_task(demo_ctx, mia, deal, "Approve solution")
    assert approval.waiting
    refused = api(
        "POST",
        f"/tasks/{approval.task_id}/complete",
        user="mia",
        json={"data": {"decision": "approve"}},
    )
    assert refused.status_code == 422 and refused.json is not None
    assert refused.json["error"] == "rule_violation"
    assert refused.json["unmet"] == [
        "Design summary is empty",
        "Customer feedback is empty",
    ]


def test_close_as_won_is_the_primary_action_only_when_the_deal_can_be_won(
    visitor: Visitor, demo_ctx: Context
) -> None:
    rob = visitor("rob")
    early = deal_id(demo_ctx, "Adventure Works rollout")
    page = rob.text(rob.get(f"/deals/{early}"))
    won_form = re.search(r'data-testid="close-won">(.*?)</form>', page, re.S)
    assert won_form is not None
    assert 'class="primary"' not in won_form[1]
    assert 'aria-describedby="won-blockers"' in won_form[1] and "obligatory activity" in won_form[1]

    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    rob_actor = users.actor_for_username(demo_ctx, "rob")
    for title in ("Planifier la visite", "Réaliser la visite", "Éditer le devis"):
        task = ready_task(demo_ctx, rob_actor, kitchen, title)
        worklist.complete_task(demo_ctx, rob_actor, task.task_id, note=f"{title}: fait")
    page = rob.text(rob.get(f"/deals/{kitchen}"))
    won_form = re.search(r'data-testid="close-won">(.*?)</form>', page, re.S)
    assert won_form is not None
    assert 'class="primary"' in won_form[1] and "won-blockers" not in won_form[1]


def test_a_refused_win_lists_each_rule_once_and_asks_nothing(
    visitor: Visitor, demo_ctx: Context
) -> None:
    rob = visitor("rob")
    deal = deal_id(demo_ctx, "Adventure Works rollout")
    refused = rob.post(
        f"/deals/{deal}/close", {"outcome": "won", "version": version_of(demo_ctx, deal)}, 302
    )
    page = rob.text(rob.follow(refused))
    flashes = re.search(r'<div class="flashes".*?</div>\s*</div>', page, re.S)
    assert flashes is not None
    unmet = re.findall(r"<li>(.*?)</li>", flashes[0])
    assert len(unmet) >= 2 and len(set(unmet)) == len(unmet)
    for item in unmet:
        assert flashes[0].count(item) == 1, item
    assert "close-confirm" not in page


def test_lost_and_invalid_ask_first(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    deal = deal_id(demo_ctx, "Adventure Works rollout")
    version = str(version_of(demo_ctx, deal))
    asked = rob.text(
        rob.post(f"/deals/{deal}/close", {"outcome": "invalid", "version": version}, 200)
    )
    assert "Mark Adventure Works rollout invalid?" in asked
    assert f'href="/deals/{deal}"' in asked  # "No, keep it open"
    closed = rob.post(
        f"/deals/{deal}/close", {"outcome": "invalid", "version": version, "confirmed": "yes"}, 302
    )
    assert "Deal closed" in rob.text(rob.follow(closed))
