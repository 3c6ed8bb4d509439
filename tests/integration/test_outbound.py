"""Outbound requests reach public addresses only: no webhook to the server's own networks.

The probe's spellings of "here" are each refused, when a webhook is configured (400 naming
`url`) and again when anything is posted; OUTBOUND_ALLOW opens named hosts and networks; the
request goes to the address that was checked; a test ping reports status and time, never the
receiver's reply.
"""

from __future__ import annotations

import pytest

from bpmn_sales.context import Context
from bpmn_sales.errors import InvalidInput
from bpmn_sales.services.delivery import outbound, webhooks
from bpmn_sales.services.delivery.webhook_http import WebhookFailed, post
from bpmn_sales.services.delivery.webhook_http import _PinnedHTTP as PinnedHTTP
from bpmn_sales.web import create_app
from tests.local_servers import WebhookReceiver
from tests.team import Team
from tests.web.api import Api

HERE = [
    "http://127.0.0.1/",
    "http://localhost:8000/",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://2130706433/",  # 127.0.0.1 as one number
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.10/",
    "http://100.64.0.1/",  # shared address space (carrier-grade NAT)
    "http://224.0.0.1/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://240.0.0.1/",
]


@pytest.mark.parametrize("url", HERE)
def test_every_spelling_of_the_servers_own_networks_is_refused(url: str) -> None:
    with pytest.raises(outbound.Unreachable, match="not reachable from here"):
        outbound.check(url)


def test_a_public_address_may_be_reached() -> None:
    target = outbound.check("https://93.184.216.34:8443/in?x=1")
    assert (target.scheme, target.host, target.port, target.address, target.path) == (
        "https",
        "93.184.216.34",
        8443,
        "93.184.216.34",
        "/in?x=1",
    )


def test_the_allow_list_opens_named_hosts_and_networks() -> None:
    assert outbound.check("http://10.1.2.3/", ["10.1.0.0/16"]).address == "10.1.2.3"
    assert outbound.check("http://localhost:9/", ["localhost"]).address in ("127.0.0.1", "::1")
    with pytest.raises(outbound.Unreachable):
        outbound.check("http://10.2.0.1/", ["10.1.0.0/16"])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/",
        "http://2130706433/",
    ],
)
def test_a_webhook_to_here_is_refused_naming_url(
    sqlite_ctx: Context, sqlite_team: Team, url: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        webhooks.add_webhook(sqlite_ctx, sqlite_team.admin, url)
    assert refused.value.field == "url"
    assert "not reachable from here" in refused.value.message


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/",
        "http://2130706433/",
    ],
)
def test_the_api_refuses_them_with_400(sqlite_ctx: Context, sqlite_team: Team, url: str) -> None:
    app = create_app({"CONTEXT": sqlite_ctx, "TESTING": True, "SECRET_KEY": "t" * 16})
    api = Api(app.test_client(), sqlite_team.tokens, "admin")
    response = api("POST", "/webhooks", json={"url": url})
    assert response.status_code == 400
    body = response.get_json()
    assert (body["error"], body["field"]) == ("invalid_input", "url")


def test_a_name_that_does_not_resolve_yet_is_accepted_and_checked_again_when_posting(
    sqlite_ctx: Context, sqlite_team: Team
) -> None:
    view, _ = webhooks.add_webhook(sqlite_ctx, sqlite_team.admin, "https://crm.example.test/in")
    ping = webhooks.ping_webhook(sqlite_ctx, sqlite_team.admin, view.id)
    assert ping["ok"] is False and "cannot be resolved" in ping["error"]


def test_posting_checks_the_address_again(receiver: WebhookReceiver) -> None:
    with pytest.raises(WebhookFailed, match=r"127\.0\.0\.1 is a loopback address"):
        post(receiver.url, b"{}", {}, 5)
    assert receiver.received == []
    assert post(receiver.url, b"{}", {}, 5, ["127.0.0.1"]) == 200


def test_the_request_goes_to_the_checked_address_under_the_urls_host_name(
    receiver: WebhookReceiver,
) -> None:
    """No second DNS lookup: the connection is made to the address that was checked."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    target = outbound.Target("http", "hooks.example.test", port, "127.0.0.1", "/hooks/sales")
    connection = PinnedHTTP(target, 5)
    connection.request("POST", target.path, body=b"{}", headers={"Content-Length": "2"})
    assert connection.getresponse().status == 200
    connection.close()
    [hit] = receiver.received
    assert hit.headers["Host"] == f"hooks.example.test:{port}"


def test_a_ping_reports_status_and_time_never_the_reply(
    sqlite_ctx: Context, sqlite_team: Team, receiver: WebhookReceiver
) -> None:
    view, _ = webhooks.add_webhook(sqlite_ctx, sqlite_team.admin, receiver.url)
    receiver.reply = b"internal: db password hunter2"
    receiver.statuses = [500]
    ping = webhooks.ping_webhook(sqlite_ctx, sqlite_team.admin, view.id)
    assert ping["ok"] is False and ping["status"] == 500
    assert ping["error"] == "HTTP 500 Internal Server Error"
    assert isinstance(ping["elapsed_ms"], int)
    assert "hunter2" not in str(ping)
