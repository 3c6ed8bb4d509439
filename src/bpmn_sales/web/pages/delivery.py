"""Delivery admin: the outbox (failed messages, retry) and webhooks (issue 7)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request

from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import InvalidInput, SalesError
from bpmn_sales.services.delivery import outbox, webhooks
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.errors import status_for
from bpmn_sales.web.pages.common import ctx, done, flash_error, form_text, page_actor
from bpmn_sales.web.pages.forms import field_errors
from bpmn_sales.web.pages.paging import cursor_arg

bp = Blueprint("delivery", __name__)

HOME = "/admin/delivery"
LIST_LIMIT = 50


def _admin() -> None:
    require_admin(page_actor(), "manage delivery")


def _page(
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    cursor: str | None = None,
) -> str:
    _admin()
    actor = page_actor()
    status = request.args.get("status") or None
    view = outbox.overview(ctx(), actor, status, LIST_LIMIT, cursor)
    return render_template(
        "admin/delivery.html",
        status=status,
        statuses=outbox.STATUSES,
        view=view,
        hooks=webhooks.list_webhooks(ctx(), actor),
        errors=errors or {},
        form=form or {},
    )


def _back() -> Any:
    status = request.form.get("status")
    return redirect(f"{HOME}?status={status}" if status in outbox.STATUSES else HOME)


@bp.get(HOME)
@login_required
def index() -> Any:
    try:
        return _page(cursor=cursor_arg())
    except InvalidInput as error:  # a status or a cursor this list does not know
        if error.field != "cursor":
            raise
        return _page(field_errors(error)), 400


@bp.post(f"{HOME}/outbox/<int:message_id>/retry")
@login_required
def retry(message_id: int) -> Any:
    _admin()
    try:
        outbox.retry_message(ctx(), page_actor(), message_id)
    except SalesError as error:
        flash_error(error)
    else:
        done(f"Message {message_id} is queued again; the worker sends it on its next pass.")
    return _back()


@bp.post(f"{HOME}/outbox/retry-failed")
@login_required
def retry_failed() -> Any:
    _admin()
    count = outbox.retry_failed(ctx(), page_actor())
    done(f"{count} failed message(s) queued again.")
    return _back()


@bp.post(f"{HOME}/webhooks")
@login_required
def add_webhook() -> Any:
    _admin()
    form = {k: request.form.get(k, "") for k in ("url", "events", "description")}
    try:
        view, secret = webhooks.add_webhook(
            ctx(),
            page_actor(),
            form["url"],
            form_text("events"),
            form_text("secret"),
            form_text("description"),
        )
    except SalesError as error:
        field = str(error.details.get("field") or "url")
        return _page({field: error.message}, form), status_for(error)
    done(f"Webhook {view.id} added for {view.url}. Its signing secret (shown once): {secret}")
    return redirect(HOME)


@bp.post(f"{HOME}/webhooks/<int:webhook_id>/enabled")
@login_required
def set_enabled(webhook_id: int) -> Any:
    _admin()
    enabled = request.form.get("enabled") == "1"
    try:
        view = webhooks.update_webhook(ctx(), page_actor(), webhook_id, enabled=enabled)
    except SalesError as error:
        flash_error(error)
    else:
        done(f"Webhook {view.id} {'enabled' if view.enabled else 'disabled'}.")
    return redirect(HOME)


@bp.post(f"{HOME}/webhooks/<int:webhook_id>/remove")
@login_required
def remove(webhook_id: int) -> Any:
    _admin()
    try:
        failed = webhooks.remove_webhook(ctx(), page_actor(), webhook_id)
    except SalesError as error:
        flash_error(error)
    else:
        waiting = f" {failed} waiting message(s) marked failed." if failed else ""
        done(f"Webhook {webhook_id} removed.{waiting}")
    return redirect(HOME)


@bp.post(f"{HOME}/webhooks/<int:webhook_id>/test")
@login_required
def ping(webhook_id: int) -> Any:
    _admin()
    try:
        result = webhooks.ping_webhook(ctx(), page_actor(), webhook_id)
    except SalesError as error:
        flash_error(error)
        return redirect(HOME)
    if result["ok"]:
        done(
            f"Webhook {webhook_id} answered the ping with HTTP {result['status']} "
            f"in {result['elapsed_ms']} ms."
        )
    else:
        flash(f"Webhook {webhook_id} did not take the ping: {result['error']}", "error")
    return redirect(HOME)
