"""The messages and timers API: deliver a message to a deal, list what a deal waits for."""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.test import TestResponse

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests.helpers import walk_to

Call = Callable[..., TestResponse]


def test_message_over_the_api(api: Call, demo_ctx: Context) -> None:
    rob = users.actor_for_username(demo_ctx, "rob")
    mia = users.actor_for_username(demo_ctx, "mia")
    deal = deals.create_deal(demo_ctx, rob, "API quote", "Acme", 5000)
    path = f"/deals/{deal.id}/messages"

    early = api("POST", path, json={"name": "quote_generated"})
    assert early.status_code == 409
    assert "waits for: none" in early.get_json()["message"]
    unknown = api("POST", path, json={"name": "email_sent"})
    assert unknown.status_code == 400 and unknown.get_json()["field"] == "name"
    assert api("POST", path, json={}).status_code == 400
    assert api("POST", "/deals/99999/messages", json={"name": "x"}).status_code == 404
    assert api("POST", path, user="olga", json={"name": "quote_generated"}).status_code == 404

    walk_to(demo_ctx, rob, mia, deal.id, "quote_and_bid")
    sent = api("POST", path, json={"name": "quote_generated", "payload": {"quote_id": "Q-9"}})
    assert sent.status_code == 200, sent.get_json()
    assert [t["title"] for t in sent.get_json()["tasks"]] == ["Negotiate terms"]


def test_timers_over_the_api(api: Call, demo_ctx: Context) -> None:
    rob = users.actor_for_username(demo_ctx, "rob")
    deal = deals.create_deal(demo_ctx, rob, "API timers", "Acme", 5000)
    shown = api("GET", f"/deals/{deal.id}/timers").get_json()
    assert [t["element_id"] for t in shown] == [
        "Event_InitialVisitReminder",
        "Event_InitialVisitEscalation",
    ]
    assert shown[0]["name"] == "Reminder after 7d"
    assert api("GET", f"/deals/{deal.id}/timers", user="olga").status_code == 404
    assert api("GET", "/leads/99999/timers").status_code == 404
