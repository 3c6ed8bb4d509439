"""The `worker --once` and `deal message` verbs."""

from __future__ import annotations

from tests.cli.cli_checks import Run, assert_error, ok_json


def test_worker_once_does_one_pass(ready: Run) -> None:
    result = ready("worker", "--once")
    assert result.exit_code == 0, result.output
    assert "pass done: 0 timer firing(s)" in result.stderr


def test_deal_message(ready: Run) -> None:
    deal = ok_json(ready("deal", "create", "--name", "CLI quote", "--json", user="rob"))
    assert_error(
        ready("deal", "message", str(deal["id"]), "quote_generated", user="rob"),
        "not waiting for message 'quote_generated'",
        "waits for: none",
    )
    assert_error(
        ready("deal", "message", str(deal["id"]), "quote_generated", "--payload", "{oops"),
        "--payload is not JSON",
    )
    assert_error(ready("deal", "message", "9999", "quote_generated"), "deal 9999 does not exist")
    assert_error(
        ready("deal", "message", str(deal["id"]), "email_sent", user="rob"),
        "not one the deal's process knows",
    )
