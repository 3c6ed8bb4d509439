"""The JSON API under /api/v1: thin views that parse, call one use case, and return JSON."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, current_app, g, jsonify, request

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import InvalidInput, Unauthorized
from bpmn_sales.services import board, deals, leads, processes, worklist
from bpmn_sales.services.deals import records
from bpmn_sales.services.delivery import notices
from bpmn_sales.services.people import users
from bpmn_sales.services.processes import stages
from bpmn_sales.web.downloads import file_download
from bpmn_sales.web.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
F = TypeVar("F", bound=Callable[..., Any])


def ctx() -> Context:
    return cast(Context, current_app.extensions["bpmn_sales"])


def actor() -> Actor:
    return cast(Actor, g.actor)


def authenticated(view: F) -> F:
    """Require `Authorization: Bearer <token>`; the token names the acting user."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("send an API token as 'Authorization: Bearer <token>'")
        g.actor = users.actor_for_token(ctx(), token.strip())
        return view(*args, **kwargs)

    return cast(F, wrapper)


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None and not request.data:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object", field="body")
    return data


def expected_version(data: dict[str, Any]) -> int | None:
    """The version the client read: `version` in the body or an If-Match header."""
    value = data.get("version")
    header = request.headers.get("If-Match")
    if value is None and header:
        value = header.strip('"W/ ')
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise InvalidInput(f"version {value!r} is not an integer", field="version")


def query_int(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{name} {raw!r} is not an integer", field=name) from None


def created(payload: dict[str, Any], location: str) -> Any:
    response = jsonify(payload)
    response.status_code = 201
    response.headers["Location"] = location
    return response


@bp.get("/")
def index() -> Any:
    return jsonify(name="bpmn-sales", api="/api/v1/", openapi="/api/v1/openapi.json")


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(openapi_document())


@bp.get("/me")
@authenticated
def me() -> Any:
    a = actor()
    return jsonify(id=a.id, username=a.username, role=a.role)


# -- processes --------------------------------------------------------------------------------
@bp.get("/processes")
@authenticated
def list_processes() -> Any:
    return jsonify([p.to_dict() for p in processes.list_processes(ctx())])


@bp.get("/processes/<key>")
@authenticated
def get_process(key: str) -> Any:
    return jsonify(processes.get_process(ctx(), key).to_dict())


def uploaded_files() -> dict[str, bytes]:
    files = {f.filename or "diagram.bpmn": f.read() for f in request.files.getlist("file")}
    if not files and request.data:
        files = {request.args.get("filename", "diagram.bpmn"): request.get_data()}
    if not files:
        raise InvalidInput(
            "upload diagrams as multipart 'file' fields or an XML body", field="file"
        )
    return files


@bp.post("/processes")
@authenticated
def deploy() -> Any:
    disable = request.args.get("disable_previous", "false").lower() in ("1", "true", "yes")
    results = processes.deploy_process(ctx(), actor(), uploaded_files(), disable_previous=disable)
    return jsonify([r.to_dict() for r in results]), 201


@bp.post("/processes/lint")
@authenticated
def lint() -> Any:
    problems = processes.lint_diagrams(ctx(), uploaded_files())
    errors = sum(1 for p in problems if p.severity == "error")
    return jsonify(
        ok=errors == 0,
        problems=[p.to_dict() for p in problems],
        errors=errors,
        warnings=len(problems) - errors,
    )


# -- leads ------------------------------------------------------------------------------------
@bp.get("/leads")
@authenticated
def list_leads() -> Any:
    views = leads.list_leads(
        ctx(),
        actor(),
        request.args.get("status"),
        query_int("limit", 100),
        request.args.get("owner"),
    )
    return jsonify([v.to_dict() for v in views])


@bp.post("/leads")
@authenticated
def create_lead() -> Any:
    data = body()
    view = leads.create_lead(
        ctx(),
        actor(),
        data.get("name"),
        data.get("company"),
        data.get("email"),
        data.get("phone"),
        data.get("estimated_value"),
        data.get("owner"),
    )
    return created(view.to_dict(), f"/api/v1/leads/{view.id}")


@bp.get("/leads/<int:lead_id>")
@authenticated
def get_lead(lead_id: int) -> Any:
    return jsonify(leads.get_lead(ctx(), actor(), lead_id).to_dict())


@bp.patch("/leads/<int:lead_id>")
@authenticated
def edit_lead_status(lead_id: int) -> Any:
    data = body()
    if "status" not in data:
        raise InvalidInput("status is required", field="status")
    view = leads.set_lead_status(
        ctx(), actor(), lead_id, data["status"], data.get("reason"), expected_version(data)
    )
    return jsonify(view.to_dict())


@bp.post("/leads/<int:lead_id>/qualify")
@authenticated
def qualify_lead(lead_id: int) -> Any:
    view = leads.qualify_lead(ctx(), actor(), lead_id, expected_version(body()))
    return jsonify(view.to_dict())


@bp.post("/leads/<int:lead_id>/disqualify")
@authenticated
def disqualify_lead(lead_id: int) -> Any:
    data = body()
    view = leads.disqualify_lead(
        ctx(), actor(), lead_id, data.get("reason"), expected_version(data)
    )
    return jsonify(view.to_dict())


@bp.post("/leads/<int:lead_id>/renew")
@authenticated
def renew_lead(lead_id: int) -> Any:
    view = leads.renew_lead(ctx(), actor(), lead_id, expected_version(body()))
    return jsonify(view.to_dict())


@bp.get("/leads/<int:lead_id>/history")
@authenticated
def lead_history(lead_id: int) -> Any:
    return jsonify([h.to_dict() for h in leads.lead_history(ctx(), actor(), lead_id)])


# -- deals ------------------------------------------------------------------------------------
@bp.get("/deals")
@authenticated
def list_deals() -> Any:
    views = deals.list_deals(
        ctx(),
        actor(),
        request.args.get("status"),
        request.args.get("stage"),
        query_int("limit", 100),
        request.args.get("process"),
        request.args.get("owner"),
    )
    return jsonify([v.to_dict() for v in views])


@bp.post("/deals")
@authenticated
def create_deal() -> Any:
    data = body()
    view = deals.create_deal(
        ctx(),
        actor(),
        data.get("name"),
        data.get("customer"),
        data.get("value"),
        data.get("currency"),
        data.get("owner"),
        data.get("process"),
        data.get("expected_close_date"),
    )
    return created(view.to_dict(), f"/api/v1/deals/{view.id}")


@bp.get("/deals/<int:deal_id>")
@authenticated
def get_deal(deal_id: int) -> Any:
    return jsonify(deals.get_deal(ctx(), actor(), deal_id).to_dict())


@bp.post("/deals/<int:deal_id>/close")
@authenticated
def close_deal(deal_id: int) -> Any:
    data = body()
    outcome = data.get("outcome")
    if not isinstance(outcome, str):
        raise InvalidInput("outcome is required: won, lost or invalid", field="outcome")
    view = deals.close_deal(
        ctx(), actor(), deal_id, outcome, data.get("reason"), expected_version(data)
    )
    return jsonify(view.to_dict())


@bp.patch("/deals/<int:deal_id>")
@authenticated
def update_deal(deal_id: int) -> Any:
    data = body()
    changes = {k: v for k, v in data.items() if k != "version"}
    view = deals.update_deal(ctx(), actor(), deal_id, changes, expected_version(data))
    return jsonify(view.to_dict())


@bp.post("/deals/<int:deal_id>/move")
@authenticated
def move_deal(deal_id: int) -> Any:
    data = body()
    view = deals.move_deal(ctx(), actor(), deal_id, data.get("stage"), expected_version(data))
    return jsonify(view.to_dict())


@bp.post("/deals/<int:deal_id>/contacts")
@authenticated
def add_contact(deal_id: int) -> Any:
    data = body()
    contact = records.add_contact(
        ctx(),
        actor(),
        deal_id,
        data.get("name"),
        data.get("email"),
        data.get("phone"),
        data.get("title"),
    )
    return jsonify(contact), 201


@bp.post("/deals/<int:deal_id>/notes")
@authenticated
def add_note(deal_id: int) -> Any:
    data = body()
    note = records.add_note(ctx(), actor(), deal_id, data.get("text"), data.get("attachment_ids"))
    return jsonify(note), 201


@bp.post("/deals/<int:deal_id>/attachments")
@authenticated
def upload_attachment(deal_id: int) -> Any:
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("upload the file as a multipart 'file' field", field="file")
    attachment = records.upload_attachment(ctx(), actor(), deal_id, upload.filename, upload.read())
    return created(attachment, f"/api/v1/attachments/{attachment['id']}")


@bp.get("/attachments/<int:attachment_id>")
@authenticated
def download_attachment(attachment_id: int) -> Any:
    meta, content = records.get_attachment(ctx(), actor(), attachment_id)
    return file_download(meta, content)


@bp.post("/deals/<int:deal_id>/orders")
@authenticated
def create_order(deal_id: int) -> Any:
    data = body()
    order = records.create_order(ctx(), actor(), deal_id, data.get("amount"), data.get("currency"))
    return jsonify(order), 201


@bp.post("/deals/<int:deal_id>/reopen")
@authenticated
def reopen_deal(deal_id: int) -> Any:
    view = deals.reopen_deal(ctx(), actor(), deal_id)
    return created(view.to_dict(), f"/api/v1/deals/{view.id}")


@bp.get("/deals/<int:deal_id>/history")
@authenticated
def deal_history(deal_id: int) -> Any:
    return jsonify([h.to_dict() for h in deals.deal_history(ctx(), actor(), deal_id)])


# -- tasks ------------------------------------------------------------------------------------
@bp.get("/tasks")
@authenticated
def list_tasks() -> Any:
    views = worklist.list_tasks(ctx(), actor(), request.args.get("role"))
    return jsonify([t.to_dict() for t in views])


@bp.post("/tasks/<task_id>/complete")
@authenticated
def complete_task(task_id: str) -> Any:
    data = body()
    form = data.get("data")
    if form is not None and not isinstance(form, dict):
        raise InvalidInput("data must be an object", field="data")
    view = worklist.complete_task(
        ctx(),
        actor(),
        task_id,
        form,
        expected_version(data),
        data.get("note"),
        data.get("attachment_ids"),
    )
    return jsonify(view.to_dict())


# -- notifications and people -----------------------------------------------------------------
@bp.get("/notifications")
@authenticated
def list_notifications() -> Any:
    unread = request.args.get("unread") in ("1", "true", "yes")
    return jsonify(notices.list_notifications(ctx(), actor(), unread, query_int("limit", 100)))


@bp.post("/notifications/read")
@authenticated
def mark_notifications_read() -> Any:
    data = body()
    return jsonify(marked=notices.mark_read(ctx(), actor(), data.get("ids")))


@bp.get("/outbox")
@authenticated
def list_outbox() -> Any:
    return jsonify(notices.list_outbox(ctx(), actor(), request.args.get("status")))


@bp.get("/groups")
@authenticated
def list_groups() -> Any:
    return jsonify(users.list_groups(ctx()))


# -- tasks pages API (claim, forms) -----------------------------------------------------------
@bp.post("/tasks/<task_id>/claim")
@authenticated
def claim_task(task_id: str) -> Any:
    return jsonify(worklist.claim_task(ctx(), actor(), task_id).to_dict())


@bp.get("/tasks/<task_id>/form")
@authenticated
def task_form(task_id: str) -> Any:
    return jsonify(worklist.task_form(ctx(), actor(), task_id).to_dict())


# -- deal page API (diagram) ------------------------------------------------------------------
@bp.get("/deals/<int:deal_id>/diagram")
@authenticated
def deal_diagram(deal_id: int) -> Any:
    return jsonify(deals.deal_diagram(ctx(), actor(), deal_id))


# -- board and admin API ----------------------------------------------------------------------
@bp.get("/board")
@authenticated
def pipeline_board() -> Any:
    shown = board.pipeline_board(
        ctx(),
        actor(),
        request.args.get("process") or None,
        request.args.get("owner") or None,
        request.args.get("team") or None,
    )
    return jsonify(shown.to_dict())


@bp.post("/board/columns/<stage>/label")
@authenticated
def rename_board_column(stage: str) -> Any:
    data = body()
    return jsonify(
        board.rename_column(ctx(), actor(), data.get("process"), stage, data.get("label"))
    )


@bp.post("/board/order")
@authenticated
def reorder_board_columns() -> Any:
    data = body()
    order = board.reorder_columns(ctx(), actor(), data.get("process"), data.get("order"))
    return jsonify(order=order)


@bp.post("/processes/<key>/enable")
@authenticated
def enable_process(key: str) -> Any:
    return jsonify(processes.set_enabled(ctx(), actor(), key, True).to_dict())


@bp.post("/processes/<key>/disable")
@authenticated
def disable_process(key: str) -> Any:
    return jsonify(processes.set_enabled(ctx(), actor(), key, False).to_dict())


@bp.put("/processes/<key>/departments")
@authenticated
def set_process_departments(key: str) -> Any:
    names = body().get("departments")
    return jsonify(processes.set_departments(ctx(), actor(), key, names).to_dict())


@bp.post("/processes/<key>/stages")
@authenticated
def add_stage(key: str) -> Any:
    data = body()
    change = stages.add(
        ctx(),
        actor(),
        key,
        data.get("after"),
        data.get("name"),
        key=data.get("key"),
        win_rate=data.get("win_rate"),
        description=data.get("description"),
        activity=data.get("activity"),
    )
    return jsonify(change.to_dict()), 201


@bp.delete("/processes/<key>/stages/<stage>")
@authenticated
def delete_stage(key: str, stage: str) -> Any:
    return jsonify(stages.delete(ctx(), actor(), key, stage).to_dict())
