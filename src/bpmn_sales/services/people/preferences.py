"""Use cases for languages, time zones and the company's currency (issue 18).

Each user may choose a language and a time zone; the company's defaults (language, time zone,
currency) are settings every worker shares. What is in force for a reader is their own choice,
else the company's; the web puts it in force per request (web/languages.py), the worker per
recipient, the CLI from the environment.

The defaults are read with the reader's own row (one statement: `Store.web_session_with_settings`,
`Store.token_holder_with_settings`), so a page costs no extra statement for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, Role
from bpmn_sales.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import User
from bpmn_sales.services.people.users import hash_token

LANGUAGE_KEY = "company.language"
TIME_ZONE_KEY = "company.time_zone"
CURRENCY_KEY = "company.currency"
#: The settings keys of the company's defaults, in the order of CompanyPreferences' fields.
COMPANY_KEYS = (LANGUAGE_KEY, TIME_ZONE_KEY, CURRENCY_KEY)
DEFAULT_CURRENCY = "USD"


@dataclass(frozen=True)
class CompanyPreferences:
    """The company's defaults: a language of i18n.LANGUAGES, an IANA zone, an ISO 4217 code."""

    language: str = i18n.DEFAULT_LANGUAGE
    time_zone: str = i18n.DEFAULT_TIME_ZONE
    currency: str = DEFAULT_CURRENCY

    @classmethod
    def from_settings(cls, values: Mapping[str, str]) -> CompanyPreferences:
        """From the stored settings; a value that is missing (or no longer valid) is the default."""
        language = i18n.supported(values.get(LANGUAGE_KEY)) or i18n.DEFAULT_LANGUAGE
        zone = values.get(TIME_ZONE_KEY)
        currency = values.get(CURRENCY_KEY)
        return cls(
            language,
            zone if zone and _is_zone(zone) else i18n.DEFAULT_TIME_ZONE,
            currency if currency in list_currencies() else DEFAULT_CURRENCY,
        )


@dataclass(frozen=True)
class Preferences:
    """One reader's own choices (None: not chosen) and the company's defaults behind them."""

    language: str | None
    time_zone: str | None
    company: CompanyPreferences

    @property
    def time_zone_in_force(self) -> str:
        return self.time_zone or self.company.time_zone

    def to_dict(self) -> dict[str, str | None]:
        return {"language": self.language, "time_zone": self.time_zone}


@dataclass(frozen=True)
class Visit:
    """Who is signed in (a web session, an API token), with their preferences."""

    actor: Actor
    preferences: Preferences


def token_visit(ctx: Context, token: str) -> Visit:
    """The user of an API token with their preferences (one statement, on every API call)."""
    with ctx.uow() as store:
        found = store.token_holder_with_settings(hash_token(token), COMPANY_KEYS)
    if not token or found is None:
        raise Unauthorized("the API token is not valid")
    user, settings = found
    actor = Actor(user.id, user.username, Role(user.role), user.manager_id)
    return Visit(actor, chosen_preferences(user.language, user.time_zone, settings))


def user_preferences(user: User, settings: Mapping[str, str]) -> Preferences:
    """A user's preferences from their row and the company's settings read with it."""
    return chosen_preferences(user.language, user.time_zone, settings)


def chosen_preferences(
    language: str | None, time_zone: str | None, settings: Mapping[str, str]
) -> Preferences:
    """A reader's own language and time zone (None, or no longer valid: not chosen) with the
    company's settings."""
    return Preferences(
        i18n.supported(language),
        time_zone if time_zone and _is_zone(time_zone) else None,
        CompanyPreferences.from_settings(settings),
    )


def company_preferences(ctx: Context) -> CompanyPreferences:
    """The company's language, time zone and currency (one statement)."""
    with ctx.uow() as store:
        return CompanyPreferences.from_settings(store.settings_of(COMPANY_KEYS))


def my_preferences(ctx: Context, actor: Actor) -> Preferences:
    """The actor's own language and time zone, with the company's defaults."""
    with ctx.uow() as store:
        user = store.session.get(User, actor.id)
        if user is None:
            raise NotFound(_("User %(user)s does not exist.", user=actor.username))
        return user_preferences(user, store.settings_of(COMPANY_KEYS))


def _is_zone(name: str) -> bool:
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def checked_language(value: object, field: str = "language") -> str:
    """One of i18n.LANGUAGES (`zh-CN`, `pl-PL` and `FR` are understood), else InvalidInput."""
    chosen = i18n.supported(value) if isinstance(value, str) else None
    if chosen is None:
        raise InvalidInput(
            _(
                "Choose a language from %(languages)s.",
                languages=", ".join(i18n.LANGUAGES),
            ),
            field=field,
        )
    return chosen


def checked_time_zone(value: object, field: str = "time_zone") -> str:
    """An IANA time zone name such as Europe/Warsaw, else InvalidInput."""
    name = value.strip() if isinstance(value, str) else ""
    if not _is_zone(name):
        shown = str(value)[:64] if value is not None else ""
        raise InvalidInput(
            _(
                "%(zone)s is not a time zone; use a name such as Europe/Warsaw or Asia/Shanghai.",
                zone=repr(shown),
            ),
            field=field,
        )
    return name


def checked_currency(value: object, field: str = "currency") -> str:
    """An ISO 4217 currency code Babel knows (upper case), else InvalidInput."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in list_currencies():
        shown = str(value)[:20] if value is not None else ""
        raise InvalidInput(
            _(
                "%(currency)s is not a currency code; use ISO 4217 such as USD, EUR, PLN or CNY.",
                currency=repr(shown),
            ),
            field=field,
        )
    return code


def update_company_preferences(
    ctx: Context,
    actor: Actor | None,
    *,
    language: object = None,
    time_zone: object = None,
    currency: object = None,
) -> CompanyPreferences:
    """Change any of the company's defaults (admins; None: the operator at the CLI).

    A value left out (None) stays as it is; every given value is checked before any is stored."""
    if actor is not None and not actor.is_admin:
        raise Forbidden(_("Only an admin may change the company settings."), actor=actor.username)
    values: dict[str, str] = {}
    if language is not None:
        values[LANGUAGE_KEY] = checked_language(language)
    if time_zone is not None:
        values[TIME_ZONE_KEY] = checked_time_zone(time_zone)
    if currency is not None:
        values[CURRENCY_KEY] = checked_currency(currency)
    with ctx.uow() as store:
        store.put_settings(values)
        store.commit()
        return CompanyPreferences.from_settings(store.settings_of(COMPANY_KEYS))


def _personal(value: object, check: str) -> str | None:
    """A user's own choice: '' clears it (the company's default applies), else checked."""
    if value == "":
        return None
    if check == "language":
        return checked_language(value)
    return checked_time_zone(value)


UNCHANGED = object()


def update_user_preferences(
    ctx: Context,
    actor: Actor | None,
    username: str,
    *,
    language: object = UNCHANGED,
    time_zone: object = UNCHANGED,
) -> Preferences:
    """Set a user's language and time zone: one's own, or anyone's for an admin (None: CLI).

    A value left out stays; '' or None clears it, so the company's default applies."""
    if actor is not None and actor.username != username and not actor.is_admin:
        raise Forbidden(
            _("Only an admin may change another user's language or time zone."),
            actor=actor.username,
        )
    changes: dict[str, str | None] = {}
    if language is not UNCHANGED:
        changes["language"] = None if language is None else _personal(language, "language")
    if time_zone is not UNCHANGED:
        changes["time_zone"] = None if time_zone is None else _personal(time_zone, "time_zone")
    with ctx.uow() as store:
        user = store.user_by_username(username)
        if user is None:
            raise NotFound(_("User %(user)s does not exist.", user=username), username=username)
        for name, value in changes.items():
            setattr(user, name, value)
        store.commit()
        return user_preferences(user, store.settings_of(COMPANY_KEYS))


def update_my_preferences(
    ctx: Context,
    actor: Actor,
    *,
    language: object = UNCHANGED,
    time_zone: object = UNCHANGED,
) -> Preferences:
    """Set the actor's own language and time zone ('' or None: the company's default)."""
    return update_user_preferences(
        ctx, actor, actor.username, language=language, time_zone=time_zone
    )
