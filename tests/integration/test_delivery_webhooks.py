"""Webhooks: deal events queued in the change's transaction, posted signed to a local receiver."""

from __future__ import annotations

from datetime import datetime

import pytest

from bpmn_sales.context import Context
from bpmn_sales.errors import Forbidden, InvalidInput, InvalidState
from bpmn_sales.persistence.models import OutboxMessage
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import deals
from bpmn_sales.services.delivery import outbox, webhooks
from bpmn_sales.services.delivery.send import deliver_due, deliver_pass
from tests.fakes import FakeClock
from tests.local_servers import WebhookReceiver
from tests.team import Team


def test_deal_events_are_posted_signed(
    ctx: Context, team: Team, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    ctx.base_url = "https://sales.example.test/"
    view, secret = webhooks.add_webhook(ctx, team.admin, receiver.url, ["deal.*"], "s" * 20)
    assert (view.events, view.secret_hint, secret) == (["deal.*"], "…ssss", "s" * 20)
    deal = deals.create_deal(ctx, team.rob, "Rollout", "Acme", "5000")
    deals.close_deal(ctx, team.rob, deal.id, "lost", reason="Too expensive")
    assert deliver_due(ctx) == 2
    assert len(receiver.received) == 2
    created, closed = receiver.received
    for hit in receiver.received:
        assert hit.signed_with(secret)
        assert not hit.signed_with("another secret of 20+ chars")
        assert hit.headers["Content-Type"] == "application/json"
        assert hit.headers["X-Bpmnsales-Timestamp"] == str(int(clock.now.timestamp()))
        assert hit.json()["sent_at"] == clock.now.isoformat()
    body = created.json()
    assert created.headers["X-Bpmnsales-Event"] == body["event"] == "deal.created"
    assert body["deal"]["id"] == deal.id and body["deal"]["owner"] == "rob"
    assert body["deal"]["url"] == f"https://sales.example.test/deals/{deal.id}"
    assert body["actor"] == "rob" and body["deal"]["value"] == "5000.00"
    lost = closed.json()
    assert lost["event"] == "deal.closed"
    assert (lost["change"]["from_status"], lost["change"]["to_status"]) == ("open", "lost")
    assert lost["deal"]["status"] == "lost"
    ids = [m["id"] for m in outbox.overview(ctx, team.admin, "sent")["messages"]]
    assert sorted(int(h.headers["X-Bpmnsales-Delivery"]) for h in receiver.received) == sorted(ids)
    assert body["delivery_id"] == int(created.headers["X-Bpmnsales-Delivery"])
    assert deliver_due(ctx) == 0


def counts(store: Store) -> dict[str, int]:
    """Messages of each status there are any of."""
    return {s: n for s, (n, _) in store.outbox_counts(outbox.STATUSES).items() if n}


def test_events_are_written_in_the_changes_transaction(ctx: Context, team: Team) -> None:
    webhooks.add_webhook(ctx, team.admin, "https://crm.example.test/hook")
    deal = deals.create_deal(ctx, team.rob, "Rollout")
    with ctx.uow() as store:
        store.record("deal", deal.id, ctx.clock(), team.rob.id, "noted")
        store.flush()
        assert counts(store) == {"pending": 2}  # created, and this one
        # no commit: the change and its event roll back together
    with ctx.uow() as store:
        assert counts(store) == {"pending": 1}
        store.record("lead", 1, ctx.clock(), team.rob.id, "noted")  # leads have no webhooks
        store.record("deal", deal.id, ctx.clock(), team.rob.id, "noted")
        store.commit()
    with ctx.uow() as store:
        assert counts(store) == {"pending": 2}
        events = [m.subject for m in store.outbox(None, 10)]
    assert events == ["deal.noted", "deal.created"]


def test_subscriptions_pick_events_and_disabled_hooks_get_none(
    sqlite_ctx: Context, sqlite_team: Team, receiver: WebhookReceiver
) -> None:
    ctx, team = sqlite_ctx, sqlite_team
    closed_only, _ = webhooks.add_webhook(ctx, team.admin, receiver.url + "?closed", "deal.closed")
    everything, _ = webhooks.add_webhook(ctx, team.admin, receiver.url + "?all", ["*"])
    off, _ = webhooks.add_webhook(ctx, team.admin, receiver.url + "?off", enabled=False)
    deal = deals.create_deal(ctx, team.rob, "Rollout")
    deals.update_deal(ctx, team.rob, deal.id, {"customer": "Acme"})
    deals.close_deal(ctx, team.rob, deal.id, "lost", reason="Too expensive")
    assert deliver_due(ctx) == 4
    got = sorted((h.path, h.json()["event"]) for h in receiver.received)
    assert got == [
        ("/hooks/sales?all", "deal.closed"),
        ("/hooks/sales?all", "deal.created"),
        ("/hooks/sales?all", "deal.updated"),
        ("/hooks/sales?closed", "deal.closed"),
    ]
    assert off.enabled is False and closed_only.events == ["deal.closed"]
    assert everything.events == ["*"]


def test_a_failing_receiver_is_retried_with_the_same_delivery_id(
    sqlite_ctx: Context, sqlite_team: Team, receiver: WebhookReceiver, clock: FakeClock
) -> None:
    ctx, team = sqlite_ctx, sqlite_team
    _, secret = webhooks.add_webhook(ctx, team.admin, receiver.url)
    deals.create_deal(ctx, team.rob, "Rollout")
    receiver.statuses = [500, 503]
    assert deliver_pass(ctx).retrying == 1
    [row] = outbox.overview(ctx, team.admin, "pending")["messages"]
    assert row["last_error"].startswith("HTTP 500")
    assert datetime.fromisoformat(row["next_attempt_at"]) == clock.now.replace(minute=1)
    clock.advance(minutes=1)
    assert deliver_pass(ctx).retrying == 1
    [row] = outbox.overview(ctx, team.admin, "pending")["messages"]
    assert row["attempts"] == 2 and row["last_error"].startswith("HTTP 503")
    clock.advance(minutes=1)
    assert deliver_due(ctx) == 0, "the second wait is two minutes"
    clock.advance(minutes=1)
    assert deliver_pass(ctx).sent == 1
    assert len(receiver.received) == 3
    assert {h.headers["X-Bpmnsales-Delivery"] for h in receiver.received} == {str(row["id"])}
    assert all(h.signed_with(secret) for h in receiver.received)


def test_redirects_are_not_followed(
    sqlite_ctx: Context, sqlite_team: Team, receiver: WebhookReceiver
) -> None:
    ctx, team = sqlite_ctx, sqlite_team
    elsewhere = WebhookReceiver()
    try:
        receiver.redirect_to = "file:///etc/passwd"
        webhooks.add_webhook(ctx, team.admin, receiver.url)
        deals.create_deal(ctx, team.rob, "Rollout")
        assert deliver_pass(ctx).retrying == 1
        [row] = outbox.overview(ctx, team.admin, "pending")["messages"]
        assert row["last_error"] == (
            "HTTP 302: redirected to file:///etc/passwd; redirects are not followed"
        )
        receiver.redirect_to = elsewhere.url
        result = webhooks.ping_webhook(ctx, team.admin, row["webhook_id"])
        assert result["ok"] is False and "redirects are not followed" in result["error"]
        assert elsewhere.received == []
    finally:
        elsewhere.stop()


def test_removing_a_webhook_fails_its_waiting_messages(
    sqlite_ctx: Context, sqlite_team: Team, receiver: WebhookReceiver
) -> None:
    ctx, team = sqlite_ctx, sqlite_team
    hook, _ = webhooks.add_webhook(ctx, team.admin, receiver.url)
    deals.create_deal(ctx, team.rob, "Rollout")
    assert webhooks.remove_webhook(ctx, team.admin, hook.id) == 1
    [dead] = outbox.overview(ctx, team.admin, "failed")["messages"]
    assert dead["last_error"] == f"webhook {hook.id} was removed"
    with pytest.raises(InvalidState, match="was removed; there is nowhere to send it"):
        outbox.retry_message(ctx, team.admin, dead["id"])
    assert deliver_due(ctx) == 0 and receiver.received == []
    assert webhooks.list_webhooks(ctx, team.admin) == []


def test_disabled_webhook_messages_fail_until_enabled_and_retried(
    sqlite_ctx: Context, sqlite_team: Team, receiver: WebhookReceiver
) -> None:
    ctx, team = sqlite_ctx, sqlite_team
    hook, _ = webhooks.add_webhook(ctx, team.admin, receiver.url)
    deals.create_deal(ctx, team.rob, "Rollout")
    webhooks.update_webhook(ctx, team.admin, hook.id, enabled=False)
    assert deliver_pass(ctx).failed == 1
    [dead] = outbox.overview(ctx, team.admin, "failed")["messages"]
    assert "is disabled" in dead["last_error"]
    webhooks.update_webhook(ctx, team.admin, hook.id, enabled=True)
    assert outbox.retry_failed(ctx, team.admin) == 1
    assert deliver_pass(ctx).sent == 1 and len(receiver.received) == 1


def test_ping(sqlite_ctx: Context, sqlite_team: Team, receiver: WebhookReceiver) -> None:
    ctx, team = sqlite_ctx, sqlite_team
    hook, secret = webhooks.add_webhook(ctx, team.admin, receiver.url)
    ping = webhooks.ping_webhook(ctx, team.admin, hook.id)
    assert ping.pop("elapsed_ms") >= 0
    assert ping == {"ok": True, "status": 200, "error": None}
    [hit] = receiver.received
    assert hit.signed_with(secret) and hit.json()["event"] == "ping"
    receiver.statuses = [410]
    assert webhooks.ping_webhook(ctx, team.admin, hook.id)["error"].startswith("HTTP 410")
    with ctx.uow() as store:
        assert store.session.query(OutboxMessage).count() == 0  # a ping is not queued


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.test/x", "must start with http:// or https://"),
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("file:///etc/passwd", "must start with http:// or https://"),
        ("http:///nohost", "no host"),
        ("", "url is required"),
    ],
)
def test_only_http_urls_are_accepted(
    sqlite_ctx: Context, sqlite_team: Team, url: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        webhooks.add_webhook(sqlite_ctx, sqlite_team.admin, url)
    assert caught.value.details["field"] == "url"


def test_webhook_input_and_access(sqlite_ctx: Context, sqlite_team: Team) -> None:
    ctx, team = sqlite_ctx, sqlite_team
    url = "https://crm.example.test/in"
    with pytest.raises(InvalidInput, match=r"event 'lead\.created' is not an event name"):
        webhooks.add_webhook(ctx, team.admin, url, ["lead.created"])
    with pytest.raises(InvalidInput, match="at least 16 characters"):
        webhooks.add_webhook(ctx, team.admin, url, secret="short")
    with pytest.raises(Forbidden, match="only an admin may add webhooks"):
        webhooks.add_webhook(ctx, team.mia, url)
    with pytest.raises(Forbidden):
        webhooks.list_webhooks(ctx, team.rob)
    view, secret = webhooks.add_webhook(ctx, team.admin, url, "deal.closed, deal.moved")
    assert view.events == ["deal.closed", "deal.moved"] and len(secret) >= 40
    changed = webhooks.update_webhook(ctx, team.admin, view.id, events=["deal.*"], url=url + "2")
    assert (changed.events, changed.url) == (["deal.*"], url + "2")


def test_an_unreachable_receiver_is_tried_once_per_pass(
    sqlite_ctx: Context, sqlite_team: Team, receiver: WebhookReceiver
) -> None:
    ctx, team = sqlite_ctx, sqlite_team
    webhooks.add_webhook(ctx, team.admin, receiver.url)
    deal = deals.create_deal(ctx, team.rob, "Rollout")
    deals.update_deal(ctx, team.rob, deal.id, {"customer": "Acme"})
    receiver.stop()
    result = deliver_pass(ctx)
    assert (result.attempted, result.retrying) == (2, 2)
    errors = {m["last_error"] for m in outbox.overview(ctx, team.admin, "pending")["messages"]}
    assert len(errors) == 1 and errors.pop().startswith(f"could not reach {receiver.url}")
