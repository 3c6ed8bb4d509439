"""The approvals inbox: managers decide inline; a reject needs a comment; reps are refused."""

from __future__ import annotations

import re
from collections.abc import Callable

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from bpmn_sales.services.worklist import approvals
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]


def waiting(ctx: Context, username: str) -> list[approvals.ApprovalRequest]:
    return approvals.approval_inbox(ctx, users.actor_for_username(ctx, username))


def test_the_manager_sees_what_waits_for_her(demo_ctx: Context, visitor: Visitor) -> None:
    [request] = waiting(demo_ctx, "mia")
    assert (request.task.title, request.asked_by, request.stage) == (
        "Approve solution",
        "sara",
        "solution_design",
    )
    mia = visitor("mia")
    html = mia.text(mia.get("/approvals"))
    assert f'data-task-id="{request.task.task_id}"' in html
    assert f'href="/deals/{request.deal_id}"' in html
    assert "Contoso" in html
    assert re.search(r'data-testid="approval-stage">Solution design<', html)
    assert re.search(r'data-testid="approval-asked-by">sara<', html)
    assert "$48,000.00" in html
    assert 'value="approve"' in html and 'value="reject"' in html


def test_reps_are_refused_and_other_managers_see_nothing(visitor: Visitor) -> None:
    for rep in ("rob", "sara"):
        page = visitor(rep)
        html = page.text(page.get("/approvals", status=403))
        assert "only managers and admins decide approvals" in html
        page.post("/approvals/whatever", {"decision": "approve"}, status=403)
    omar = visitor("omar")  # manages another team
    assert 'data-testid="no-approvals"' in omar.text(omar.get("/approvals"))
    admin = visitor("admin")
    assert 'data-testid="approval"' in admin.text(admin.get("/approvals"))


def test_reject_without_comment_shows_the_error(demo_ctx: Context, visitor: Visitor) -> None:
    [request] = waiting(demo_ctx, "mia")
    mia = visitor("mia")
    path = f"/approvals/{request.task.task_id}"
    html = mia.text(mia.post(path, {"decision": "reject", "comment": "  "}, status=400))
    assert re.search(r'data-testid="comment-error">Comment is required<', html)
    assert [r.task.task_id for r in waiting(demo_ctx, "mia")] == [request.task.task_id]

    done = mia.post(path, {"decision": "reject", "comment": "Add the branch offices"}, status=302)
    assert done.headers["Location"] == "/approvals"
    after = mia.text(mia.follow(done))
    assert "Rejected: &#39;Approve solution&#39; on Contoso" in after
    assert 'data-testid="no-approvals"' in after
    view = deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "sara"), request.deal_id)
    assert view.detail is not None
    assert [(a["decision"], a["comment"]) for a in view.detail["approvals"]] == [
        ("reject", "Add the branch offices")
    ]


def test_approve_moves_the_deal_on(demo_ctx: Context, visitor: Visitor) -> None:
    [request] = waiting(demo_ctx, "mia")
    mia = visitor("mia")
    done = mia.post(f"/approvals/{request.task.task_id}", {"decision": "approve"}, status=302)
    assert "Approved" in mia.text(mia.follow(done))
    view = deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "mia"), request.deal_id)
    assert view.stage == "quote_and_bid"


def test_a_bad_decision_and_a_missing_token_are_refused(
    demo_ctx: Context, visitor: Visitor
) -> None:
    [request] = waiting(demo_ctx, "mia")
    mia = visitor("mia")
    path = f"/approvals/{request.task.task_id}"
    html = mia.text(mia.post(path, {"decision": "maybe"}, status=400))
    assert "Decision must be one of" in html or "Decision is not one of the choices" in html
    response = mia.client.post(path, data={"decision": "approve"})
    assert response.status_code == 400
    assert "CSRF" in mia.text(response)
    assert len(waiting(demo_ctx, "mia")) == 1
