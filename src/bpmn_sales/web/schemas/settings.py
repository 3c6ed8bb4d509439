"""Languages, time zones and the company's currency: the caller's own and the company's."""

from __future__ import annotations

from pydantic import Field

from bpmn_sales.web.schemas.common import Body, Reply, sometimes

LANGUAGE_TEXT = "One of en, zh_Hans, pl, fr (zh-CN, pl-PL and the like are understood)"
ZONE_TEXT = "An IANA time zone name such as Europe/Warsaw"


class CompanySettings(Reply):
    """The company's defaults: for users who chose no language or time zone, and new money."""

    language: str = Field(description=LANGUAGE_TEXT)
    time_zone: str = Field(description=ZONE_TEXT)
    currency: str = Field(description="An ISO 4217 currency code such as USD, EUR, PLN, CNY")


class CompanySettingsChanges(Body):
    """The defaults to change (admins); a field left out stays as it is."""

    language: str = sometimes(LANGUAGE_TEXT)
    time_zone: str = sometimes(ZONE_TEXT)
    currency: str = sometimes("An ISO 4217 currency code such as USD, EUR, PLN, CNY")


class MyPreferences(Body):
    """Your own language and time zone; null (or "") returns to the company's default."""

    language: str | None = sometimes(f"{LANGUAGE_TEXT}; null: the company's")
    time_zone: str | None = sometimes(f"{ZONE_TEXT}; null: the company's")
