"""Delivery admin: the outbox (failed messages, retry) and webhooks (issue 7)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request

from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import InvalidInput, SalesError
from bpmn_sales.i18n import _, ngettext
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
    require_admin(page_actor(), _("manage delivery"))


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
        done(
            _(
                "Message %(id)s is queued again; the worker sends it on its next pass.",
                id=message_id,
            )
        )
    return _back()


@bp.post(f"{HOME}/outbox/retry-failed")
@login_required
def retry_failed() -> Any:
    _admin()
    count = outbox.retry_failed(ctx(), page_actor())
    done(
        ngettext(
            "%(num)s failed message(s) queued again.",
            "%(num)s failed message(s) queued again.",
            count,
        )
    )
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
    done(
        _(
            "Webhook %(id)s added for %(url)s. Its signing secret (shown once): %(secret)s",
            id=view.id,
            url=view.url,
            secret=secret,
        )
    )
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
        done(
            _("Webhook %(id)s enabled.", id=view.id)
            if view.enabled
            else _("Webhook %(id)s disabled.", id=view.id)
        )
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
        if failed:
            done(
                ngettext(
                    "Webhook %(id)s removed. %(num)s waiting message(s) marked failed.",
                    "Webhook %(id)s removed. %(num)s waiting message(s) marked failed.",
                    failed,
                    id=webhook_id,
                )
            )
        else:
            done(_("Webhook %(id)s removed.", id=webhook_id))
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
            _(
                "Webhook %(id)s answered the ping with HTTP %(status)s in %(ms)s ms.",
                id=webhook_id,
                status=result["status"],
                ms=result["elapsed_ms"],
            )
        )
    else:
        flash(
            _(
                "Webhook %(id)s did not take the ping: %(error)s",
                id=webhook_id,
                error=result["error"],
            ),
            "error",
        )
    return redirect(HOME)
