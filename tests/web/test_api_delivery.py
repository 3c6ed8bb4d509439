"""The outbox and webhook API: admins only, errors that name the field, signed pings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.delivery.send import deliver_pass
from bpmn_sales.services.people import users
from tests.local_servers import WebhookReceiver
from tests.team import Team
from tests.web.api import Api

Call = Callable[..., TestResponse]


@pytest.fixture
def api(client: FlaskClient, sqlite_team: Team) -> Api:
    """The API on the bundled diagrams, as the small team (admin unless named)."""
    return Api(client, sqlite_team.tokens, "admin")


def test_webhook_crud_and_ping(api: Call, receiver: WebhookReceiver) -> None:
    response = api("POST", "/webhooks", json={"url": receiver.url, "events": ["deal.closed"]})
    assert response.status_code == 201, response.get_json()
    hook = response.get_json()
    assert response.headers["Location"] == f"/api/v1/webhooks/{hook['id']}"
    assert hook["events"] == ["deal.closed"] and len(hook["secret"]) >= 40
    assert hook["secret_hint"] == "…" + hook["secret"][-4:] and hook["created_by"] == "admin"
    [listed] = api("GET", "/webhooks").get_json()
    assert "secret" not in listed and listed["url"] == receiver.url
    changed = api("PATCH", f"/webhooks/{hook['id']}", json={"enabled": False}).get_json()
    assert changed["enabled"] is False
    ping = api("POST", f"/webhooks/{hook['id']}/test").get_json()
    assert ping.pop("elapsed_ms") >= 0
    assert ping == {"ok": True, "status": 200, "error": None}
    assert receiver.received[0].signed_with(hook["secret"])
    assert api("DELETE", f"/webhooks/{hook['id']}").get_json() == {"failed": 0}
    assert api("GET", "/webhooks").get_json() == []
    assert api("DELETE", f"/webhooks/{hook['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "gopher://example.test"}, "url"),
        ({"url": "https://example.test", "events": "deal.*"}, None),
        ({"url": "https://example.test", "events": ["lead.*"]}, "events"),
        ({"url": "https://example.test", "secret": "short"}, "secret"),
        ({"url": "https://example.test", "enabled": "yes"}, "enabled"),
    ],
)
def test_webhook_input_errors_name_the_field(
    api: Call, body: dict[str, Any], field: str | None
) -> None:
    response = api("POST", "/webhooks", json=body)
    if field is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["field"] == field


def test_reps_and_managers_are_refused(api: Call) -> None:
    for user in ("rob", "mia"):
        assert api("GET", "/outbox", user=user).status_code == 403
        assert api("GET", "/webhooks", user=user).status_code == 403
        assert api("POST", "/outbox/retry-failed", user=user).status_code == 403
        response = api("POST", "/webhooks", user=user, json={"url": "https://example.test"})
        assert response.status_code == 403


def test_outbox_retry_over_http(api: Call, sqlite_ctx: Context, receiver: WebhookReceiver) -> None:
    hook = api("POST", "/webhooks", json={"url": receiver.url}).get_json()
    rob = users.actor_for_username(sqlite_ctx, "rob")
    deals.create_deal(sqlite_ctx, rob, "Rollout")
    api("PATCH", f"/webhooks/{hook['id']}", json={"enabled": False})
    assert deliver_pass(sqlite_ctx).failed == 1
    [failed] = api("GET", "/outbox?status=failed").get_json()
    assert failed["channel"] == "webhook" and failed["subject"] == "deal.created"
    assert "is disabled" in failed["last_error"]
    detail = api("GET", f"/outbox/{failed['id']}").get_json()
    assert '"event": "deal.created"' in detail["body"]
    assert api("GET", "/outbox?status=lost").get_json()["field"] == "status"
    api("PATCH", f"/webhooks/{hook['id']}", json={"enabled": True})
    retried = api("POST", f"/outbox/{failed['id']}/retry").get_json()
    assert (retried["status"], retried["attempts"]) == ("pending", 0)
    assert api("POST", f"/outbox/{failed['id']}/retry").status_code == 409
    assert api("POST", "/outbox/999/retry").status_code == 404
    assert api("POST", "/outbox/retry-failed").get_json() == {"retried": 0}
    assert deliver_pass(sqlite_ctx).sent == 1
    assert receiver.received[0].signed_with(hook["secret"])
