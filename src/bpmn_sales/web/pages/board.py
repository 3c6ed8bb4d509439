"""The pipeline board: stages as columns, deals as cards, moved by drag and drop or a form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, jsonify, make_response, render_template, request
from werkzeug.wrappers import Response

from bpmn_sales.errors import Forbidden, InvalidInput, InvalidState, NotFound, SalesError
from bpmn_sales.i18n import _
from bpmn_sales.services import board, deals
from bpmn_sales.services.processes import stages
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.errors import status_for
from bpmn_sales.web.pages.common import back, ctx, done, flash_error, form_text, page_actor

bp = Blueprint("board", __name__)
STAGE_FIELDS = ("after", "name", "key", "win_rate", "activity", "description")


def _board_path(process: str | None) -> str:
    return "/board" + (f"?{urlencode({'process': process})}" if process else "")


@bp.get("/board")
@login_required
def index() -> Any:
    return _render(request.args.get("process", "").strip() or None)


def _render(
    process: str | None,
    stage_form: dict[str, str] | None = None,
    stage_errors: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    actor = page_actor()
    owner = request.args.get("owner", "").strip() or None
    team = request.args.get("team", "").strip() or None
    errors: dict[str, str] = {}
    try:
        shown = board.pipeline_board(ctx(), actor, process, owner, team)
    except InvalidInput as error:
        if error.field not in ("owner", "team"):
            raise
        # A filter that names someone unknown: say so beside it and show the unfiltered board.
        errors[error.field] = error.message
        shown = board.pipeline_board(ctx(), actor, process)
    page = render_template(
        "board.html",
        board=shown,
        errors=errors,
        here=request.full_path,
        stage_form=stage_form or {},
        stage_errors=stage_errors or {},
        stage_options=[(c.key, c.name) for c in shown.columns],
        targets=[(c.key, c.label) for c in shown.columns if c.phase == "pre_sale"],
    )
    return page, status


@bp.get("/board/cards")
@login_required
def cards() -> Any:
    """The next cards of one column, as HTML for static/js/board.js ("show more")."""
    args = {k: request.args.get(k, "").strip() or None for k in ("process", "owner", "team")}
    shown = board.column_cards(
        ctx(),
        page_actor(),
        args["process"],
        request.args.get("stage", ""),
        request.args.get("cursor") or None,
        args["owner"],
        args["team"],
    )
    here = request.args.get("next") or _board_path(shown.process)
    response = make_response(render_template("board/cards.html", shown=shown, here=here))
    if shown.page.next:
        response.headers["X-Next-Cursor"] = shown.page.next
    response.headers["X-Total-Count"] = shown.page.total_header
    return response


@bp.post("/board/stages")
@login_required
def add_stage() -> Any:
    """Add a stage (admins): a new process version; bad input comes back beside its field."""
    form = {k: form_text(k) or "" for k in ("process", "after", "name", "key", "win_rate")}
    form["activity"] = form_text("activity") or ""
    try:
        change = stages.add(
            ctx(),
            page_actor(),
            form["process"],
            form["after"],
            form["name"],
            key=form["key"] or None,
            win_rate=form["win_rate"] or None,
            activity=form["activity"] or None,
        )
    except InvalidInput as error:
        if error.field not in STAGE_FIELDS:
            raise
        return _render(form["process"] or None, form, {error.field or "": error.message}, 400)
    except (InvalidState, NotFound) as error:
        flash_error(error)
        return back(_board_path(form["process"] or None))
    done(
        _(
            "Stage '%(stage)s' added: version %(version)s of the process. Deals already running "
            "stay on the version they started on.",
            stage=form["name"],
            version=change.version,
        )
    )
    return back(_board_path(change.process))


@bp.post("/board/stages/<stage>/delete")
@login_required
def delete_stage(stage: str) -> Response:
    """Delete a stage no deal is at (admins): a new process version without it."""
    process = form_text("process") or ""
    try:
        change = stages.delete(ctx(), page_actor(), process, stage)
    except Forbidden:
        raise
    except SalesError as error:
        flash_error(error)
    else:
        done(
            _(
                "Stage '%(stage)s' deleted: version %(version)s of the process no longer has it.",
                stage=stage,
                version=change.version,
            )
        )
    return back(_board_path(process or None))


def _move_input() -> tuple[int, Any, int | None]:
    data: Any = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    if not isinstance(data, dict):
        raise InvalidInput(_("send a JSON object {deal_id, stage, version}"), field="body")
    raw_id, version = data.get("deal_id"), data.get("version")
    if isinstance(raw_id, str) and raw_id.isascii() and raw_id.isdigit():
        raw_id = int(raw_id)
    if not isinstance(raw_id, int) or isinstance(raw_id, bool):
        raise InvalidInput(_("deal_id must be a deal number"), field="deal_id")
    if isinstance(version, str) and version.isascii() and version.isdigit():
        version = int(version)
    elif version in ("", None):
        version = None
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput(_("version must be an integer"), field="version")
    if data.get("stage") in ("", None) and not request.is_json:
        raise InvalidInput(_("choose the stage to move the deal to"), field="stage")
    return raw_id, data.get("stage"), version


@bp.post("/board/move")
@login_required
def move() -> Any:
    """JSON (drag and drop): the moved deal or the error; a form: back, with a flash."""
    if request.is_json:
        try:
            deal_id, stage, version = _move_input()
            view = deals.move_deal(ctx(), page_actor(), deal_id, stage, version)
        except SalesError as error:
            return jsonify(error.to_dict()), status_for(error)
        return jsonify(deal=view.to_dict())
    try:
        deal_id, stage, version = _move_input()
        view = deals.move_deal(ctx(), page_actor(), deal_id, stage, version)
    except SalesError as error:
        flash_error(error)
    else:
        done(_("Deal '%(deal)s' moved to %(stage)s", deal=view.name, stage=view.stage_name))
        return back(_board_path(view.process_key))
    return back("/board")


@bp.post("/board/columns/<stage>/label")
@login_required
def rename(stage: str) -> Response:
    process = form_text("process") or ""
    try:
        board.rename_column(ctx(), page_actor(), process, stage, request.form.get("label", ""))
    except Forbidden:
        raise
    except SalesError as error:
        flash_error(error)
    else:
        done(_("Column renamed to '%(label)s'", label=form_text("label")))
    return back(_board_path(process))


@bp.post("/board/order")
@login_required
def reorder() -> Response:
    """Move one column a step left or right (the no-drag way to reorder)."""
    process = form_text("process") or ""
    stage = form_text("stage") or ""
    step = -1 if request.form.get("direction") == "left" else 1
    try:
        order = [c.key for c in board.pipeline_board(ctx(), page_actor(), process).columns]
        if stage not in order:
            raise InvalidInput(_("stage '%(key)s' is not on this board", key=stage), field="stage")
        at = order.index(stage)
        to = max(0, min(len(order) - 1, at + step))
        order[at], order[to] = order[to], order[at]
        board.reorder_columns(ctx(), page_actor(), process, order)
    except Forbidden:
        raise
    except SalesError as error:
        flash_error(error)
    else:
        done(_("Columns reordered"))
    return back(_board_path(process))
