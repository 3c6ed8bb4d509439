"""Sign in and out with a user name and password."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from bpmn_sales.errors import TooManyAttempts, Unauthorized
from bpmn_sales.services.people import sessions
from bpmn_sales.web.auth import ctx, current_actor, end_session, safe_next, start_session

bp = Blueprint("session", __name__)


@bp.get("/")
def home() -> Any:
    if current_actor() is None:
        return redirect(url_for("session.sign_in"))
    return redirect("/tasks")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    target = safe_next(request.values.get("next"), "/tasks")
    if request.method == "GET":
        if current_actor() is not None:
            return redirect(target)
        return render_template("sign_in.html", next=target, username="", error=None)
    username = request.form.get("username", "")
    try:
        actor = sessions.sign_in(
            ctx(), username, request.form.get("password", ""), request.remote_addr or ""
        )
    except (Unauthorized, TooManyAttempts) as error:
        status = 429 if isinstance(error, TooManyAttempts) else 401
        page = render_template("sign_in.html", next=target, username=username, error=error.message)
        headers = {}
        if isinstance(error, TooManyAttempts):
            headers["Retry-After"] = str(error.details.get("retry_after", 60))
        return page, status, headers
    start_session(actor)
    return redirect(target)


@bp.post("/sign-out")
def sign_out() -> Any:
    end_session()
    return redirect(url_for("session.sign_in"))
