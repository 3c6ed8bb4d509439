"""Analytics for managers: funnel, losses, time in stage, forecast and targets (issue 8)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, render_template, request

from bpmn_sales.domain.analytics import month_key
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.model import currency as money_currency
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _, formats
from bpmn_sales.services import analytics
from bpmn_sales.services.analytics import tables, targets
from bpmn_sales.services.analytics.scope import FILTERS, Filters
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.downloads import csv_download
from bpmn_sales.web.pages.amounts import typed_amount
from bpmn_sales.web.pages.common import ctx, done, form_text, page_actor

bp = Blueprint("analytics", __name__)
TARGET_FIELDS = ("period", "scope", "amount", "currency")


def _overview(
    actor: Actor, period: str, currency: str | None
) -> tuple[Filters, dict[str, str], analytics.Overview]:
    """The reports for the query string's filters; a filter naming something unknown is
    dropped, with why, and the reports read without it."""
    errors: dict[str, str] = {}
    values = {k: request.args.get(k, "") for k in FILTERS}
    while True:
        try:
            filters = Filters.of(values)
            return filters, errors, analytics.overview(ctx(), actor, filters, period, currency)
        except InvalidInput as error:
            if error.field not in FILTERS or not values.get(error.field or ""):
                raise
            errors[error.field] = error.message
            values[error.field] = ""


def _page(
    target_form: dict[str, str] | None = None, target_errors: dict[str, str] | None = None
) -> Any:
    actor = page_actor()
    period = request.args.get("period", "").strip() or month_key(ctx().clock().date())
    # No currency asked for: the targets in the company's currency.
    currency: str | None = request.args.get("currency", "").strip() or None
    bad: dict[str, str] = {}
    try:
        targets.check_period(period)
        if currency:
            money_currency(currency)
    except InvalidInput as error:
        bad[error.field or "period"] = error.message
        period, currency = month_key(ctx().clock().date()), None
    filters, errors, reports = _overview(actor, period, currency)
    errors.update(bad)
    goals = reports.goals.to_dict()
    query = urlencode({k: v for k, v in filters.to_dict().items() if v})
    page = render_template(
        "analytics.html",
        funnel=reports.funnel.to_dict(),
        losses=reports.losses.to_dict(),
        timing=reports.timing.to_dict(),
        forecast=reports.forecast.to_dict(),
        calibration=reports.calibration.to_dict() if reports.calibration else None,
        goals=goals,
        filters=filters.to_dict(),
        errors=errors,
        menus=reports.menus,
        query=query,
        target_query=urlencode({"period": goals["period"], "currency": goals["currency"]}),
        target_form=target_form or {"period": goals["period"], "currency": goals["currency"]},
        target_errors=target_errors or {},
        is_admin=actor.is_admin,
        zone=reports.zone,
    )
    return page, 400 if target_errors else 200


@bp.get("/analytics")
@login_required
def index() -> Any:
    return _page()


@bp.get("/analytics/<name>.csv")
@login_required
def csv_table(name: str) -> Response:
    """Every table of the page as a CSV download, with the page's filters."""
    if name not in tables.TABLES:
        raise InvalidInput(
            _(
                "there is no table '%(name)s' (%(tables)s)",
                name=name,
                tables=", ".join(tables.TABLES),
            ),
            field="table",
        )
    table = tables.table(
        ctx(),
        page_actor(),
        name,
        Filters.of(request.args),
        request.args.get("period") or month_key(ctx().clock().date()),
        request.args.get("currency"),
    )
    return csv_download(table.csv(request.args.get("delimiter")), f"{table.name}.csv")


@bp.post("/analytics/targets")
@login_required
def set_target() -> Any:
    form = {k: form_text(k) or "" for k in TARGET_FIELDS}
    try:
        amount = typed_amount(form["amount"], "amount")
        saved = targets.set_target(
            ctx(), page_actor(), form["period"], form["scope"], amount, form["currency"]
        )
    except InvalidInput as error:
        if error.field not in TARGET_FIELDS:
            raise
        return _page(form, {error.field: error.message})
    done(
        _(
            "Target %(period)s for %(scope)s: %(amount)s",
            period=saved["period"],
            scope=saved["scope"],
            amount=formats.money(saved["amount"], saved["currency"]),
        )
    )
    query = urlencode({"period": saved["period"], "currency": saved["currency"]})
    return redirect(f"/analytics?{query}#targets")
