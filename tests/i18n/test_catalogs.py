"""The catalogs are complete: every string marked in the source (pybabel extract over babel.cfg)
has a translation in Chinese, Polish and French, none fuzzy, every plural form written, the
placeholders of the English, the right Plural-Forms header, and nothing obsolete.

The same checks are `scripts/i18n.py check`, which this test runs."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

from babel.messages.catalog import Catalog, Message

from bpmn_sales import i18n

ROOT = Path(__file__).resolve().parents[2]


def tool() -> ModuleType:
    """scripts/i18n.py, the translators' tool (not part of the package)."""
    if "i18n_tool" not in sys.modules:
        spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "scripts" / "i18n.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["i18n_tool"] = module
        spec.loader.exec_module(module)
    return sys.modules["i18n_tool"]


def test_every_catalog_is_complete_and_right() -> None:
    problems = tool().check()
    missing = Counter(
        location.split(":")[0]
        for p in problems
        if p.what == "missing"
        for location in p.where.split(", ")
    )
    assert not problems, (
        f"{len(problems)} catalog problem(s); run `.venv/bin/python scripts/i18n.py update PART "
        "PATH...` and translate (missing strings by file: "
        + ", ".join(f"{file} {n}" for file, n in missing.most_common())
        + "):\n"
        + "\n".join(str(p) for p in problems)
    )


def test_the_catalogs_cover_the_languages_the_product_speaks() -> None:
    assert set(tool().PLURAL_FORMS) == set(i18n.LANGUAGES) - {i18n.DEFAULT_LANGUAGE}


def test_the_check_catches_a_string_missing_from_the_catalogs() -> None:
    source = tool().extract()
    source.add("A string planted in the source", locations=[("planted.html", 3)])
    planted = [p for p in tool().check(source) if p.msgid == "A string planted in the source"]
    assert [(p.language, p.what, p.where) for p in planted] == [
        ("zh_Hans", "missing", "planted.html:3"),
        ("pl", "missing", "planted.html:3"),
        ("fr", "missing", "planted.html:3"),
    ]


def test_the_check_catches_fuzzy_untranslated_and_wrong_placeholders() -> None:
    check = tool().entry_problems
    fuzzy = Message("Deal %(name)s", "Szansa %(name)s", flags=["fuzzy"])
    assert list(check("pl", "x", fuzzy, 3)) == ["fuzzy"]
    assert list(check("pl", "x", Message("Save", ""), 3)) == ["untranslated"]
    renamed = Message("Deal %(name)s", "Szansa %(nazwa)s")
    assert list(check("pl", "x", renamed, 3)) == ["placeholders ['nazwa'] in the translation"]
    two_forms = Message(("%(num)s deal", "%(num)s deals"), ("%(num)s szansa", "%(num)s szanse"))
    assert list(check("pl", "x", two_forms, 3)) == ["2 plural forms instead of 3"]
    one_empty = Message(("%(num)s deal", "%(num)s deals"), ("%(num)s szansa", "", "%(num)s szans"))
    assert list(check("pl", "x", one_empty, 3)) == ["plural form 1 untranslated"]


def test_the_check_catches_a_wrong_header() -> None:
    header = tool().header_problems
    raw = (
        '"Language: pl\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
    )
    assert list(header("pl", "x", Catalog(locale="pl"), raw)) == [
        "the header's Plural-Forms is not " + tool().PLURAL_FORMS["pl"]
    ]
