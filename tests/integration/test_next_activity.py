"""The rep's day: tasks due after their stage's reminder, the task list grouped by due, each
open deal's next activity and its flags, follow-ups cancelled by a close (SQLite and
PostgreSQL, the bundled diagrams)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bpmn_sales.context import Context
from bpmn_sales.domain.model import TaskView
from bpmn_sales.errors import InvalidInput
from bpmn_sales.services import deals, leads, worklist
from bpmn_sales.services.deals import records
from tests import helpers
from tests.fakes import START, FakeClock
from tests.integration.conftest import Flow

FOLLOW_UP = "Send the needs summary to the customer"  # Analyse needs creates it, due in 2 days


def my_tasks(ctx: Context, team: object, limit: int = 100) -> list[TaskView]:
    rob = team.rob  # type: ignore[attr-defined]
    return list(worklist.list_tasks(ctx, rob, scope="mine", limit=limit))


def test_ready_tasks_are_due_after_their_stages_reminder(ctx: Context, team: object) -> None:
    rob = team.rob  # type: ignore[attr-defined]
    deal = deals.create_deal(ctx, rob, "Contoso roll-out", "Contoso", "12000")
    tasks = deals.deal_tasks(ctx, rob, deal.id)
    assert {t.title for t in tasks} == {"Meet the customer", "Identify decision makers"}
    # Initial visit: "Reminder after 7d"
    assert {t.due_at for t in tasks} == {START + timedelta(days=7)}
    assert {t.stage_name for t in tasks} == {"Initial visit"}
    view = deals.get_deal(ctx, rob, deal.id)
    assert view.next_activity is not None
    assert view.next_activity.due_at == START + timedelta(days=7)
    assert view.next_activity.title == "Identify decision makers"  # same time: by title
    assert view.flag is None and not view.next_activity.overdue


def test_the_task_list_groups_overdue_today_upcoming_and_undated(
    ctx: Context, team: object, clock: FakeClock
) -> None:
    rob = team.rob  # type: ignore[attr-defined]
    mia = team.mia  # type: ignore[attr-defined]
    late = deals.create_deal(ctx, rob, "Late deal", "Late", "1000")  # due START + 7d
    leads.create_lead(ctx, rob, "Undated lead")  # the lead review: no stage, no due date
    clock.advance(days=5)
    busy = deals.create_deal(ctx, rob, "Busy deal", "Busy", "2000")
    helpers.initial_visit(ctx, rob, busy.id)
    helpers.complete(ctx, rob, busy.id, "Analyse needs")  # follow-up due START + 7d (a day)
    clock.advance(days=2, hours=1)  # 12 January 10:00: Late's tasks are an hour overdue

    listed = my_tasks(ctx, team)
    groups = [t.due for t in listed]
    assert groups == sorted(groups, key=["overdue", "today", "upcoming", "none"].index)
    by_title = {t.title: t for t in listed}
    late_tasks = [t for t in listed if (t.subject_type, t.subject_id) == ("deal", late.id)]
    assert {t.due for t in late_tasks} == {"overdue"}
    assert by_title[FOLLOW_UP].due == "today"
    assert by_title[FOLLOW_UP].due_on == date(2026, 1, 12)
    assert by_title["Qualify budget"].due == "upcoming"
    assert by_title["Review lead"].due == "none"
    assert groups.count("overdue") == 2 and groups[-1] == "none"

    # Paged two at a time, the list reads the same, in the same order.
    paged: list[TaskView] = []
    cursor = None
    while True:
        page = worklist.list_tasks(ctx, rob, scope="mine", cursor=cursor, limit=2)
        paged += list(page)
        if page.next is None:
            break
        cursor = page.next
    assert [t.task_id for t in paged] == [t.task_id for t in listed]
    assert page.total == len(listed)

    late_view = deals.get_deal(ctx, rob, late.id)
    assert late_view.next_activity is not None and late_view.next_activity.overdue
    # quiet: unchanged for 7 days and an hour, longer than the stage's 7-day reminder
    assert late_view.flag == "quiet" and late_view.quiet_since == START
    busy_view = deals.get_deal(ctx, mia, busy.id)
    assert busy_view.next_activity is not None
    assert busy_view.next_activity.title == FOLLOW_UP
    assert busy_view.flag is None


def test_a_won_deals_follow_ups_leave_the_reps_list(ctx: Context, team: object, flow: Flow) -> None:
    rob = team.rob  # type: ignore[attr-defined]
    deal = deals.create_deal(ctx, rob, "Fabrikam", "Fabrikam", "30000")
    flow.ready_to_win(deal.id)
    assert FOLLOW_UP in [t.title for t in my_tasks(ctx, team)]

    deals.close_deal(ctx, rob, deal.id, "won")

    assert FOLLOW_UP not in [t.title for t in my_tasks(ctx, team)]
    view = deals.get_deal(ctx, rob, deal.id)
    assert view.detail is not None
    [follow_up] = view.detail["follow_ups"]
    assert follow_up["cancelled"] and follow_up["done"]
    history = list(deals.deal_history(ctx, rob, deal.id, sort="newest", limit=5))
    cancelled = [h for h in history if h.action == "follow_ups_cancelled"]
    assert len(cancelled) == 1
    assert cancelled[0].detail == {"follow_ups": [FOLLOW_UP]}
    assert cancelled[0].summary == f"The deal closed: cancelled the follow-up '{FOLLOW_UP}'"
    assert flow.count("follow_ups", deal_id=deal.id) == 1  # kept, marked cancelled


def test_a_lost_deal_cancels_its_follow_ups_and_a_deal_with_nothing_due_is_flagged(
    ctx: Context, team: object
) -> None:
    rob = team.rob  # type: ignore[attr-defined]
    deal = deals.create_deal(ctx, rob, "Northwind", "Northwind", "5000")
    helpers.initial_visit(ctx, rob, deal.id)
    helpers.needs_analysis(ctx, rob, deal.id)
    for task in deals.deal_tasks(ctx, rob, deal.id):
        assert task.due_at is not None  # solution design: reminder after 10 days
    follow_up = next(t for t in my_tasks(ctx, team) if t.kind == "follow_up")
    worklist.complete_task(ctx, rob, follow_up.task_id)

    deals.close_deal(ctx, rob, deal.id, "lost", "Too expensive")
    assert [t for t in my_tasks(ctx, team) if t.subject_id == deal.id] == []  # no lead here
    closed = deals.get_deal(ctx, rob, deal.id)
    assert closed.flag is None and closed.next_activity is None  # closed: no flags
    history = list(deals.deal_history(ctx, rob, deal.id, sort="newest", limit=10))
    assert "follow_ups_cancelled" not in [h.action for h in history]  # it was done already


def test_a_deal_waiting_to_be_closed_has_nothing_scheduled(
    ctx: Context, team: object, flow: Flow
) -> None:
    rob = team.rob  # type: ignore[attr-defined]
    deal = deals.create_deal(ctx, rob, "Wingtip", "Wingtip", "8000")
    flow.develop(deal.id)
    for task in [t for t in my_tasks(ctx, team) if t.subject_id == deal.id]:
        worklist.complete_task(ctx, rob, task.task_id)
    view = deals.get_deal(ctx, rob, deal.id)
    assert view.status == "open" and view.tasks == []
    assert view.next_activity is None and view.flag == "nothing_scheduled"
    listed = {d.id: d for d in deals.list_deals(ctx, rob, limit=50)}
    assert listed[deal.id].flag == "nothing_scheduled"


def test_qualifying_carries_the_leads_person_value_currency_and_asks_a_close_date(
    ctx: Context, team: object
) -> None:
    rob = team.rob  # type: ignore[attr-defined]
    lead = leads.create_lead(
        ctx,
        rob,
        "Ana Lima",
        "Lima Textiles",
        "ana@lima.example",
        "+351 21 000 0000",
        "4200.50",
        currency_code="eur",
    )
    qualified = leads.qualify_lead(ctx, rob, lead.id, expected_close_date="2026-03-31")
    assert qualified.deal_id is not None
    deal = deals.get_deal(ctx, rob, qualified.deal_id)
    assert (str(deal.value), deal.currency) == ("4200.50", "EUR")
    assert deal.expected_close_date == date(2026, 3, 31)
    assert deal.customer == "Lima Textiles"
    assert deal.detail is not None
    assert [(c["name"], c["email"], c["phone"]) for c in deal.detail["contacts"]] == [
        ("Ana Lima", "ana@lima.example", "+351 21 000 0000")
    ]

    other = leads.create_lead(ctx, rob, "Bo Chen", estimated_value="100")
    view = leads.qualify_lead(ctx, rob, other.id, value="2500", currency_code="usd")
    assert view.deal_id is not None
    chosen = deals.get_deal(ctx, rob, view.deal_id)
    assert (str(chosen.value), chosen.currency, chosen.customer) == ("2500.00", "USD", "Bo Chen")
    assert chosen.detail is not None and [c["name"] for c in chosen.detail["contacts"]] == [
        "Bo Chen"
    ]


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"expected_close_date": "end of March"}, "expected_close_date"),
        ({"value": "lots"}, "value"),
        ({"currency_code": "euro"}, "currency"),
    ],
)
def test_qualifying_refuses_bad_terms_naming_the_field(
    ctx: Context, team: object, terms: dict[str, str], field: str
) -> None:
    rob = team.rob  # type: ignore[attr-defined]
    lead = leads.create_lead(ctx, rob, "Dee")
    with pytest.raises(InvalidInput) as refused:
        leads.qualify_lead(ctx, rob, lead.id, **terms)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert leads.get_lead(ctx, rob, lead.id).status == "new"


def test_a_reopened_deal_shows_the_earlier_notes_files_and_restart_stage(
    ctx: Context, team: object
) -> None:
    rob = team.rob  # type: ignore[attr-defined]
    old = deals.create_deal(ctx, rob, "Litware", "Litware", "9000")
    note = records.add_note(ctx, rob, old.id, "They want a pilot first")
    stored = records.upload_attachment(ctx, rob, old.id, "terms.txt", b"30 days")
    deals.close_deal(ctx, rob, old.id, "lost", "Too expensive")

    new = deals.reopen_deal(ctx, rob, old.id)
    view = deals.get_deal(ctx, rob, new.id)
    assert view.detail is not None
    earlier = view.detail["reopened_from"]
    assert earlier["id"] == old.id and earlier["restarted_at"] == "Initial visit"
    assert [n["id"] for n in earlier["notes"]] == [note["id"]]  # the same rows: linked
    assert [a["id"] for a in earlier["attachments"]] == [stored["id"]]
    assert view.detail["notes"] == [] and view.detail["attachments"] == []
    created = next(iter(deals.deal_history(ctx, rob, new.id, limit=1)))
    assert created.summary == (f"Reopened from deal {old.id}, restarting at stage 'Initial visit'")
