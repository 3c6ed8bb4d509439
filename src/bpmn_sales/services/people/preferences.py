"""The company's defaults: the language, time zone and currency a user or a record has unless
told otherwise (settings `company.language`, `company.time_zone`, `company.currency`)."""

from __future__ import annotations

from dataclasses import dataclass

from bpmn_sales.context import Context

LANGUAGE_KEY = "company.language"
TIME_ZONE_KEY = "company.time_zone"
CURRENCY_KEY = "company.currency"


@dataclass(frozen=True)
class CompanyPreferences:
    language: str = "en"
    time_zone: str = "UTC"
    currency: str = "USD"


def company_preferences(ctx: Context) -> CompanyPreferences:
    """The company's language, time zone and currency (en, UTC and USD when unset), read in
    one statement."""
    with ctx.uow() as store:
        values = store.settings_of((LANGUAGE_KEY, TIME_ZONE_KEY, CURRENCY_KEY))
    default = CompanyPreferences()
    return CompanyPreferences(
        language=values.get(LANGUAGE_KEY) or default.language,
        time_zone=values.get(TIME_ZONE_KEY) or default.time_zone,
        currency=values.get(CURRENCY_KEY) or default.currency,
    )
