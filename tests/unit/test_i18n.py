"""The language in force and the catalogs' lookups (bpmn_sales.i18n)."""

from __future__ import annotations

import pytest

from bpmn_sales import i18n
from bpmn_sales.domain.rules import StageRule
from bpmn_sales.services.delivery.texts import notice
from bpmn_sales.tasks import requirements
from bpmn_sales.tasks.requirements import DealFacts


@pytest.mark.parametrize(
    ("asked", "chosen"),
    [
        ("zh-CN", "zh_Hans"),
        ("zh_Hans_CN", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("pl-PL", "pl"),
        ("FR", "fr"),
        ("en-GB", "en"),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_supported_maps_tags_to_our_languages(asked: str | None, chosen: str | None) -> None:
    assert i18n.supported(asked) == chosen


def test_use_language_puts_a_language_in_force_and_restores_the_previous() -> None:
    assert i18n.current_language() == "en"
    with i18n.use_language("pl-PL") as chosen:
        assert chosen == "pl"
        assert i18n.current_language() == "pl"
        with i18n.use_language("xx"):
            assert i18n.current_language() == "en"
        assert i18n.current_language() == "pl"
    assert i18n.current_language() == "en"


def test_messages_fill_named_placeholders_and_fall_back_to_english() -> None:
    text = "A message no catalog has, for %(who)s"
    with i18n.use_language("fr"):
        assert i18n.gettext(text, who="Zoé") == "A message no catalog has, for Zoé"
        assert i18n.ngettext("%(num)s thing", "%(num)s things", 1) == "1 thing"
        assert i18n.ngettext("%(num)s thing", "%(num)s things", 5) == "5 things"


def test_every_catalog_file_loads() -> None:
    for language in i18n.LANGUAGES[1:]:
        assert i18n.translations(language) is not None


def test_use_time_zone_puts_a_zone_in_force_and_restores_the_previous() -> None:
    assert i18n.current_time_zone() == "UTC"
    with i18n.use_time_zone("Asia/Shanghai"):
        assert i18n.current_time_zone() == "Asia/Shanghai"
    assert i18n.current_time_zone() == "UTC"


@pytest.mark.parametrize(
    ("contacts", "polish"),
    [
        (1, "klient musi mieć co najmniej 1 kontakt (ma 0)"),
        (2, "klient musi mieć co najmniej 2 kontakty (ma 0)"),
        (5, "klient musi mieć co najmniej 5 kontaktów (ma 0)"),
        (22, "klient musi mieć co najmniej 22 kontakty (ma 0)"),
    ],
)
def test_a_stage_requirement_takes_the_polish_plural_form_of_its_count(
    contacts: int, polish: str
) -> None:
    stage = StageRule("visit", "Visit", "Stage_Visit", 1, min_contacts=contacts)
    with i18n.use_language("pl"):
        assert requirements.stage_unmet(stage, DealFacts(contacts=0)) == [polish]
    assert requirements.stage_unmet(stage, DealFacts(contacts=0)) == [
        "the customer needs at least 1 contact (has 0)"
        if contacts == 1
        else f"the customer needs at least {contacts} contacts (has 0)"
    ]


def test_a_timer_notice_is_written_in_the_language_in_force() -> None:
    with i18n.use_language("pl"):
        subject, text = (p.text() for p in notice("reminder", "Acme", 7, "Wizyta", "2026-01-05"))
    assert subject == "Przypomnienie: szansa sprzedaży Acme czeka na etapie „Wizyta”"
    assert text == (
        "Szansa sprzedaży 7 (Acme) jest na etapie „Wizyta” od 2026-01-05; czas ją przesunąć dalej."
    )
    assert tuple(p.text() for p in notice("timeout", "Acme", 7, None, None)) == (
        "Overdue: deal Acme",
        "Deal 7 (Acme) is overdue.",
    )
