"""The `outbox` and `webhook` verbs: list, retry, one delivery pass; add, list, test, remove."""

from __future__ import annotations

import re

import pytest

from tests.cli.cli_checks import DEMO, Cli, CliOn, Run, assert_error, ok_json
from tests.local_servers import SmtpServer, WebhookReceiver


@pytest.fixture
def ready(cli_on: CliOn) -> Cli:
    """The demo data (with mail waiting in the outbox), and a CLI on it (no SMTP_URL; webhooks
    may post to the local receiver)."""
    return cli_on(*DEMO, env={"SMTP_URL": "", "OUTBOUND_ALLOW": "127.0.0.1"})


def test_outbox_deliver_list_and_retry(ready: Run, smtp: SmtpServer) -> None:
    queued = ok_json(ready("outbox", "list", "--json"))["counts"]["pending"]
    assert queued > 1  # the demo's notifications queued mail
    listed = ready("outbox", "list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[0] == f"{queued} pending, 0 sending, 0 sent, 0 failed"
    assert ready("outbox", "deliver").stdout.strip() == (
        "attempted 0: 0 sent, 0 to retry later, 0 failed"
    )
    waiting = ok_json(ready("outbox", "list", "--status", "pending", "--json"))["messages"]
    assert {m["last_error"] for m in waiting} == {"SMTP_URL is not set"}
    smtp.catcher.refuse.add("mia@example.com")
    env = {"SMTP_URL": f"smtp://127.0.0.1:{smtp.port}"}
    result = ok_json(ready("outbox", "deliver", "--limit", "500", "--json", env=env))
    assert result["attempted"] == queued and result["sent"] + result["failed"] == queued
    assert len(smtp.catcher.messages) == result["sent"]
    failed = ok_json(ready("outbox", "list", "--status", "failed", "--json"))["messages"]
    assert len(failed) == result["failed"] and all("mia@" in m["recipient"] for m in failed)
    text = ready("outbox", "list", "--status", "failed").stdout
    assert "550 5.1.1 no such mailbox" in text
    retried = ok_json(ready("outbox", "retry", str(failed[0]["id"]), "--json"))
    assert retried["status"] == "pending"
    assert_error(ready("outbox", "retry", str(failed[0]["id"])), "only a failed one is retried")
    assert_error(ready("outbox", "retry"), "give a message ID or --all-failed")
    assert_error(ready("outbox", "retry", "1", "--all-failed"), "one of them")
    assert ready("outbox", "retry", "--all-failed").stdout.strip() == (
        f"{len(failed) - 1} failed message(s) queued again"
    )
    smtp.catcher.refuse.clear()
    again = ok_json(ready("outbox", "deliver", "--json", env=env))
    assert again["sent"] == len(failed)
    assert ok_json(ready("outbox", "list", "--json"))["counts"]["sent"] == queued
    assert_error(ready("outbox", "list", user="rob"), "only an admin may read the outbox")


def test_webhook_verbs(ready: Run, receiver: WebhookReceiver) -> None:
    added = ok_json(ready("webhook", "add", receiver.url, "--events", "deal.closed", "--json"))
    assert added["events"] == ["deal.closed"] and len(added["secret"]) >= 40
    lines = ready("webhook", "list").stdout.splitlines()
    assert lines == [
        f"{added['id']:<4} enabled  {receiver.url} events=deal.closed secret={added['secret_hint']}"
    ]
    tested = ready("webhook", "test", str(added["id"]))
    assert tested.exit_code == 0
    assert re.fullmatch(r"HTTP 200: ok \(\d+ ms\)", tested.stdout.strip()), tested.stdout
    assert receiver.received[0].signed_with(added["secret"])
    receiver.statuses = [503]
    refused = ready("webhook", "test", str(added["id"]))
    assert refused.exit_code == 1 and "not taken: HTTP 503" in refused.stdout
    assert "disabled" in ready("webhook", "disable", str(added["id"])).stdout
    assert "enabled" in ready("webhook", "enable", str(added["id"])).stdout
    assert_error(ready("webhook", "add", "file:///etc/passwd"), "must start with http://")
    assert_error(ready("webhook", "add", receiver.url, user="rob"), "only an admin")
    local = ready("webhook", "add", "http://127.0.0.1:9/x", env={"OUTBOUND_ALLOW": ""})
    assert_error(local, "url 'http://127.0.0.1:9/x' is refused", "127.0.0.1 is a loopback address")
    removed = ready("webhook", "remove", str(added["id"]))
    assert removed.stdout.strip() == (
        f"webhook {added['id']} removed; 0 waiting message(s) marked failed"
    )
    assert ready("webhook", "list").stdout.strip() == "no webhooks"
    assert_error(ready("webhook", "remove", str(added["id"])), "does not exist")
