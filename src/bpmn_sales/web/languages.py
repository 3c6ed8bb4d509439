"""The language and time zone of each request, and gettext in the templates.

Every request puts one language in force before its view runs (see `bpmn_sales.i18n`): the
signed-in user's own, else the one this browser picked on the sign-in page (a cookie), else the
best of the browser's `Accept-Language`, else the company's default. The time zone is the user's,
else the company's. A signed-in page and an API call read the company's defaults together with
the session or token (one statement); an anonymous page reads them once.

Templates use `_()`, `ngettext()` and `{% trans %}` (Jinja's i18n extension, newstyle:
`{{ _("Hello %(name)s", name=user) }}`, values escaped), and `<html lang>` follows
`current_language()`.
"""

from __future__ import annotations

import json
from functools import cache

from babel.messages.pofile import read_po
from flask import Flask, request
from markupsafe import Markup

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.i18n.jinja import install_gettext
from bpmn_sales.services.people import preferences
from bpmn_sales.services.people.preferences import CompanyPreferences, Preferences

#: The cookie that remembers the language an anonymous visitor picked on the sign-in page.
LANGUAGE_COOKIE = "bpmn_sales_language"
#: Each language under its own name, for the switch on the sign-in page and the forms.
LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文", "pl": "Polski", "fr": "Français"}


def accepted_language() -> str | None:
    """The best of our languages the browser asks for (None: none of them)."""
    for tag, _quality in request.accept_languages:
        chosen = i18n.supported(tag)
        if chosen:
            return chosen
    return None


def request_language() -> str:
    """The best of our languages the browser asks for, else the default."""
    return accepted_language() or i18n.DEFAULT_LANGUAGE


def cookie_language() -> str | None:
    return i18n.supported(request.cookies.get(LANGUAGE_COOKIE))


def put_in_force(chosen: Preferences | None, company: CompanyPreferences | None) -> None:
    """Set this request's language and time zone: the user's, the browser's, the company's."""
    fallback = company or CompanyPreferences()
    language = (
        (chosen.language if chosen else None)
        or cookie_language()
        or accepted_language()
        or fallback.language
    )
    i18n.set_language(language)
    i18n.set_time_zone(chosen.time_zone_in_force if chosen else fallback.time_zone)


def put_visitor_in_force(ctx: Context, chosen: Preferences | None) -> None:
    """For a page: the signed-in user's preferences, or an anonymous visitor's (one read)."""
    if chosen is not None:
        put_in_force(chosen, chosen.company)
    else:
        put_in_force(None, preferences.company_preferences(ctx))


#: The parts of the catalogs that hold the strings of the pages' scripts (static/js):
#: scripts.po and any scripts_<area>.po.
SCRIPTS_PARTS = ("scripts.po", "scripts_*.po")


@cache
def _js_catalog(language: str) -> str:
    """The scripts' strings of `language` and its plural form index for n = 0..199, as JSON
    that is safe inside a <script> element."""
    messages: dict[str, str | list[str]] = {}
    folder = i18n.LOCALES / language / "LC_MESSAGES"
    for path in sorted(p for pattern in SCRIPTS_PARTS for p in folder.glob(pattern)):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if not message.id or message.fuzzy:
                    continue
                msgid = message.id
                if isinstance(msgid, tuple | list):
                    messages[str(msgid[0])] = [str(form) for form in message.string or ()]
                else:
                    messages[str(msgid)] = str(message.string)
    rule = getattr(i18n.translations(language), "plural", None)
    plurals = [int(rule(n)) for n in range(200)] if callable(rule) else []
    text = json.dumps({"messages": messages, "plurals": plurals}, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def js_catalog() -> Markup:
    """The catalog of the pages' scripts in the language in force (static/js/i18n.js)."""
    return Markup(_js_catalog(i18n.current_language()))  # noqa: S704 - JSON escaped above


def html_lang(language: str) -> str:
    """The BCP 47 tag for `<html lang>`: zh_Hans -> zh-Hans."""
    return language.replace("_", "-")


def init_app(app: Flask) -> None:
    install_gettext(app.jinja_env)
    app.jinja_env.globals["current_language"] = i18n.current_language
    app.jinja_env.globals["current_time_zone"] = i18n.current_time_zone
    app.jinja_env.globals["html_lang"] = lambda: html_lang(i18n.current_language())
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES
    app.jinja_env.globals["js_catalog"] = js_catalog

    @app.before_request
    def put_browser_language_in_force() -> None:
        # Until the caller is known (web/auth.py, the API's authenticate): the browser's choice.
        i18n.set_language(cookie_language() or request_language())
        i18n.set_time_zone(None)
