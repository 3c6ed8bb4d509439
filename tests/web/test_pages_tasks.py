"""The tasks pages: my tasks and my groups' tasks, a task's page with its form, claiming."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from markupsafe import escape

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.domain.model import TaskView
from bpmn_sales.errors import Forbidden
from bpmn_sales.services import deals, leads, processes, worklist
from bpmn_sales.services.people import users
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]
COMPLETION = Path(__file__).resolve().parents[1] / "data" / "rules" / "completion.bpmn"


def task_of(ctx: Context, username: str, title: str, subject: str | None = None) -> TaskView:
    actor = users.actor_for_username(ctx, username)
    found = [
        t
        for t in worklist.list_tasks(ctx, actor)
        if t.title == title and (subject is None or t.subject_name == subject)
    ]
    assert len(found) == 1, [(t.title, t.subject_name) for t in worklist.list_tasks(ctx, actor)]
    return found[0]


def deal_id(ctx: Context, name: str) -> int:
    admin = users.actor_for_username(ctx, "admin")
    return next(d.id for d in deals.list_deals(ctx, admin) if d.name == name)


def rows(html: str) -> list[str]:
    return re.findall(r'data-testid="task-row" data-task-id="([^"]+)"', html)


# -- the lists ----------------------------------------------------------------------------------
def test_tasks_page_needs_sign_in(visitor: Visitor) -> None:
    response = visitor(None).get("/tasks", status=302)
    assert "/sign-in?next=/tasks" in response.headers["Location"]


def test_my_tasks_are_mine_and_link_their_records(demo_ctx: Context, visitor: Visitor) -> None:
    rob = visitor("rob")
    html = rob.text(rob.get("/tasks"))
    wide = deal_id(demo_ctx, "Wide World upgrade")
    analyse = task_of(demo_ctx, "rob", "Analyse needs", "Wide World upgrade")
    assert analyse.task_id in rows(html)
    assert f'href="/deals/{wide}"' in html
    assert f'href="/tasks/{analyse.task_id}"' in html
    assert "Needs analysis" in html
    review = task_of(demo_ctx, "rob", "Review lead", "Jane Cooper")
    assert review.task_id in rows(html)
    assert f'href="/leads/{review.subject_id}"' in html
    # sara's deal waits for mia's approval: neither rob's nor listed for him
    assert "Approve solution" not in html
    assert "Contoso" not in html


def test_a_manager_sees_the_approval_assigned_to_her(demo_ctx: Context, visitor: Visitor) -> None:
    mia = visitor("mia")
    html = mia.text(mia.get("/tasks"))
    approval = task_of(demo_ctx, "mia", "Approve solution")
    assert rows(html) == [approval.task_id]
    assert ">approval<" in html


# -- group tasks and claiming --------------------------------------------------------------------
@pytest.fixture
def group_task(demo_ctx: Context) -> TaskView:
    """A deal of rob's on a process with a task for group finance (sara and olga are members)."""
    processes.deploy_process(demo_ctx, None, {COMPLETION.name: COMPLETION.read_bytes()})
    admin = users.actor_for_username(demo_ctx, "admin")
    users.set_groups(demo_ctx, admin, "sara", ["presales", "finance"])
    users.set_groups(demo_ctx, admin, "olga", ["finance"])
    rob = users.actor_for_username(demo_ctx, "rob")
    deal = deals.create_deal(demo_ctx, rob, "Finance deal", "Acme", "100", process="completion")
    return next(t for t in deals.deal_tasks(demo_ctx, rob, deal.id) if t.group == "finance")


def test_claim_a_group_task(demo_ctx: Context, visitor: Visitor, group_task: TaskView) -> None:
    sara = visitor("sara")
    html = sara.text(sara.get("/tasks?tab=groups"))
    assert rows(html) == [group_task.task_id]
    assert 'data-testid="claim"' in html
    assert group_task.task_id not in rows(sara.text(sara.get("/tasks")))

    claimed = sara.post(f"/tasks/{group_task.task_id}/claim", {"next": "/tasks?tab=groups"})
    assert claimed.headers["Location"] == "/tasks?tab=groups"
    after = sara.text(sara.follow(claimed))
    assert "You claimed" in after
    assert rows(after) == []
    assert group_task.task_id in rows(sara.text(sara.get("/tasks")))
    # olga, in the same group, sees it claimed and cannot take it any more (in French: the
    # demo's OpenFire team reads French)
    olga = visitor("olga")
    other = olga.text(olga.get("/tasks?tab=groups"))
    assert rows(other) == [group_task.task_id]
    with i18n.use_language("fr"):
        claimed_word = i18n.gettext("claimed")
        by_sara = i18n.gettext(
            "'%(title)s' is already claimed by %(who)s", title=group_task.title, who="sara"
        )
    assert claimed_word != "claimed"
    assert claimed_word in other and 'data-testid="claim"' not in other
    refused = olga.text(olga.follow(olga.post(f"/tasks/{group_task.task_id}/claim")))
    assert str(escape(by_sara)) in refused
    # the claim is in the deal's history
    history = deals.deal_history(
        demo_ctx, users.actor_for_username(demo_ctx, "rob"), group_task.subject_id
    )
    assert [(h.action, h.actor) for h in history][-1] == ("task_claimed", "sara")


def test_claim_refusals(demo_ctx: Context, visitor: Visitor, group_task: TaskView) -> None:
    rob = visitor("rob")  # not in group finance
    page = rob.text(rob.follow(rob.post(f"/tasks/{group_task.task_id}/claim")))
    assert "rob is not a member of group finance" in page
    analyse = task_of(demo_ctx, "rob", "Analyse needs", "Wide World upgrade")
    page = rob.text(rob.follow(rob.post(f"/tasks/{analyse.task_id}/claim")))
    assert "is not a group task" in page
    page = rob.text(rob.follow(rob.post("/tasks/no-such-task/claim")))
    assert "is not a ready task" in page
    # without the form's CSRF token nothing happens
    response = rob.client.post(f"/tasks/{group_task.task_id}/claim")
    assert response.status_code == 400
    assert "CSRF" in rob.text(response)


# -- the task page --------------------------------------------------------------------------------
def test_task_page_shows_the_form_from_the_schema(demo_ctx: Context, visitor: Visitor) -> None:
    rob = visitor("rob")
    review = task_of(demo_ctx, "rob", "Review lead", "Jane Cooper")
    html = rob.text(rob.get(f"/tasks/{review.task_id}"))
    assert 'type="radio" name="decision" value="qualify"' in html
    assert "Qualify: open an opportunity" in html
    assert '<textarea id="f-disqualify_reason" name="disqualify_reason"' in html
    assert "e.g. No budget this year" in html  # ui:placeholder
    # another rep may not open it; an unknown task is a 404 page
    sara = visitor("sara")
    assert "is not a ready task" in sara.text(sara.get(f"/tasks/{review.task_id}", status=404))
    sara.get("/tasks/not-a-task", status=404)


def test_form_errors_are_shown_beside_the_fields(demo_ctx: Context, visitor: Visitor) -> None:
    rob = visitor("rob")
    review = task_of(demo_ctx, "rob", "Review lead", "Jane Cooper")
    response = rob.post(f"/tasks/{review.task_id}", {"decision": "disqualify"}, status=400)
    html = rob.text(response)
    assert re.search(r'id="f-disqualify_reason-error"[^>]*>Reason is required<', html)
    assert 'value="disqualify"\n    checked' in html or 'value="disqualify" checked' in html
    # nothing happened to the lead
    lead = leads.get_lead(demo_ctx, users.actor_for_username(demo_ctx, "rob"), review.subject_id)
    assert lead.status == "new"

    done = rob.post(
        f"/tasks/{review.task_id}",
        {"decision": "disqualify", "disqualify_reason": "No budget this year"},
        status=302,
    )
    assert done.headers["Location"] == f"/leads/{review.subject_id}"
    lead = leads.get_lead(demo_ctx, users.actor_for_username(demo_ctx, "rob"), review.subject_id)
    assert (lead.status, lead.disqualify_reason) == ("disqualified", "No budget this year")


def test_typed_fields_keep_values_and_name_bad_numbers(demo_ctx: Context, visitor: Visitor) -> None:
    admin = users.actor_for_username(demo_ctx, "admin")
    litware = deal_id(demo_ctx, "Litware renewal")
    assert deals.get_deal(demo_ctx, admin, litware).status == "won"
    # walk sara's deal on to quote and bid, where Negotiate terms has a typed form
    mia = users.actor_for_username(demo_ctx, "mia")
    approval = task_of(demo_ctx, "mia", "Approve solution")
    worklist.complete_task(demo_ctx, mia, approval.task_id, {"decision": "approve"})
    terms = task_of(demo_ctx, "sara", "Negotiate terms")
    sara = visitor("sara")
    html = sara.text(sara.get(f"/tasks/{terms.task_id}"))
    assert 'type="number" inputmode="decimal" step="any"' in html
    assert 'min="0"' in html and 'max="50"' in html
    assert '<option value="net_30" >Net 30 days</option>' in html
    assert 'type="checkbox" name="terms_signed"' in html
    assert "At most 50%" in html  # ui:help

    bad = {"discount_percent": "lots", "payment_terms": "net_30"}
    html = sara.text(sara.post(f"/tasks/{terms.task_id}", bad, status=400))
    assert "Discount (%) must be a number" in html
    assert 'value="net_30" selected' in html
    html = sara.text(sara.post(f"/tasks/{terms.task_id}", {"discount_percent": "75"}, status=400))
    assert "Discount (%) must be at most 50" in html
    assert 'value="75"' in html

    good = {"discount_percent": "12.5", "payment_terms": "net_60", "terms_signed": "on"}
    done = sara.post(f"/tasks/{terms.task_id}", good, status=302)
    assert done.headers["Location"] == f"/deals/{terms.subject_id}"
    history = deals.deal_history(demo_ctx, admin, terms.subject_id)
    assert history[-1].detail["task"] == "Negotiate terms"


def test_note_and_file_are_asked_for_and_stored(demo_ctx: Context, visitor: Visitor) -> None:
    rob = visitor("rob")
    design = _to_solution_design(demo_ctx)
    html = rob.text(rob.get(f"/tasks/{design.task_id}"))
    assert 'enctype="multipart/form-data"' in html
    assert 'name="note"' in html and 'type="file"' in html

    missing = rob.text(rob.post(f"/tasks/{design.task_id}", {"note": "Draft"}, status=400))
    assert "needs a file with the note" in missing
    assert ">Draft</textarea>" in missing

    files = {"note": "Design attached", "file": (io.BytesIO(b"Phase 1\n"), "design.txt")}
    done = rob.post(f"/tasks/{design.task_id}", files, status=302)
    assert done.headers["Location"] == f"/deals/{design.subject_id}"
    view = deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), design.subject_id)
    assert view.detail is not None
    assert [a["filename"] for a in view.detail["attachments"]] == ["design.txt"]
    assert any(n["text"] == "Design attached" for n in view.detail["notes"])


def _to_solution_design(ctx: Context) -> TaskView:
    """Walk rob's 'Wide World upgrade' (in needs analysis) into solution design."""
    rob = users.actor_for_username(ctx, "rob")
    wide = deal_id(ctx, "Wide World upgrade")
    deals.update_deal(
        ctx, rob, wide, {"fields": {"budget": 22000}, "expected_close_date": "2027-03-31"}
    )
    for title in ("Analyse needs", "Qualify budget"):
        worklist.complete_task(ctx, rob, task_of(ctx, "rob", title, "Wide World upgrade").task_id)
    return task_of(ctx, "rob", "Design solution", "Wide World upgrade")


def test_refusals_are_flashed_on_the_task_page(demo_ctx: Context, visitor: Visitor) -> None:
    approval = task_of(demo_ctx, "mia", "Approve solution")
    admin = visitor("admin")
    # the manager's approval cannot take the deal out of its stage without the stage fields
    sara = users.actor_for_username(demo_ctx, "sara")
    deals.update_deal(
        demo_ctx,
        sara,
        approval.subject_id,
        {"stage_fields": {"solution_design": {"design_summary": "", "customer_feedback": ""}}},
    )
    response = admin.post(f"/tasks/{approval.task_id}", {"decision": "approve"}, status=422)
    html = admin.text(response)
    assert 'data-testid="flash-error"' in html
    assert "Design summary is empty" in html
    assert 'value="approve"\n    checked' in html or 'value="approve" checked' in html
    # sara (the owner) may see the approval task but not decide it
    page = visitor("sara")
    refused = page.post(f"/tasks/{approval.task_id}", {"decision": "approve"}, status=403)
    assert "direct manager (mia)" in page.text(refused)


def test_a_refused_completion_keeps_no_file(demo_ctx: Context, group_task: TaskView) -> None:
    # rob owns the deal but is not in the finance group the task names: refused, and the file
    # sent with it is not stored either (one transaction).
    rob = users.actor_for_username(demo_ctx, "rob")
    with pytest.raises(Forbidden):
        worklist.complete_task(
            demo_ctx, rob, group_task.task_id, note="paid", files=[("receipt.txt", b"42 EUR\n")]
        )
    deal = deals.get_deal(demo_ctx, rob, group_task.subject_id)
    assert deal.detail is not None and deal.detail["attachments"] == []
    sara = users.actor_for_username(demo_ctx, "sara")
    worklist.complete_task(
        demo_ctx, sara, group_task.task_id, note="paid", files=[("receipt.txt", b"42 EUR\n")]
    )
    deal = deals.get_deal(demo_ctx, rob, group_task.subject_id)
    assert deal.detail is not None
    assert [a["filename"] for a in deal.detail["attachments"]] == ["receipt.txt"]
