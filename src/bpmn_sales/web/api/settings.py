"""The company's language, time zone and currency, and the caller's own language and zone."""

from __future__ import annotations

from typing import Any

from flask import g

from bpmn_sales.services.people import preferences
from bpmn_sales.web.api.base import actor, ctx
from bpmn_sales.web.api.operation import get, patch
from bpmn_sales.web.schemas.people import Me
from bpmn_sales.web.schemas.settings import CompanySettings, CompanySettingsChanges, MyPreferences


@get("/settings/company", responses={200: CompanySettings})
def company_settings() -> Any:
    """The company's default language, time zone and currency (anyone signed in may read)."""
    return preferences.company_preferences(ctx()).__dict__


@patch(
    "/settings/company",
    body=CompanySettingsChanges,
    responses={200: CompanySettings},
    errors=(403,),
)
def update_company_settings(body: CompanySettingsChanges) -> Any:
    """Change the company's defaults (admins). A value it does not know is a 400 naming it."""
    changes = body.model_dump(include=body.model_fields_set)
    return preferences.update_company_preferences(ctx(), actor(), **changes).__dict__


def me_payload(chosen: preferences.Preferences) -> dict[str, Any]:
    a = actor()
    return {"id": a.id, "username": a.username, "role": a.role, **chosen.to_dict()}


@get("/me", responses={200: Me})
def me() -> Any:
    """The user the token belongs to, with their own language and time zone (null: the
    company's)."""
    return me_payload(g.preferences)


@patch("/me", body=MyPreferences, responses={200: Me})
def update_me(body: MyPreferences) -> Any:
    """Set your own language and time zone (null or "": back to the company's default)."""
    changes = body.model_dump(include=body.model_fields_set)
    return me_payload(preferences.update_my_preferences(ctx(), actor(), **changes))
