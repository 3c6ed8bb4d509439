"""The processes admin pages: the library (switch, departments, new from a scaffold, clone,
import, export), a
process's page (description, versions, delete) and the diff of a clone against its template."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers import Response

from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import Forbidden, InvalidInput, SalesError
from bpmn_sales.i18n import _
from bpmn_sales.services import processes
from bpmn_sales.services.processes import cloning, library, transfer
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.downloads import zip_download
from bpmn_sales.web.errors import status_for
from bpmn_sales.web.pages.common import ctx, done, flash_error, form_text, page_actor

bp = Blueprint("admin_processes", __name__)


def _admin() -> None:
    require_admin(page_actor(), _("manage processes"))


def _list_page(
    errors: dict[str, str] | None = None, form: dict[str, str] | None = None, status: int = 200
) -> Any:
    listed = processes.list_for_admin(ctx(), page_actor())
    page = render_template(
        "admin/processes.html",
        processes=listed,
        departments=processes.department_names(ctx()),
        errors=errors or {},
        form=form or {},
    )
    return page, status


def _field_errors(error: SalesError, prefix: str, default: str) -> dict[str, str]:
    field = str(error.details.get("field") or default).split(" ")[0]
    errors = {f"{prefix}{field}": error.message}
    problems = error.details.get("problems")
    if isinstance(problems, list):
        errors["problems"] = "\n".join(str(p) for p in problems)
    return errors


@bp.get("/processes")
@login_required
def index() -> Any:
    return _list_page()


def _switch(key: str, enabled: bool) -> Response:
    try:
        view = processes.set_enabled(ctx(), page_actor(), key, enabled)
    except Forbidden:
        raise
    except SalesError as error:
        flash_error(error)
    else:
        done(
            _("Process '%(name)s' enabled", name=view.name)
            if enabled
            else _("Process '%(name)s' disabled", name=view.name)
        )
    return redirect(f"/processes/{key}" if request.form.get("next") == "detail" else "/processes")


@bp.post("/processes/<key>/enable")
@login_required
def enable(key: str) -> Response:
    return _switch(key, True)


@bp.post("/processes/<key>/disable")
@login_required
def disable(key: str) -> Response:
    return _switch(key, False)


@bp.post("/processes/<key>/departments")
@login_required
def departments(key: str) -> Any:
    actor = page_actor()
    require_admin(actor, _("set the departments of processes"))
    try:
        view = processes.set_departments(ctx(), actor, key, request.form.getlist("departments"))
    except SalesError as error:
        return _list_page({key: error.message}, status=status_for(error))
    if view.departments:
        done(
            _(
                "Process '%(name)s' applies to: %(departments)s",
                name=view.name,
                departments=", ".join(view.departments),
            )
        )
    else:
        done(_("Process '%(name)s' applies to: every department", name=view.name))
    return redirect("/processes")


@bp.post("/processes/clone")
@login_required
def clone() -> Any:
    _admin()
    form = {k: request.form.get(k, "") for k in ("template", "key", "name", "description")}
    try:
        result = cloning.clone(
            ctx(),
            page_actor(),
            form["template"],
            form_text("key"),
            form_text("name"),
            form_text("description"),
        )
    except Forbidden:
        raise
    except SalesError as error:
        errors = _field_errors(error, "clone_", "template")
        return _list_page(errors, form, status_for(error))
    done(
        _(
            "Cloned '%(template)s' v%(version)s as '%(key)s'",
            template=result.template,
            version=result.template_version,
            key=result.key,
        )
    )
    return redirect(f"/processes/{result.key}")


@bp.post("/processes/new")
@login_required
def new() -> Any:
    _admin()
    names = ("key", "name", "stages", "post_sale", "free_moves")
    form = {f"new_{k}": request.form.get(k, "") for k in names}
    try:
        result = processes.create_process(
            ctx(),
            page_actor(),
            form_text("key"),
            form_text("stages"),
            form_text("post_sale"),
            request.form.get("free_moves") == "on",
            form_text("name"),
        )
    except Forbidden:
        raise
    except SalesError as error:
        return _list_page(_field_errors(error, "new_", "stages"), form, status_for(error))
    done(_("Created '%(key)s' from a scaffold; edit it in the diagram editor", key=result.key))
    return redirect(f"/processes/{result.key}/modeler")


@bp.post("/processes/import")
@login_required
def import_zip() -> Any:
    _admin()
    form = {"import_key": request.form.get("key", ""), "import_name": request.form.get("name", "")}
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput(_("choose an exported process zip"), field="file")
        result = transfer.import_process(
            ctx(), page_actor(), upload.read(), form_text("key"), form_text("name")
        )
    except Forbidden:
        raise
    except SalesError as error:
        return _list_page(_field_errors(error, "import_", "file"), form, status_for(error))
    if result.changed:
        done(_("Imported '%(key)s' v%(version)s", key=result.key, version=result.version))
    else:
        done(
            _(
                "Nothing new in the zip for '%(key)s' v%(version)s",
                key=result.key,
                version=result.version,
            )
        )
    return redirect(f"/processes/{result.key}")


@bp.get("/processes/<key>/export")
@login_required
def export(key: str) -> Any:
    version = request.args.get("version") or None
    return zip_download(transfer.export_process(ctx(), page_actor(), key, version))


def _detail_page(key: str, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    detail = library.process_detail(ctx(), page_actor(), key)
    page = render_template(
        "admin/process.html",
        process=detail,
        errors=errors or {},
        departments=processes.department_names(ctx()),
    )
    return page, status


@bp.get("/processes/<key>")
@login_required
def detail(key: str) -> Any:
    return _detail_page(key)


@bp.post("/processes/<key>/describe")
@login_required
def describe(key: str) -> Any:
    _admin()
    try:
        library.describe(
            ctx(), page_actor(), key, request.form.get("description", ""), form_text("name")
        )
    except Forbidden:
        raise
    except SalesError as error:
        return _detail_page(key, _field_errors(error, "", "description"), status_for(error))
    done(_("Description saved"))
    return redirect(f"/processes/{key}")


def _version_action(key: str, number: str, action: str) -> Response:
    _admin()
    try:
        if action == "delete":
            deleted = library.delete_version(ctx(), page_actor(), key, number)
            if deleted.process_deleted:
                done(
                    _(
                        "Deleted process '%(key)s' (v%(version)s was its last version)",
                        key=key,
                        version=number,
                    )
                )
                return redirect("/processes")
            done(_("Deleted v%(version)s of '%(key)s'", version=number, key=key))
        else:
            enabled = action == "enable"
            library.set_version_enabled(ctx(), page_actor(), key, number, enabled)
            done(
                _("v%(version)s of '%(key)s' starts new deals again", version=number, key=key)
                if enabled
                else _("v%(version)s of '%(key)s' starts no new deals", version=number, key=key)
            )
    except Forbidden:
        raise
    except SalesError as error:
        flash_error(error)
    return redirect(f"/processes/{key}")


@bp.post("/processes/<key>/versions/<number>/<action>")
@login_required
def version_action(key: str, number: str, action: str) -> Response:
    if action not in ("enable", "disable", "delete"):
        raise InvalidInput(_("unknown action '%(action)s'", action=action), field="action")
    return _version_action(key, number, action)


@bp.post("/processes/<key>/delete")
@login_required
def delete(key: str) -> Response:
    _admin()
    try:
        library.delete_process(ctx(), page_actor(), key)
    except Forbidden:
        raise
    except SalesError as error:
        flash_error(error)
        return redirect(f"/processes/{key}")
    done(_("Deleted process '%(key)s'", key=key))
    return redirect("/processes")


@bp.get("/processes/<key>/diff")
@login_required
def diff(key: str) -> Any:
    _admin()
    against = request.args.get("against") or None
    try:
        view = cloning.diff(ctx(), page_actor(), key, against)
    except Forbidden:
        raise
    except SalesError as error:
        flash_error(error)
        return redirect(f"/processes/{key}")
    detail = library.process_detail(ctx(), page_actor(), key)
    return render_template("admin/process_diff.html", view=view, process=detail)
