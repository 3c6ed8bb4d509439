"""Migrating running deals to a newer version: the preview page and the batched apply (admins)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, jsonify, redirect, render_template, request

from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import InvalidInput, SalesError
from bpmn_sales.i18n import _, lazy_gettext
from bpmn_sales.services.processes import migration
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.pages.common import ctx, done, flash_error, page_actor
from bpmn_sales.web.pages.paging import cursor_arg

bp = Blueprint("migrations", __name__)

ACTION = lazy_gettext("migrate running deals")


def _here(key: str, frm: str | None, to: str | None) -> str:
    query = urlencode({k: v for k, v in (("from", frm), ("to", to)) if v})
    return f"/processes/{key}/migrate" + (f"?{query}" if query else "")


@bp.get("/processes/<key>/migrate")
@login_required
def preview(key: str) -> Any:
    actor = page_actor()
    require_admin(actor, str(ACTION))
    frm, to = request.args.get("from") or None, request.args.get("to") or None
    errors: dict[str, str] = {}
    try:
        shown = migration.preview(ctx(), actor, key, frm, to, cursor=cursor_arg())
    except InvalidInput as error:
        errors[error.field or "to"] = error.message
        if error.field == "cursor":  # the versions asked for, from their first page
            shown = migration.preview(ctx(), actor, key, frm, to)
        else:
            shown = migration.preview(ctx(), actor, key)
    history = migration.runs(ctx(), actor, key)
    page = render_template(
        "migrations/preview.html", shown=shown, runs=history, errors=errors, key=key
    )
    return (page, 400) if errors else page


@bp.post("/processes/<key>/migrate/batch")
@login_required
def batch(key: str) -> Any:
    """One batch, for the page's script (JSON in, JSON out)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput(_("the request body must be a JSON object"), field="body")
    result = migration.apply_batch(
        ctx(),
        page_actor(),
        key,
        data.get("from"),
        data.get("to"),
        data.get("batch", 50),
        data.get("run"),
    )
    return jsonify(result.to_dict())


@bp.post("/processes/<key>/migrate")
@login_required
def apply(key: str) -> Any:
    """Without JavaScript: every batch here, then back to the preview with a summary."""
    frm, to = request.form.get("from") or None, request.form.get("to") or None
    try:
        result = migration.apply_all(
            ctx(), page_actor(), key, frm, to, request.form.get("batch") or 50
        )
    except SalesError as error:
        flash_error(error)
        return redirect(_here(key, frm, to))
    if result.remaining:
        done(
            _(
                "Run %(run)s: %(moved)s deal(s) moved to version %(version)s, %(refused)s "
                "refused, %(remaining)s changed meanwhile (apply again).",
                run=result.run_id,
                moved=result.moved,
                version=result.to_version,
                refused=result.refused,
                remaining=result.remaining,
            )
        )
    else:
        done(
            _(
                "Run %(run)s: %(moved)s deal(s) moved to version %(version)s, %(refused)s refused.",
                run=result.run_id,
                moved=result.moved,
                version=result.to_version,
                refused=result.refused,
            )
        )
    return redirect(_here(key, frm, to))
