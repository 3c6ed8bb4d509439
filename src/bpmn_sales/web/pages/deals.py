"""The deals list, the new-deal form, the deal page, its diagram data and file downloads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request

from bpmn_sales.domain.model import DealStatus, DealView
from bpmn_sales.domain.paging import Page
from bpmn_sales.errors import InvalidInput, InvalidState, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.services import deals, processes
from bpmn_sales.services.deals import records
from bpmn_sales.services.people.preferences import company_preferences
from bpmn_sales.web import labels
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.downloads import file_download
from bpmn_sales.web.pages.amounts import typed_amount, typed_amounts
from bpmn_sales.web.pages.common import ctx, done, form_text, page_actor
from bpmn_sales.web.pages.deal_view import deal_page
from bpmn_sales.web.pages.forms import field_errors, owner_choices, query_filters
from bpmn_sales.web.pages.paging import HISTORY_LIMIT, cursor_arg, history_page

bp = Blueprint("deals", __name__)

LIST_LIMIT = 50
FILTERS = (
    "status",
    "stage",
    "process",
    "owner",
    "q",
    "value_min",
    "value_max",
    "close_from",
    "close_to",
    "sort",
)
NEW_DEAL_FIELDS = ("name", "customer", "value", "currency", "process", "expected_close_date")


def sales_processes(enabled_only: bool = False) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(key, name, stages) of the processes that have stages (deal processes)."""
    return [
        (p.key, p.name, p.stages)
        for p in processes.process_choices(ctx())
        if p.stages and (p.enabled or not enabled_only)
    ]


@bp.get("/deals")
@login_required
def index() -> Any:
    actor = page_actor()
    filters = query_filters(*FILTERS)
    errors: dict[str, str] = {}
    listed: Page[DealView] = Page([])
    try:
        listed = deals.list_deals(
            ctx(),
            actor,
            filters["status"],
            filters["stage"],
            LIST_LIMIT,
            filters["process"],
            filters["owner"],
            q=filters["q"],
            value_min=typed_amount(filters["value_min"], "value_min"),
            value_max=typed_amount(filters["value_max"], "value_max"),
            close_from=filters["close_from"],
            close_to=filters["close_to"],
            sort=filters["sort"],
            cursor=cursor_arg(),
        )
    except InvalidInput as error:
        errors = field_errors(error, "status")
    known = sales_processes()
    stages = {s["key"]: s["name"] for _key, _name, ss in known for s in ss}
    page = render_template(
        "deals.html",
        deals=listed,
        filters=filters,
        errors=errors,
        statuses=[(s.value, labels.label(s.value)) for s in DealStatus],
        processes=[(key, name) for key, name, _stages in known],
        stages=sorted(stages.items(), key=lambda kv: kv[1]),
        owners=owner_choices(actor),
        sorts=labels.deal_sorts(),
    )
    return page, 400 if errors else 200


def _new_form(values: dict[str, Any], errors: dict[str, str], status: int) -> Any:
    choices = [(key, name) for key, name, _stages in sales_processes(enabled_only=True)]
    page = render_template("deal_new.html", values=values, errors=errors, processes=choices)
    return page, status


@bp.get("/deals/new")
@login_required
def new() -> Any:
    return _new_form({"currency": company_preferences(ctx()).currency, "process": ""}, {}, 200)


@bp.post("/deals/new")
@login_required
def create() -> Any:
    values = {name: form_text(name) for name in NEW_DEAL_FIELDS}
    try:
        typed = typed_amounts(values, ("value",))
    except InvalidInput as error:  # the other fields' problems are shown with it
        errors = field_errors(error)
        try:
            deals.deal_fields(
                values["name"],
                values["customer"],
                None,
                values["currency"],
                values["expected_close_date"],
            )
        except InvalidInput as more:
            errors = {**field_errors(more), **errors}
        return _new_form(values, errors, 400)
    try:
        view = deals.create_deal(
            ctx(),
            page_actor(),
            values["name"],
            values["customer"],
            typed["value"],
            values["currency"],
            None,
            values["process"],
            values["expected_close_date"],
        )
    except InvalidInput as error:
        return _new_form(values, field_errors(error), 400)
    except (NotFound, InvalidState) as error:  # an unknown or disabled process
        return _new_form(values, {"process": error.message}, 400)
    done(_("Deal '%(deal)s' created", deal=view.name))
    return redirect(f"/deals/{view.id}")


def render_deal(
    deal_id: int,
    failed: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    """The deal page; `failed` names the form whose `errors` are shown beside its fields."""
    actor = page_actor()
    deal = deals.get_deal(ctx(), actor, deal_id)
    history, history_errors = history_page(
        lambda cursor: deals.deal_history(
            ctx(), actor, deal_id, sort="newest", cursor=cursor, limit=HISTORY_LIMIT
        )
    )
    page = render_template(
        "deal.html",
        deal=deal,
        detail=deal.detail or {},
        view=deal_page(deal),
        history=history,
        history_errors=history_errors,
        failed=failed,
        errors=errors or {},
        form=request.form if failed else {},
    )
    return page, status


@bp.get("/deals/<int:deal_id>")
@login_required
def show(deal_id: int) -> Any:
    return render_deal(deal_id)


@bp.get("/deals/<int:deal_id>/diagram")
@login_required
def diagram(deal_id: int) -> Any:
    """The diagram and the element ids to mark, for static/js/deal-diagram.js."""
    response = jsonify(deals.deal_diagram(ctx(), page_actor(), deal_id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int) -> Any:
    """Download a deal's file: always as an attachment, never rendered by the browser."""
    meta, content = records.get_attachment(ctx(), page_actor(), attachment_id)
    return file_download(meta, content)
