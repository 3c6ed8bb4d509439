"""The worker (fire due timers, deliver the outbox) and messages to deals (issue 7)."""

from __future__ import annotations

import json
import logging
import signal
import sys
from types import FrameType

import click

from bpmn_sales.cli.base import State, handled, json_option, main, pass_state
from bpmn_sales.cli.deals import deal_group
from bpmn_sales.cli.views import show_deal, version_option
from bpmn_sales.errors import InvalidInput
from bpmn_sales.services.deals import messages
from bpmn_sales.services.worker.loop import Worker


@main.command(name="worker")
@click.option("--once", is_flag=True, help="Do one pass and exit (for cron and tests).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=5.0,
    show_default=True,
    help="Seconds between passes.",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1, max=10_000),
    default=100,
    show_default=True,
    help="Most leads/deals (and outbox messages) handled per pass.",
)
@pass_state
@handled
def worker_command(state: State, once: bool, interval: float, batch: int) -> None:
    """Fire due BPMN timers, advance the instances and deliver the outbox, until SIGTERM.

    Several workers may run at once on PostgreSQL; run one on SQLite.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log = logging.getLogger("bpmn_sales.worker")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    worker = Worker(state.ctx, interval, batch)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received: finishing the current deal", signal.Signals(signum).name)
        worker.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        code = worker.run(once=once)
    finally:
        log.removeHandler(handler)
        log.propagate = True
    sys.exit(code)


@deal_group.command(name="message")
@click.argument("deal_id", type=int)
@click.argument("name")
@click.option("--payload", default=None, help='JSON object, e.g. \'{"quote_id": "Q-1"}\'.')
@version_option
@json_option
@pass_state
@handled
def deal_message(
    state: State,
    deal_id: int,
    name: str,
    payload: str | None,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Deliver a named BPMN message (e.g. quote_generated) to a deal waiting for it."""
    data: object = None
    if payload is not None:
        try:
            data = json.loads(payload)
        except ValueError as exc:
            raise InvalidInput(f"--payload is not JSON: {exc}", field="payload") from None
    view = messages.send_message(state.ctx, state.actor(), deal_id, name, data, expected_version)
    show_deal(view, as_json)
