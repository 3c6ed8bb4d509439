"""The company's language, time zone and currency, and each user's language and time zone."""

from __future__ import annotations

import click

from bpmn_sales.cli.base import State, emit, handled, json_option, main, pass_state
from bpmn_sales.cli.operators import user_group
from bpmn_sales.i18n import _
from bpmn_sales.services.people import preferences
from bpmn_sales.services.people.preferences import CompanyPreferences


@main.group(name="settings")
def settings_group() -> None:
    """The company's default language, time zone and currency."""


def _show(company: CompanyPreferences, as_json: bool) -> None:
    emit(
        company.__dict__,
        as_json,
        [
            _("language: %(language)s", language=company.language),
            _("time zone: %(zone)s", zone=company.time_zone),
            _("currency: %(currency)s", currency=company.currency),
        ],
    )


@settings_group.command(name="show")
@json_option
@pass_state
@handled
def settings_show(state: State, as_json: bool) -> None:
    """Print the company's default language, time zone and currency."""
    _show(preferences.company_preferences(state.ctx), as_json)


@settings_group.command(name="set")
@click.option("--language", default=None, help="en, zh_Hans, pl or fr.")
@click.option("--time-zone", default=None, help="An IANA name such as Europe/Warsaw.")
@click.option("--currency", default=None, help="An ISO 4217 code such as EUR.")
@json_option
@pass_state
@handled
def settings_set(
    state: State,
    language: str | None,
    time_zone: str | None,
    currency: str | None,
    as_json: bool,
) -> None:
    """Change any of the company's defaults (the others stay)."""
    company = preferences.update_company_preferences(
        state.ctx, None, language=language, time_zone=time_zone, currency=currency
    )
    _show(company, as_json)


@user_group.command(name="preferences")
@click.argument("username")
@click.option("--language", default=None, help="en, zh_Hans, pl or fr ('' : the company's).")
@click.option("--time-zone", default=None, help="An IANA zone name ('' : the company's).")
@pass_state
@handled
def user_preferences(
    state: State, username: str, language: str | None, time_zone: str | None
) -> None:
    """Set a user's own language and time zone; left out, each stays as it is."""
    changes: dict[str, object] = {}
    if language is not None:
        changes["language"] = language
    if time_zone is not None:
        changes["time_zone"] = time_zone
    chosen = preferences.update_user_preferences(state.ctx, None, username, **changes)
    click.echo(
        _(
            "%(user)s: language %(language)s, time zone %(zone)s",
            user=username,
            language=chosen.language or _("(the company's)"),
            zone=chosen.time_zone or _("(the company's)"),
        )
    )
