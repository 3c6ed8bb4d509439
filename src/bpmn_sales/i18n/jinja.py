"""gettext in Jinja templates, in the language in force: the pages and the mail alike."""

from __future__ import annotations

from typing import Any

from bpmn_sales.i18n import current_language, translations


def _gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def _ngettext(singular: str, plural: str, num: int) -> str:
    return translations(current_language()).ngettext(singular, plural, num)


def _pgettext(context: str, message: str) -> str:
    return str(translations(current_language()).pgettext(context, message))


def install_gettext(env: Any) -> None:
    """Give a Jinja environment `_`, `gettext`, `ngettext`, `pgettext` and `{% trans %}` in the
    language in force (Jinja's i18n extension, newstyle: `{{ _("Hi %(name)s", name=n) }}`)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True, pgettext=_pgettext)
