"""Languages and time zones: one's own (account page), a user's (users admin), the company's
defaults (admin "Company settings"), and the language switch on the sign-in page."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from types import SimpleNamespace
from typing import Any
from zoneinfo import available_timezones

from flask import Blueprint, g, redirect, render_template, request
from werkzeug.wrappers import Response

from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import SalesError
from bpmn_sales.i18n import LANGUAGES, _, supported
from bpmn_sales.services.people import preferences
from bpmn_sales.web.auth import login_required, safe_next
from bpmn_sales.web.errors import status_for
from bpmn_sales.web.languages import LANGUAGE_COOKIE, LANGUAGE_NAMES, put_in_force
from bpmn_sales.web.pages import admin_users
from bpmn_sales.web.pages.common import ctx, done, page_actor

bp = Blueprint("preferences", __name__)

COOKIE_AGE = 365 * 24 * 3600


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone name, for the forms' suggestions (sorted once)."""
    return tuple(sorted(available_timezones()))


def language_options() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


def _errors(error: SalesError, default: str) -> dict[str, str]:
    field = error.details.get("field")
    return {str(field) if field else default: error.message}


def _typed() -> SimpleNamespace:
    """What the preferences form sent, to show it again beside its error."""
    return SimpleNamespace(
        language=request.form.get("language", ""), time_zone=request.form.get("time_zone", "")
    )


def init_app_globals(env: Any) -> None:
    env.globals["language_options"] = language_options
    env.globals["time_zone_names"] = time_zone_names
    env.globals["visitor_preferences"] = lambda: g.get("preferences")


@bp.post("/account/preferences")
@login_required
def mine() -> Any:
    """The signed-in user's own language and time zone (blank: the company's default)."""
    actor = page_actor()
    try:
        chosen = preferences.update_my_preferences(
            ctx(),
            actor,
            language=request.form.get("language", ""),
            time_zone=request.form.get("time_zone", "").strip(),
        )
    except SalesError as error:
        page = render_template("account.html", errors=_errors(error, "language"), typed=_typed())
        return page, status_for(error)
    put_in_force(chosen, chosen.company)  # the message below in the language just chosen
    done(_("Your language and time zone were saved."))
    return redirect("/account")


@bp.post("/admin/users/<username>/preferences")
@login_required
def of_user(username: str) -> Any:
    """An admin sets a user's language and time zone."""
    require_admin(page_actor(), "manage users")
    try:
        preferences.update_user_preferences(
            ctx(),
            page_actor(),
            username,
            language=request.form.get("language", ""),
            time_zone=request.form.get("time_zone", "").strip(),
        )
    except SalesError as error:
        return admin_users._edit_page(username, _errors(error, "language")), status_for(error)
    done(_("%(user)s: language and time zone saved.", user=username))
    return redirect(f"/admin/users/{username}")


def _settings_page(errors: dict[str, str] | None = None, form: dict[str, str] | None = None) -> str:
    return render_template(
        "admin/settings.html",
        company=preferences.company_preferences(ctx()),
        errors=errors or {},
        form=form or {},
    )


@bp.get("/admin/settings")
@login_required
def company() -> Any:
    require_admin(page_actor(), "change the company settings")
    return _settings_page()


@bp.post("/admin/settings")
@login_required
def save_company() -> Any:
    require_admin(page_actor(), "change the company settings")
    form = {k: request.form.get(k, "").strip() for k in ("language", "time_zone", "currency")}
    try:
        company = preferences.update_company_preferences(ctx(), page_actor(), **form)
    except SalesError as error:
        return _settings_page(_errors(error, "language"), form), status_for(error)
    mine = g.get("preferences")
    put_in_force(replace(mine, company=company) if mine else None, company)
    done(_("The company settings were saved."))
    return redirect("/admin/settings")


@bp.get("/language/<code>")
def switch(code: str) -> Response:
    """Remember the language picked on the sign-in page in a cookie, then go back."""
    target = redirect(safe_next(request.args.get("next"), "/sign-in"))
    chosen = supported(code)
    if chosen is not None:
        target.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return target
