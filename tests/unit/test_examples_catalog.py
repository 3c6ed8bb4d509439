"""The examples' part of the catalogs (locales/<lang>/LC_MESSAGES/examples.po): every message
the demo's code marks is there, translated in every plural form, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from bpmn_sales import i18n
from bpmn_sales.services import demo

SOURCE = Path(i18n.__file__).resolve().parents[1] / "services" / "demo"
PLURALS = {"zh_Hans": 1, "pl": 3, "fr": 2}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def marked() -> set[str | tuple[str, str]]:
    """The messages the demo's modules mark (`_`, `gettext`, `ngettext`), as extraction sees."""
    found: set[str | tuple[str, str]] = set()
    for path in SOURCE.glob("*.py"):
        for _line, message, _comments, _context in extract_from_file("python", str(path)):
            found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


@pytest.mark.parametrize("language", sorted(PLURALS))
def test_every_marked_message_is_translated_in_the_examples_part(language: str) -> None:
    path = i18n.LOCALES / language / "LC_MESSAGES" / "examples.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    assert catalog.num_plurals == PLURALS[language]
    entries = {m.id if isinstance(m.id, str) else tuple(m.id): m for m in catalog if m.id}
    wanted = marked()
    assert len(wanted) >= 2
    assert set(entries) == wanted
    for key, entry in entries.items():
        assert not entry.fuzzy, key
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        assert len(strings) == (PLURALS[language] if isinstance(key, tuple) else 1), key
        source = key if isinstance(key, str) else key[0]
        for text in strings:
            assert text.strip(), f"{key} has an empty translation in {language}"
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), text


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "en",
            [
                "The demo users' languages:",
                "  English: 4 users (admin, mia, rob, sara)",
                "  Chinese (Simplified): 3 users (wangfang, lilei, zhangwei)",
                "  Polish: 1 user (kasia)",
                "  French: 2 users (omar, olga)",
            ],
        ),
        (
            "zh_Hans",
            [
                "演示用户使用的语言：",
                "  英语：4位用户（admin, mia, rob, sara）",
                "  中文 (简体)：3位用户（wangfang, lilei, zhangwei）",
                "  波兰语：1位用户（kasia）",
                "  法语：2位用户（omar, olga）",
            ],
        ),
        (
            "pl",
            [
                "Języki użytkowników demonstracyjnych:",
                "  Angielski: 4 użytkownicy (admin, mia, rob, sara)",
                "  Chiński (uproszczone): 3 użytkownicy (wangfang, lilei, zhangwei)",
                "  Polski: 1 użytkownik (kasia)",
                "  Francuski: 2 użytkownicy (omar, olga)",
            ],
        ),
        (
            "fr",
            [
                "Langues des utilisateurs de démonstration :",
                "  Anglais : 4 utilisateurs (admin, mia, rob, sara)",
                "  Chinois (simplifié) : 3 utilisateurs (wangfang, lilei, zhangwei)",
                "  Polonais : 1 utilisateur (kasia)",
                "  Français : 2 utilisateurs (omar, olga)",
            ],
        ),
    ],
)
def test_the_demo_says_who_reads_which_language_in_the_language_in_force(
    language: str, lines: list[str]
) -> None:
    with i18n.use_language(language):
        assert demo.language_lines() == lines


def test_polish_counts_five_users_in_the_genitive_plural() -> None:
    with i18n.use_language("pl"):
        text = i18n.ngettext(
            "%(language)s: %(num)s user (%(users)s)",
            "%(language)s: %(num)s users (%(users)s)",
            5,
            language="Polski",
            users="a, b, c, d, e",
        )
    assert text == "Polski: 5 użytkowników (a, b, c, d, e)"


def test_the_demo_gives_each_team_its_language() -> None:
    languages = {u.username: u.language for u in demo.DEMO_USERS}
    assert {u: languages[u] for u in ("wangfang", "lilei", "zhangwei")} == dict.fromkeys(
        ("wangfang", "lilei", "zhangwei"), "zh_Hans"
    )
    assert (languages["kasia"], languages["omar"], languages["olga"]) == ("pl", "fr", "fr")
    assert set(languages.values()) == set(i18n.LANGUAGES)
    assert demo.demo_language("rob") == "en" and demo.demo_language("nobody") is None
