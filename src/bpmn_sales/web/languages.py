"""The language of each request, and gettext in the templates.

Every request puts one language in force before anything else runs (see `bpmn_sales.i18n`):
today the browser's `Accept-Language`, else the default. Templates use `_()`, `ngettext()` and
`{% trans %}` (Jinja's i18n extension, newstyle: `{{ _("Hello %(name)s", name=user) }}`, values
escaped), and `<html lang>` follows `current_language()`.
"""

from __future__ import annotations

from flask import Flask, request

from bpmn_sales import i18n


def _gettext(message: str) -> str:
    return i18n.translations(i18n.current_language()).gettext(message)


def _ngettext(singular: str, plural: str, num: int) -> str:
    return i18n.translations(i18n.current_language()).ngettext(singular, plural, num)


def _pgettext(context: str, message: str) -> str:
    return str(i18n.translations(i18n.current_language()).pgettext(context, message))


def request_language() -> str:
    """The best of our languages the browser asks for, else the default."""
    for tag, _quality in request.accept_languages:
        chosen = i18n.supported(tag)
        if chosen:
            return chosen
    return i18n.DEFAULT_LANGUAGE


def html_lang(language: str) -> str:
    """The BCP 47 tag for `<html lang>`: zh_Hans -> zh-Hans."""
    return language.replace("_", "-")


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext
    )
    app.jinja_env.globals["current_language"] = i18n.current_language
    app.jinja_env.globals["html_lang"] = lambda: html_lang(i18n.current_language())

    @app.before_request
    def put_language_in_force() -> None:
        i18n.set_language(request_language())
