"""What every page view needs: the context, the signed-in actor, form parsing, feedback."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request
from werkzeug.wrappers import Response

from bpmn_sales.errors import InvalidInput, SalesError
from bpmn_sales.i18n import _
from bpmn_sales.web.auth import ctx, page_actor, safe_next

__all__ = ["back", "ctx", "done", "flash_error", "form_text", "form_version", "page_actor"]


def form_text(name: str) -> str | None:
    """A form field, stripped; None when absent or blank."""
    value = request.form.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def form_version() -> int | None:
    """The record version the form was rendered from (hidden field `version`)."""
    raw = request.form.get("version")
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit():
        raise InvalidInput(_("version %(value)r is not an integer", value=raw), field="version")
    return int(raw)


def back(default: str) -> Response:
    """Redirect to the local page named by the form's `next` field, else `default`."""
    return redirect(safe_next(request.form.get("next") or request.args.get("next"), default))


def flash_error(error: SalesError) -> None:
    """Show a refused action at the top of the next page, with every unmet rule."""
    unmet: Any = error.details.get("unmet")
    if not isinstance(unmet, list) or not unmet:
        flash(error.message, "error")
        return
    items = list(dict.fromkeys(str(item) for item in unmet))
    # The message lists the unmet rules too ("deal 5 cannot be won: a; b"): said once, below.
    listed = "; ".join(str(item) for item in unmet)
    headline = error.message.replace(listed, "").rstrip(" :：;")
    flash(headline if headline != error.message else error.message, "error")
    for item in items:
        flash(item, "unmet")


def done(message: str) -> None:
    flash(message, "success")
