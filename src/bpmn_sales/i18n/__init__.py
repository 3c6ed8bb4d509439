"""What a person reads, in their language: gettext catalogs and the language of the moment.

English is the source language: every message is written in English in the code and the
templates, marked with `_()` (or `ngettext`, `lazy_gettext`), and looked up in the catalogs
under `locales/<language>/LC_MESSAGES/*.po` (one file per part of the product, merged on load).

The language in force is a context variable: the web sets it per request (the user's setting,
else `Accept-Language`, else the company's default), the worker per recipient, the CLI from the
environment. Code that builds a message translates it at once with the language in force, so a
use case, a rule or the engine never passes a language around.

Messages take named placeholders, `_("Stage %(stage)s needs %(field)s", stage=..., field=...)`,
the same newstyle gettext as the templates (`{{ _("...", name=value) }}`).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

#: The languages the product speaks, source language first. Identifiers are Babel's.
LANGUAGES: tuple[str, ...] = ("en", "zh_Hans", "pl", "fr")
DEFAULT_LANGUAGE = "en"

LOCALES = Path(__file__).parent / "locales"

_language: ContextVar[str] = ContextVar("bpmn_sales_language", default=DEFAULT_LANGUAGE)

#: The IANA time zone times are shown in: the reader's own, else the company's.
DEFAULT_TIME_ZONE = "UTC"
_time_zone: ContextVar[str] = ContextVar("bpmn_sales_time_zone", default=DEFAULT_TIME_ZONE)


def current_language() -> str:
    """The language in force (one of LANGUAGES)."""
    return _language.get()


def supported(language: str | None) -> str | None:
    """`language` as one of LANGUAGES (`zh-CN`, `zh_Hans_CN`, `pl-PL`, `FR` all match), or None."""
    if not language:
        return None
    tag = language.strip().replace("-", "_")
    head = tag.split("_", 1)[0].lower()
    if head == "zh":
        return "zh_Hans"
    return head if head in LANGUAGES else None


@contextlib.contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Run the block in `language` (unsupported or None: the default)."""
    chosen = supported(language) or DEFAULT_LANGUAGE
    token = _language.set(chosen)
    try:
        yield chosen
    finally:
        _language.reset(token)


def set_language(language: str | None) -> str:
    """Put `language` in force for the rest of this context (a request, a CLI call)."""
    chosen = supported(language) or DEFAULT_LANGUAGE
    _language.set(chosen)
    return chosen


def current_time_zone() -> str:
    """The IANA name of the time zone in force (set with the language, per request)."""
    return _time_zone.get()


def set_time_zone(name: str | None) -> str:
    """Put the time zone `name` in force for the rest of this context (None: the default).
    The caller has checked the name (settings refuse unknown zones)."""
    chosen = name or DEFAULT_TIME_ZONE
    _time_zone.set(chosen)
    return chosen


@contextlib.contextmanager
def use_time_zone(name: str | None) -> Iterator[str]:
    """Run the block with times shown in `name` (None: the default)."""
    token = _time_zone.set(name or DEFAULT_TIME_ZONE)
    try:
        yield _time_zone.get()
    finally:
        _time_zone.reset(token)


@cache
def translations(language: str) -> NullTranslations:
    """Every catalog of `language` merged into one; the source language needs none."""
    folder = LOCALES / language / "LC_MESSAGES"
    merged: NullTranslations | None = None
    for po in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = Translations(buffer)
        if merged is None:
            merged = part
        else:
            assert isinstance(merged, Translations)
            merged.merge(part)
    return merged or NullTranslations()


def gettext(message: str, **params: object) -> str:
    """`message` in the language in force, with `%(name)s` placeholders filled from `params`."""
    text = translations(_language.get()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, num: int, **params: object) -> str:
    """The form for `num` in the language in force (Polish has three); `%(num)s` is filled."""
    text = translations(_language.get()).ngettext(singular, plural, num)
    return text % {"num": num, **params}


def pgettext(context: str, message: str, **params: object) -> str:
    """`message` in `context` (the same English word meaning two things), translated."""
    text = str(translations(_language.get()).pgettext(context, message))
    return text % params if params else text


def lazy_gettext(message: str, **params: object) -> LazyProxy:
    """A message translated when it is shown, for module-level labels built at import."""
    return LazyProxy(gettext, message, enable_cache=False, **params)


_ = gettext

__all__ = [
    "DEFAULT_LANGUAGE",
    "DEFAULT_TIME_ZONE",
    "LANGUAGES",
    "_",
    "current_language",
    "current_time_zone",
    "gettext",
    "lazy_gettext",
    "ngettext",
    "pgettext",
    "set_language",
    "set_time_zone",
    "supported",
    "translations",
    "use_language",
    "use_time_zone",
]
