"""The rep's day on the pages and the API: the task list grouped by due at a bounded number of
statements, each open deal's next activity and flag, the qualify form's terms."""

from __future__ import annotations

import re
from collections.abc import Callable

from bpmn_sales.context import Context
from bpmn_sales.services import deals, leads
from bpmn_sales.services.people import users
from tests.fakes import FakeClock
from tests.statements import Statements
from tests.web.api import Api
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]
ORDER = ["overdue", "today", "upcoming", "none"]
MOST = 25


def counted(statements: Statements, call: Callable[[], object]) -> tuple[int, object]:
    with statements.counting():
        found = call()
    return statements.count, found


def test_the_task_list_groups_by_due_at_the_same_statements_at_two_sizes(
    visitor: Visitor, api: Api, demo_ctx: Context, statements: Statements, clock: FakeClock
) -> None:
    rob = visitor("rob")
    rob.get("/tasks")
    api("GET", "/tasks?limit=500&scope=mine", user="rob")  # warm: specs and rules
    page_before, _ = counted(statements, lambda: rob.get("/tasks?limit=500"))
    api_before, first = counted(
        statements, lambda: api("GET", "/tasks?limit=500&scope=mine", user="rob")
    )

    # A month later every task the demo gave a due time is overdue; new deals' tasks are
    # upcoming and new leads' reviews have no due date.
    clock.advance(days=30)
    actor = users.actor_for_username(demo_ctx, "rob")
    for n in range(4):
        deals.create_deal(demo_ctx, actor, f"Later deal {n}", f"Later {n}", 1000 + n)
        leads.create_lead(demo_ctx, actor, f"Later lead {n}")

    rob = visitor("rob")  # a month on: signed in again
    rob.get("/tasks")
    page_after, shown = counted(statements, lambda: rob.get("/tasks?limit=500"))
    api_after, listed = counted(
        statements, lambda: api("GET", "/tasks?limit=500&scope=mine", user="rob")
    )
    assert api_after == api_before <= MOST, statements.summary()
    assert page_after == page_before <= MOST, statements.summary()

    body = listed.get_json()  # type: ignore[attr-defined]
    assert len(body) > len(first.get_json())  # type: ignore[attr-defined]
    groups = [t["due"] for t in body]
    assert groups == sorted(groups, key=ORDER.index)
    assert {"overdue", "upcoming", "none"} <= set(groups)
    for task in body:
        if task["due"] == "upcoming":
            assert task["due_at"] is not None and task["stage_name"] == "Initial visit"
    html = Pages.text(shown)  # type: ignore[arg-type]
    sections = re.findall(r'data-testid="due-group" data-due="(\w+)"', html)
    assert sections == sorted(set(sections), key=ORDER.index)
    assert {"overdue", "upcoming", "none"} <= set(sections)
    assert "Overdue" in html and "No due date" in html
    assert "Initial visit" in html


def test_deals_list_board_and_deal_page_flag_quiet_deals(
    visitor: Visitor, demo_ctx: Context, clock: FakeClock
) -> None:
    actor = users.actor_for_username(demo_ctx, "rob")
    fresh = deals.create_deal(demo_ctx, actor, "Fresh deal", "Fresh", 500)
    rob = visitor("rob")
    listing = Pages.text(rob.get("/deals?limit=200"))
    row = re.search(rf'data-testid="deal-row-{fresh.id}">(.*?)</tr>', listing, re.S)
    assert row is not None and 'data-testid="next-activity"' in row[1]
    assert 'data-testid="deal-flag"' not in row[1]

    clock.advance(days=40)  # past every stage's reminder
    rob = visitor("rob")
    listing = Pages.text(rob.get("/deals?limit=200"))
    row = re.search(rf'data-testid="deal-row-{fresh.id}">(.*?)</tr>', listing, re.S)
    assert row is not None and 'data-flag="quiet"' in row[1]
    assert "Quiet since" in row[1] and "overdue" in row[1]
    board = Pages.text(rob.get("/board?process=sales_process"))
    card = re.search(rf'data-testid="next-{fresh.id}">(.*?)</div>', board, re.S)
    assert card is not None and 'data-flag="quiet"' in card[1]
    page = Pages.text(rob.get(f"/deals/{fresh.id}"))
    assert 'data-testid="deal-next"' in page and 'data-flag="quiet"' in page


def test_the_qualify_form_asks_the_terms_and_names_a_bad_one_beside_it(
    visitor: Visitor, demo_ctx: Context
) -> None:
    actor = users.actor_for_username(demo_ctx, "rob")
    lead = leads.create_lead(
        demo_ctx, actor, "Iris Park", "Park Labs", "iris@park.example", "555-0101", "7000"
    )
    rob = visitor("rob")
    page = Pages.text(rob.get(f"/leads/{lead.id}"))
    assert 'id="qualify-value"' in page and 'value="7000.00"' in page
    assert 'id="qualify-expected_close_date"' in page
    refused = rob.post(
        f"/leads/{lead.id}/qualify",
        {"version": lead.version, "expected_close_date": "soon", "currency": "EUR"},
        status=400,
    )
    text = Pages.text(refused)
    assert 'id="qualify-expected_close_date-error"' in text
    assert 'value="soon"' in text  # what was typed stays
    done = rob.post(
        f"/leads/{lead.id}/qualify",
        {
            "version": lead.version,
            "value": "6500",
            "currency": "eur",
            "expected_close_date": "2026-05-29",
        },
        status=302,
    )
    deal_page = Pages.text(rob.follow(done))
    assert "Park Labs" in deal_page and "Iris Park" in deal_page
    deal_id = int(done.headers["Location"].rsplit("/", 1)[1])
    deal = deals.get_deal(demo_ctx, actor, deal_id)
    assert (str(deal.value), deal.currency, str(deal.expected_close_date)) == (
        "6500.00",
        "EUR",
        "2026-05-29",
    )


def test_qualify_api_takes_the_terms_and_refuses_a_bad_currency(
    api: Api, demo_ctx: Context
) -> None:
    actor = users.actor_for_username(demo_ctx, "rob")
    lead = leads.create_lead(demo_ctx, actor, "Uma Roy", "Roy & Co", estimated_value="300")
    bad = api("POST", f"/leads/{lead.id}/qualify", json={"currency": "rupees"}, user="rob")
    assert bad.status_code == 400
    assert "currency" in bad.get_data(as_text=True)
    good = api(
        "POST",
        f"/leads/{lead.id}/qualify",
        json={"value": 450.25, "currency": "INR", "expected_close_date": "2026-07-01"},
        user="rob",
    )
    assert good.status_code == 200, good.get_data(as_text=True)
    deal_id = good.get_json()["deal_id"]
    deal = api("GET", f"/deals/{deal_id}", user="rob").get_json()
    assert (deal["value"], deal["currency"], deal["expected_close_date"]) == (
        450.25,
        "INR",
        "2026-07-01",
    )
    assert [c["name"] for c in deal["detail"]["contacts"]] == ["Uma Roy"]
    assert deal["next_activity"]["title"] and deal["flag"] is None
