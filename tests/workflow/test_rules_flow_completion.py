"""Who completes an activity, the note and files it needs, who hears of it, and follow-ups
(tests/data/rules/completion.bpmn)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bpmn_sales.errors import Forbidden, InvalidInput, NotFound
from bpmn_sales.persistence.models import Setting
from bpmn_sales.services import processes, worklist
from bpmn_sales.services.delivery import notices
from tests.workflow.rules_helpers import PDF, PNG, ROUNDTRIP, RULES, Desk

pytestmark = ROUNDTRIP

CHECKS = ["Attach contract", "Call customer", "Finance check", "Manager check", "Write report"]


def test_manager_only_activity(desk: Desk) -> None:
    team = desk.team
    deal = desk.create(desk.deploy("completion"))
    assert desk.titles(deal.id) == CHECKS
    task = desk.task(deal.id, "Manager check")
    assert (task.role, task.assignee) == ("manager", None)

    with pytest.raises(Forbidden) as rep:
        desk.do(team.rob, deal.id, "Manager check")
    assert rep.value.message == "'Manager check' may be completed only by a manager"

    done = desk.do(team.mia, deal.id, "Manager check")
    assert done.element_id == "Activity_ManagerCheck"
    assert "Manager check" not in desk.titles(deal.id)
    history = desk.history(deal.id)
    assert (history[-1].action, history[-1].actor, history[-1].detail["task"]) == (
        "task_completed",
        "mia",
        "Manager check",
    )


def test_group_activity_is_done_by_a_member_outside_the_team(desk: Desk) -> None:
    team = desk.team
    fay = desk.user("fay", groups=["finance"])  # a rep with no manager: not on rob's team
    deal = desk.create(desk.deploy("completion"))
    assert [t.title for t in desk.my_tasks(fay)] == ["Finance check"]
    assert [t.title for t in desk.my_tasks(team.olga)] == []

    with pytest.raises(Forbidden) as owner:
        desk.do(team.rob, deal.id, "Finance check")
    assert (
        owner.value.message == "'Finance check' may be completed only by a member of group finance"
    )
    with pytest.raises(Forbidden) as manager:
        desk.do(team.mia, deal.id, "Finance check")
    assert manager.value.message == owner.value.message
    with pytest.raises(NotFound) as outsider:  # olga sees neither the deal nor its task
        desk.do(team.olga, deal.id, "Finance check")
    assert outsider.value.message.endswith("is not a ready task")

    desk.do(fay, deal.id, "Finance check")
    assert "Finance check" not in desk.titles(deal.id)
    assert list(desk.my_tasks(fay)) == []
    assert desk.history(deal.id)[-1].actor == "fay"
    desk.assert_state_round_trips(deal.id)


def test_group_named_among_several_parties_may_complete(desk: Desk) -> None:
    # completed_by=owner;group:finance: the task is assigned to nobody, yet a finance member
    # outside the owner's team may open and complete it (authoring guide, 4.7 Parties).
    team = desk.team
    xml = (RULES / "completion.bpmn").read_text()
    shared = xml.replace('value="group:finance"', 'value="owner;group:finance"')
    assert shared != xml
    (result,) = processes.deploy_process(desk.ctx, team.admin, {"completion.bpmn": shared.encode()})
    fay = desk.user("fay", groups=["finance"])
    deal = desk.create(result.key)
    assert [t.title for t in desk.my_tasks(fay)] == []  # several parties: assigned to nobody
    task = desk.task(deal.id, "Finance check")
    assert desk.step(worklist.task_form, fay, task.task_id).task.title == "Finance check"
    with pytest.raises(NotFound) as outsider:  # olga sees neither the deal nor its task
        desk.do(team.olga, deal.id, "Finance check")
    assert outsider.value.message == f"task '{task.task_id}' is not a ready task"

    desk.do(fay, deal.id, "Finance check")
    assert "Finance check" not in desk.titles(deal.id)
    assert desk.history(deal.id)[-1].actor == "fay"
    desk.assert_state_round_trips(deal.id)


def test_participants_are_the_owner_the_doers_and_who_added_contacts(desk: Desk) -> None:
    team = desk.team
    xml = (RULES / "completion.bpmn").read_text()
    told = xml.replace('value="group:presales;direct_manager"', 'value="participants"')
    assert told != xml
    (result,) = processes.deploy_process(desk.ctx, team.admin, {"completion.bpmn": told.encode()})
    fay = desk.user("fay", groups=["finance"])
    deal = desk.create(result.key)
    desk.do(fay, deal.id, "Finance check")  # completed an activity on the deal
    desk.contact(team.mia, deal.id, "Jane Buyer")  # added a contact to its customer
    desk.do(team.rob, deal.id, "Call customer")

    message = f"rob completed 'Call customer' on deal {deal.id} (Acme rollout)."
    # The owner is a participant even when it is the owner who completed it, as with `owner`.
    for person in (team.rob, fay, team.mia):
        inbox = desk.step(notices.list_notifications, person).to_dict()
        assert [(n["kind"], n["message"]) for n in inbox["notifications"]] == [
            ("activity_done", message)
        ], person.username
    # Nobody else worked on the deal: olga and the admin hear nothing.
    for person in (team.olga, team.admin):
        assert desk.step(notices.list_notifications, person).to_dict()["notifications"] == []


def test_note_required(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create(desk.deploy("completion"))
    for note in (None, "   "):
        with pytest.raises(InvalidInput) as missing:
            desk.do(rob, deal.id, "Write report", note=note)
        assert (missing.value.field, missing.value.message) == (
            "note",
            "'Write report' needs a note",
        )
    desk.do(rob, deal.id, "Write report", note="  All checks fine  ")
    detail = desk.deal(deal.id).detail
    assert detail is not None
    assert [(n["text"], n["author"], n["task"]) for n in detail["notes"]] == [
        ("All checks fine", "rob", "Activity_WriteReport")
    ]


def test_note_and_file_required(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create(desk.deploy("completion"))
    pdf = desk.upload(rob, deal.id, "contract.pdf", PDF)
    png = desk.upload(rob, deal.id, "signature.png", PNG)
    before = desk.frozen(deal.id)

    with pytest.raises(InvalidInput) as nothing:
        desk.do(rob, deal.id, "Attach contract")
    assert (nothing.value.field, nothing.value.message) == (
        "note",
        "'Attach contract' needs a note",
    )
    with pytest.raises(InvalidInput) as no_file:
        desk.do(rob, deal.id, "Attach contract", note="Signed copy")
    assert (no_file.value.field, no_file.value.message) == (
        "files",
        "'Attach contract' needs a note with at least one file",
    )
    with pytest.raises(InvalidInput) as file_only:
        desk.do(rob, deal.id, "Attach contract", attachment_ids=[pdf])
    assert file_only.value.field == "note"
    assert desk.frozen(deal.id) == before

    desk.do(rob, deal.id, "Attach contract", note="Signed copy", attachment_ids=[pdf, png])
    detail = desk.deal(deal.id).detail
    assert detail is not None
    (note,) = detail["notes"]
    assert (note["text"], note["task"]) == ("Signed copy", "Activity_AttachContract")
    assert [(a["filename"], a["content_type"], a["note_id"]) for a in detail["attachments"]] == [
        ("contract.pdf", "application/pdf", note["id"]),
        ("signature.png", "image/png", note["id"]),
    ]
    assert desk.history(deal.id)[-1].detail["note_id"] == note["id"]


def test_notify_and_follow_up(desk: Desk, clock: Any) -> None:
    max_ = desk.user("max", "manager", email="max@example.com", groups=["presales"])
    ron = desk.user("ron", manager="max")
    pia = desk.user("pia", email="pia@example.com", groups=["presales"])
    paul = desk.user("paul", groups=["presales"])
    deal = desk.create(desk.deploy("completion"), owner=ron)
    clock.advance(days=1, hours=5)

    desk.do(ron, deal.id, "Call customer")

    message = f"ron completed 'Call customer' on deal {deal.id} (Acme rollout)."
    for person in (max_, pia, paul):
        inbox = desk.step(notices.list_notifications, person).to_dict()
        assert [(n["kind"], n["message"]) for n in inbox["notifications"]] == [
            ("activity_done", message)
        ]
    assert desk.step(notices.list_notifications, ron).to_dict()["notifications"] == []
    assert desk.rows("SELECT count(*) FROM notifications") == [(3,)]
    outbox = desk.step(notices.list_outbox, desk.team.admin)
    assert sorted((m["recipient"], m["subject"], m["status"]) for m in outbox) == [
        ("max@example.com", "Call customer done on deal Acme rollout", "pending"),
        ("pia@example.com", "Call customer done on deal Acme rollout", "pending"),
    ]

    due = date(2026, 1, 9)  # completed on 2026-01-06, due three days later
    follow_ups = [t for t in desk.my_tasks(ron) if t.kind == "follow_up"]
    assert [(t.title, t.assignee, t.due_on, t.element_id) for t in follow_ups] == [
        ("Call back", "ron", due, "Activity_CallCustomer")
    ]
    assert follow_ups[0].task_id.startswith("follow-up-")
    detail = desk.deal(deal.id).detail
    assert detail is not None
    assert detail["follow_ups"] == [
        {
            "id": int(follow_ups[0].task_id.removeprefix("follow-up-")),
            "title": "Call back",
            "due_on": due.isoformat(),
            "assignee": "ron",
            "done": False,
            "cancelled": False,
        }
    ]

    done = desk.step(worklist.complete_task, ron, follow_ups[0].task_id)
    assert (done.kind, done.title) == ("follow_up", "Call back")
    assert [t for t in desk.my_tasks(ron) if t.kind == "follow_up"] == []
    history = desk.history(deal.id)
    assert (history[-1].action, history[-1].detail) == (
        "follow_up_done",
        {"follow_up": "Call back"},
    )


def test_stage_is_left_when_every_check_is_done(desk: Desk) -> None:
    team = desk.team
    fay = desk.user("fay", groups=["finance"])
    deal = desk.create(desk.deploy("completion"))
    pdf = desk.upload(team.rob, deal.id, "contract.pdf", PDF)
    desk.do(team.mia, deal.id, "Manager check")
    desk.do(fay, deal.id, "Finance check")
    desk.do(team.rob, deal.id, "Write report", note="Report")
    desk.do(team.rob, deal.id, "Attach contract", note="Contract", attachment_ids=[pdf])
    assert desk.deal(deal.id).stage == "checks"
    desk.do(team.rob, deal.id, "Call customer")
    view = desk.deal(deal.id)
    assert (view.stage, desk.titles(deal.id)) == ("closing", ["Send the contract"])
    # Unrated stages: 5 of the 6 activities' weight is done.
    assert view.probability == 83
    desk.assert_state_round_trips(deal.id)


def test_a_follow_up_is_due_days_after_the_companys_date_of_completion(
    desk: Desk, clock: Any
) -> None:
    """Completed at 23:00 UTC on 5 January, which is already 6 January in Shanghai: a
    company there has its follow-up due three days after the 6th, not the 5th."""
    with desk.ctx.uow() as store:
        store.add(Setting(key="company.time_zone", value="Asia/Shanghai"))
        store.commit()
    desk.user("max", "manager", groups=["presales"])
    ron = desk.user("ron", manager="max")
    deal = desk.create(desk.deploy("completion"), owner=ron)
    clock.now = clock.now.replace(day=5, hour=23, minute=0)
    desk.do(ron, deal.id, "Call customer")
    follow_ups = [t for t in desk.my_tasks(ron) if t.kind == "follow_up"]
    assert [t.due_on for t in follow_ups] == [date(2026, 1, 9)]
