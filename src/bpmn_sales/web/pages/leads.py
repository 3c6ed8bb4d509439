"""The leads list, the new-lead form and the lead page: qualify, disqualify, renew."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, redirect, render_template, request

from bpmn_sales.domain.model import LeadStatus, LeadView
from bpmn_sales.domain.paging import Page
from bpmn_sales.errors import InvalidInput, NotFound, SalesError
from bpmn_sales.i18n import _
from bpmn_sales.services import leads, processes
from bpmn_sales.services.people.preferences import company_preferences
from bpmn_sales.web import labels
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.pages.amounts import typed_amount, typed_amounts
from bpmn_sales.web.pages.common import ctx, done, flash_error, form_text, form_version, page_actor
from bpmn_sales.web.pages.forms import field_errors, owner_choices, query_filters
from bpmn_sales.web.pages.paging import HISTORY_LIMIT, cursor_arg, history_page

bp = Blueprint("leads", __name__)

LIST_LIMIT = 50
FILTERS = ("status", "owner", "process", "q", "value_min", "value_max", "sort")
NEW_LEAD_FIELDS = ("name", "company", "email", "phone", "estimated_value", "currency")


@bp.get("/leads")
@login_required
def index() -> Any:
    actor = page_actor()
    filters = query_filters(*FILTERS)
    errors: dict[str, str] = {}
    listed: Page[LeadView] = Page([])
    try:
        listed = leads.list_leads(
            ctx(),
            actor,
            filters["status"],
            LIST_LIMIT,
            filters["owner"],
            process=filters["process"],
            q=filters["q"],
            value_min=typed_amount(filters["value_min"], "value_min"),
            value_max=typed_amount(filters["value_max"], "value_max"),
            sort=filters["sort"],
            cursor=cursor_arg(),
        )
    except InvalidInput as error:
        errors = field_errors(error, "status")
    page = render_template(
        "leads.html",
        leads=listed,
        filters=filters,
        errors=errors,
        statuses=[(s.value, labels.label(s.value)) for s in LeadStatus],
        owners=owner_choices(actor),
        processes=lead_processes(),
        sorts=labels.lead_sorts(),
    )
    return page, 400 if errors else 200


def lead_processes() -> list[tuple[str, str]]:
    """(key, name) of the processes without stages (lead qualification processes)."""
    return [(p.key, p.name) for p in processes.process_choices(ctx()) if not p.stages]


def _new_form(values: dict[str, Any], errors: dict[str, str], status: int) -> Any:
    return render_template("lead_new.html", values=values, errors=errors), status


@bp.get("/leads/new")
@login_required
def new() -> Any:
    return _new_form({"currency": company_preferences(ctx()).currency}, {}, 200)


@bp.post("/leads/new")
@login_required
def create() -> Any:
    values = {name: form_text(name) for name in NEW_LEAD_FIELDS}
    try:
        typed = typed_amounts(values, ("estimated_value",))
    except InvalidInput as error:  # the other fields' problems are shown with it
        errors = field_errors(error)
        try:
            leads.lead_fields(
                values["name"],
                values["company"],
                values["email"],
                values["phone"],
                None,
                values["currency"],
            )
        except InvalidInput as more:
            errors = {**field_errors(more), **errors}
        return _new_form(values, errors, 400)
    try:
        view = leads.create_lead(
            ctx(),
            page_actor(),
            values["name"],
            values["company"],
            values["email"],
            values["phone"],
            typed["estimated_value"],
            None,
            values["currency"],
        )
    except InvalidInput as error:
        return _new_form(values, field_errors(error), 400)
    done(_("Lead '%(lead)s' created", lead=view.name))
    return redirect(f"/leads/{view.id}")


def render_lead(
    lead_id: int, failed: str | None = None, errors: dict[str, str] | None = None, status: int = 200
) -> Any:
    actor = page_actor()
    lead = leads.get_lead(ctx(), actor, lead_id)
    history, history_errors = history_page(
        lambda cursor: leads.lead_history(
            ctx(), actor, lead_id, sort="newest", cursor=cursor, limit=HISTORY_LIMIT
        )
    )
    page = render_template(
        "lead.html",
        lead=lead,
        history=history,
        history_errors=history_errors,
        failed=failed,
        errors=errors or {},
        form=request.form if failed else {},
    )
    return page, status


@bp.get("/leads/<int:lead_id>")
@login_required
def show(lead_id: int) -> Any:
    return render_lead(lead_id)


def act(lead_id: int, form: str, action: Callable[[], str]) -> Any:
    """Run one lead action: bad input beside the field, refusals as a flash on the lead page."""
    try:
        target = action()
    except InvalidInput as error:
        return render_lead(lead_id, form, field_errors(error), 400)
    except NotFound:
        raise
    except SalesError as error:
        leads.get_lead(ctx(), page_actor(), lead_id)  # the 403 page when the lead is hidden
        flash_error(error)
        return redirect(f"/leads/{lead_id}")
    return redirect(target)


@bp.post("/leads/<int:lead_id>/qualify")
@login_required
def qualify(lead_id: int) -> Any:
    def run() -> str:
        view = leads.qualify_lead(
            ctx(),
            page_actor(),
            lead_id,
            form_version(),
            value=form_text("value"),
            currency_code=form_text("currency"),
            expected_close_date=form_text("expected_close_date"),
        )
        if view.deal_id is None:
            done(_("Lead qualified"))
            return f"/leads/{lead_id}"
        done(_("Lead qualified: deal %(deal)s opened", deal=view.deal_id))
        return f"/deals/{view.deal_id}"

    return act(lead_id, "qualify", run)


@bp.post("/leads/<int:lead_id>/disqualify")
@login_required
def disqualify(lead_id: int) -> Any:
    def run() -> str:
        leads.disqualify_lead(ctx(), page_actor(), lead_id, form_text("reason"), form_version())
        done(_("Lead disqualified"))
        return f"/leads/{lead_id}"

    return act(lead_id, "disqualify", run)


@bp.post("/leads/<int:lead_id>/renew")
@login_required
def renew(lead_id: int) -> Any:
    def run() -> str:
        leads.renew_lead(ctx(), page_actor(), lead_id, form_version())
        done(_("Lead renewed: it is new again"))
        return f"/leads/{lead_id}"

    return act(lead_id, "renew", run)
