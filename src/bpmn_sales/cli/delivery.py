"""Outbox and webhook verbs: list what waits or failed, retry, deliver once; manage webhooks."""

from __future__ import annotations

from typing import Any

import click

from bpmn_sales.cli.base import State, emit, fail, handled, json_option, main, pass_state
from bpmn_sales.cli.paging import paged_options
from bpmn_sales.services import delivery
from bpmn_sales.services.delivery import notices, outbox, webhooks
from bpmn_sales.services.delivery.outbox import STATUSES

__all__ = ["main"]


def message_line(m: dict[str, Any]) -> str:
    when = m["next_attempt_at"] or m["sent_at"] or m["created_at"]
    error = f"  {m['last_error']}" if m["last_error"] else ""
    return (
        f"{m['id']:<6} {m['status']:<8} {m['channel']:<8} tries={m['attempts']:<3} "
        f"{when[:19]} {m['recipient']} | {m['subject']}{error}"
    )


@main.group(name="outbox")
def outbox_group() -> None:
    """Mail and webhook messages waiting, sent or failed (admin)."""


@outbox_group.command(name="list")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status.")
@paged_options()
@json_option
@pass_state
@handled
def outbox_list(
    state: State, status: str | None, limit: int, after: str | None, every: bool, as_json: bool
) -> None:
    """List outbox messages, newest first, with attempts and the last error (a page at a time;
    the first line counts them by status, up to 1,000+)."""
    actor = state.actor()
    view = outbox.overview(state.ctx, actor, status, limit, after)
    pages = [view["messages"]]
    while every and pages[-1].next:
        pages.append(notices.list_outbox(state.ctx, actor, status, limit, pages[-1].next))
    listed = [m for page in pages for m in page]
    counts = ", ".join(f"{n} {s}" for s, n in view["counts_text"].items())
    emit({**view, "messages": listed}, as_json, [counts, *(message_line(m) for m in listed)])
    if pages[-1].next and not every:
        click.echo(f"more: --after {pages[-1].next}", err=True)


@outbox_group.command(name="retry")
@click.argument("message_id", type=int, required=False)
@click.option("--all-failed", is_flag=True, help="Retry every failed message.")
@json_option
@pass_state
@handled
def outbox_retry(state: State, message_id: int | None, all_failed: bool, as_json: bool) -> None:
    """Put a failed message (or --all-failed) back in line, due now."""
    if (message_id is None) == (not all_failed):
        fail("give a message ID or --all-failed (one of them)")
    if all_failed:
        count = outbox.retry_failed(state.ctx, state.actor())
        emit({"retried": count}, as_json, [f"{count} failed message(s) queued again"])
        return
    assert message_id is not None
    message = outbox.retry_message(state.ctx, state.actor(), message_id)
    emit(message, as_json, [f"queued again: {message_line(message)}"])


@outbox_group.command(name="deliver")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@json_option
@pass_state
@handled
def outbox_deliver(state: State, limit: int, as_json: bool) -> None:
    """One delivery pass, as the worker does it: send what is due (SMTP_URL for mail)."""
    result = delivery.deliver_pass(state.ctx, limit)
    line = (
        f"attempted {result.attempted}: {result.sent} sent, {result.retrying} to retry later, "
        f"{result.failed} failed"
    )
    emit(result.to_dict(), as_json, [line])


@main.group(name="webhook")
def webhook_group() -> None:
    """URLs that receive signed JSON for deal events (admin)."""


def hook_line(h: webhooks.WebhookView) -> str:
    state = "enabled" if h.enabled else "disabled"
    return f"{h.id:<4} {state:<8} {h.url} events={','.join(h.events)} secret={h.secret_hint}"


@webhook_group.command(name="add")
@click.argument("url")
@click.option("--events", default=None, help="Comma-separated: deal.created,deal.moved or deal.*")
@click.option("--secret", default=None, help="The signing secret (default: generated).")
@click.option("--description", default=None)
@click.option("--disabled", is_flag=True, help="Add it switched off.")
@json_option
@pass_state
@handled
def webhook_add(
    state: State,
    url: str,
    events: str | None,
    secret: str | None,
    description: str | None,
    disabled: bool,
    as_json: bool,
) -> None:
    """Add a webhook for URL; prints its signing secret (keep it: it is shown once)."""
    view, key = webhooks.add_webhook(
        state.ctx, state.actor(), url, events, secret, description, not disabled
    )
    emit({**view.to_dict(), "secret": key}, as_json, [hook_line(view), f"secret: {key}"])


@webhook_group.command(name="list")
@json_option
@pass_state
@handled
def webhook_list(state: State, as_json: bool) -> None:
    """List webhooks."""
    found = webhooks.list_webhooks(state.ctx, state.actor())
    emit([h.to_dict() for h in found], as_json, [hook_line(h) for h in found] or ["no webhooks"])


@webhook_group.command(name="remove")
@click.argument("webhook_id", type=int)
@pass_state
@handled
def webhook_remove(state: State, webhook_id: int) -> None:
    """Remove a webhook; its waiting messages are marked failed."""
    failed = webhooks.remove_webhook(state.ctx, state.actor(), webhook_id)
    click.echo(f"webhook {webhook_id} removed; {failed} waiting message(s) marked failed")


@webhook_group.command(name="enable")
@click.argument("webhook_id", type=int)
@pass_state
@handled
def webhook_enable(state: State, webhook_id: int) -> None:
    """Switch a webhook on."""
    click.echo(
        hook_line(webhooks.update_webhook(state.ctx, state.actor(), webhook_id, enabled=True))
    )


@webhook_group.command(name="disable")
@click.argument("webhook_id", type=int)
@pass_state
@handled
def webhook_disable(state: State, webhook_id: int) -> None:
    """Switch a webhook off: no new events are queued for it."""
    view = webhooks.update_webhook(state.ctx, state.actor(), webhook_id, enabled=False)
    click.echo(hook_line(view))


@webhook_group.command(name="test")
@click.argument("webhook_id", type=int)
@json_option
@pass_state
@handled
def webhook_test(state: State, webhook_id: int, as_json: bool) -> None:
    """Post a signed ping to the webhook now; exit 1 if it was not taken."""
    result = webhooks.ping_webhook(state.ctx, state.actor(), webhook_id)
    took = f" ({result['elapsed_ms']} ms)"
    line = f"HTTP {result['status']}: ok" if result["ok"] else f"not taken: {result['error']}"
    line += took
    emit(result, as_json, [line])
    if not result["ok"]:
        raise SystemExit(1)
