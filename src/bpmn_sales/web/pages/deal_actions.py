"""What the deal page's forms do: edit, contacts, notes, files, orders, close, reopen, move.

Bad input re-renders the deal page with the message beside the field (400); a refusal (a sales
rule, a wrong state, a stale version) comes back as a flash on the deal page listing every
unmet item. A deal the visitor may not see at all gets the 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, redirect, render_template, request

from bpmn_sales.errors import Forbidden, InvalidInput, NotFound, SalesError
from bpmn_sales.i18n import _
from bpmn_sales.services import deals
from bpmn_sales.services.deals import records
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.pages.amounts import typed_amount
from bpmn_sales.web.pages.common import ctx, done, flash_error, form_text, form_version, page_actor
from bpmn_sales.web.pages.deal_view import form_changes
from bpmn_sales.web.pages.deals import render_deal
from bpmn_sales.web.pages.forms import field_errors

bp = Blueprint("deal_actions", __name__)


def act(
    deal_id: int,
    form: str,
    action: Callable[[], tuple[str, int]],
    known: dict[str, str] | None = None,
) -> Any:
    """Run one action of form `form`; go to the deal it names with a message, or explain.

    `known` are field errors the page found itself, shown with the use case's."""
    try:
        message, target = action()
    except InvalidInput as error:
        return render_deal(deal_id, form, {**field_errors(error), **(known or {})}, 400)
    except NotFound:
        raise
    except SalesError as error:
        if isinstance(error, Forbidden):
            deals.get_deal(ctx(), page_actor(), deal_id)  # the 403 page when the deal is hidden
        flash_error(error)
        return redirect(f"/deals/{deal_id}")
    done(message)
    return redirect(f"/deals/{target}")


@bp.post("/deals/<int:deal_id>/edit")
@login_required
def edit(deal_id: int) -> Any:
    changes, unreadable = form_changes(request.form)

    def run() -> tuple[str, int]:
        deals.update_deal(ctx(), page_actor(), deal_id, changes, form_version())
        return _("Deal saved"), deal_id

    return act(deal_id, "edit", run, unreadable)


@bp.post("/deals/<int:deal_id>/contacts")
@login_required
def add_contact(deal_id: int) -> Any:
    def run() -> tuple[str, int]:
        contact = records.add_contact(
            ctx(),
            page_actor(),
            deal_id,
            form_text("name"),
            form_text("email"),
            form_text("phone"),
            form_text("title"),
        )
        return _("Contact %(name)s added", name=contact["name"]), deal_id

    return act(deal_id, "contact", run)


@bp.post("/deals/<int:deal_id>/notes")
@login_required
def add_note(deal_id: int) -> Any:
    def run() -> tuple[str, int]:
        records.add_note(ctx(), page_actor(), deal_id, form_text("text"))
        return _("Note added"), deal_id

    return act(deal_id, "note", run)


@bp.post("/deals/<int:deal_id>/files")
@login_required
def upload(deal_id: int) -> Any:
    def run() -> tuple[str, int]:
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            raise InvalidInput(_("choose a file to upload"), field="file")
        saved = records.upload_attachment(ctx(), page_actor(), deal_id, sent.filename, sent.read())
        return _("File %(name)s uploaded", name=saved["filename"]), deal_id

    return act(deal_id, "file", run)


@bp.post("/deals/<int:deal_id>/orders")
@login_required
def create_order(deal_id: int) -> Any:
    def run() -> tuple[str, int]:
        order = records.create_order(
            ctx(),
            page_actor(),
            deal_id,
            typed_amount(form_text("amount"), "amount"),
            form_text("currency"),
        )
        return _("Order %(number)s created", number=order["number"]), deal_id

    return act(deal_id, "order", run)


@bp.post("/deals/<int:deal_id>/close")
@login_required
def close(deal_id: int) -> Any:
    """Closing asks first: the request is checked, then a confirmation page (it works
    without JavaScript) posts it again with `confirmed`."""
    outcome = form_text("outcome")
    form = f"close-{request.form.get('outcome', '')}"
    if outcome is None:
        error = InvalidInput(_("choose an outcome: won, lost or invalid"), field="outcome")
        return render_deal(deal_id, form, field_errors(error), 400)
    if request.form.get("confirmed") != "yes":
        try:
            view = deals.check_close(
                ctx(), page_actor(), deal_id, outcome, form_text("reason"), form_version()
            )
        except InvalidInput as error:
            return render_deal(deal_id, form, field_errors(error), 400)
        except NotFound:
            raise
        except SalesError as error:
            if isinstance(error, Forbidden):
                deals.get_deal(ctx(), page_actor(), deal_id)
            flash_error(error)
            return redirect(f"/deals/{deal_id}")
        return render_template(
            "deal/close_confirm.html", deal=view, outcome=outcome, reason=form_text("reason")
        )

    def run() -> tuple[str, int]:
        view = deals.close_deal(
            ctx(), page_actor(), deal_id, outcome, form_text("reason"), form_version()
        )
        return _("Deal closed: %(outcome)s", outcome=view.outcome_label or view.status), deal_id

    return act(deal_id, form, run)


@bp.post("/deals/<int:deal_id>/reopen")
@login_required
def reopen(deal_id: int) -> Any:
    def run() -> tuple[str, int]:
        view = deals.reopen_deal(ctx(), page_actor(), deal_id)
        return _("Deal reopened as a new opportunity (deal %(deal)s)", deal=view.id), view.id

    return act(deal_id, "reopen", run)


@bp.post("/deals/<int:deal_id>/move")
@login_required
def move(deal_id: int) -> Any:
    def run() -> tuple[str, int]:
        view = deals.move_deal(ctx(), page_actor(), deal_id, form_text("stage"), form_version())
        return _("Deal moved to %(stage)s", stage=view.stage_name or view.stage), deal_id

    return act(deal_id, "move", run)
