"""The users admin page: create users, set manager, department, groups, password (admins)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request

from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import InvalidInput, SalesError
from bpmn_sales.i18n import _, ngettext
from bpmn_sales.services import processes
from bpmn_sales.services.people import sessions, users
from bpmn_sales.web import labels
from bpmn_sales.web.auth import login_required, start_session
from bpmn_sales.web.errors import status_for
from bpmn_sales.web.pages.common import ctx, done, form_text, page_actor
from bpmn_sales.web.pages.forms import field_errors
from bpmn_sales.web.pages.paging import cursor_arg

bp = Blueprint("admin_users", __name__)

MANAGERS = ("manager", "admin")  # who may be someone's manager
LIST_LIMIT = 50


def _admin() -> None:
    require_admin(page_actor(), _("manage users"))


def _groups(raw: str | None) -> list[str]:
    return [g.strip() for g in (raw or "").split(",") if g.strip()]


def _errors(error: SalesError, default: str) -> dict[str, str]:
    field = error.details.get("field")
    return {str(field) if field else default: error.message}


def _list_page(
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    cursor: str | None = None,
) -> str:
    return render_template(
        "admin/users.html",
        users=users.list_users(ctx(), cursor=cursor, limit=LIST_LIMIT),
        managers=users.user_names(ctx(), roles=MANAGERS),
        roles=labels.roles(),
        departments=processes.department_names(ctx()),
        errors=errors or {},
        form=form or {},
    )


@bp.get("/admin/users")
@login_required
def index() -> Any:
    _admin()
    try:
        return _list_page(cursor=cursor_arg())
    except InvalidInput as error:  # a cursor this list did not give out
        return _list_page(field_errors(error)), 400


@bp.post("/admin/users")
@login_required
def create() -> Any:
    _admin()
    form = {k: request.form.get(k, "") for k in ("username", "full_name", "role", "manager")}
    form.update({k: request.form.get(k, "") for k in ("email", "department", "groups")})
    try:
        view, token = users.create_user(
            ctx(),
            page_actor(),
            form["username"].strip().lower(),
            form["full_name"],
            form["role"],
            form_text("manager"),
            form_text("email"),
            form_text("department"),
            _groups(form["groups"]),
            password=request.form.get("password", ""),
        )
    except SalesError as error:
        return _list_page(_errors(error, "username"), form), status_for(error)
    done(
        _(
            "User %(user)s created. Their API token (shown once): %(token)s",
            user=view.username,
            token=token,
        )
    )
    return redirect("/admin/users")


def _edit_page(username: str, errors: dict[str, str] | None = None) -> str:
    return render_template(
        "admin/user.html",
        user=users.get_user(ctx(), username),
        managers=users.user_names(ctx(), roles=MANAGERS),
        departments=processes.department_names(ctx()),
        errors=errors or {},
    )


@bp.get("/admin/users/<username>")
@login_required
def edit(username: str) -> Any:
    _admin()
    return _edit_page(username)


@bp.post("/admin/users/<username>/manager")
@login_required
def set_manager(username: str) -> Any:
    _admin()
    try:
        users.set_manager(
            ctx(),
            page_actor(),
            username,
            form_text("manager"),
            (request.form.get("department") or "").strip(),
        )
    except SalesError as error:
        return _edit_page(username, _errors(error, "manager")), status_for(error)
    done(_("%(user)s: manager and department saved", user=username))
    return redirect(f"/admin/users/{username}")


@bp.post("/admin/users/<username>/groups")
@login_required
def set_groups(username: str) -> Any:
    _admin()
    try:
        users.set_groups(ctx(), page_actor(), username, _groups(request.form.get("groups")))
    except SalesError as error:
        return _edit_page(username, _errors(error, "groups")), status_for(error)
    done(_("%(user)s: groups saved", user=username))
    return redirect(f"/admin/users/{username}")


@bp.post("/admin/users/<username>/password")
@login_required
def set_password(username: str) -> Any:
    _admin()
    try:
        _same_twice()
        sessions.set_password(ctx(), page_actor(), username, request.form.get("password", ""))
    except SalesError as error:
        return _edit_page(username, _errors(error, "password")), status_for(error)
    done(_("%(user)s: new password set", user=username))
    return redirect(f"/admin/users/{username}")


@bp.post("/admin/users/<username>/sign-out")
@login_required
def sign_out_everywhere(username: str) -> Any:
    _admin()
    try:
        ended = sessions.sign_out_everywhere(ctx(), page_actor(), username)
    except SalesError as error:
        flash(error.message, "error")
        return redirect("/admin/users")
    done(
        ngettext(
            "%(user)s: signed out of %(num)s browser session(s)",
            "%(user)s: signed out of %(num)s browser session(s)",
            ended,
            user=username,
        )
    )
    if username == page_actor().username:
        return redirect("/sign-in")
    return redirect(f"/admin/users/{username}")


def _same_twice() -> None:
    """Refuse a password whose confirmation differs (a typo would lock the user out)."""
    if request.form.get("password", "") != request.form.get("confirm", ""):
        raise InvalidInput(_("the two passwords are not the same"), field="confirm")


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Any:
    """Any signed-in user: set their own password."""
    actor = page_actor()
    if request.method == "GET":
        return render_template("account.html", errors={})
    try:
        _same_twice()
        sessions.set_password(ctx(), actor, actor.username, request.form.get("password", ""))
    except SalesError as error:
        page = render_template("account.html", errors=_errors(error, "password"))
        return page, status_for(error)
    start_session(actor)  # every other browser is signed out; this one stays
    done(_("Your password was changed; other browsers were signed out"))
    return redirect("/account")
