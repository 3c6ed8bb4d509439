"""People's words for what the data keeps as keys: field labels and durations."""

from __future__ import annotations

import pytest

from bpmn_sales import i18n
from bpmn_sales.domain.rules import FieldRef, ProcessRules, StageRule, field_labels, humanise
from bpmn_sales.i18n import formats
from bpmn_sales.tasks.requirements import DealFacts, stage_unmet


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("design_summary", "Design summary"),
        ("industry", "Industry"),
        ("fang_an_bao_jia", "Fang an bao jia"),
        ("stage.visit_date", "Stage visit date"),
        ("x__y_", "X y"),
    ],
)
def test_a_key_reads_as_words(key: str, words: str) -> None:
    assert humanise(key) == words


def test_a_field_reads_as_the_title_the_diagram_gives() -> None:
    ref = FieldRef.parse("stage.design_summary=Solution  summary")
    assert (ref.scope, ref.name, ref.type, ref.title) == (
        "stage",
        "design_summary",
        "text",
        "Solution summary",
    )
    assert ref.label == "Solution summary"
    assert ref.text == "stage.design_summary"


def test_a_typed_field_keeps_its_type_and_title() -> None:
    ref = FieldRef.parse("deal.budget:number = 预算")
    assert (ref.type, ref.label, ref.text) == ("number", "预算", "deal.budget:number")
    assert ref == FieldRef.parse("deal.budget:number")  # the title is not part of its identity


def test_a_field_without_a_title_reads_as_its_name_in_words() -> None:
    assert FieldRef.parse("customer.industry").label == "Industry"
    assert FieldRef.parse("stage.acceptance_date:date").label == "Acceptance date"


def test_built_in_fields_read_in_the_readers_language() -> None:
    ref = FieldRef.parse("deal.expected_close_date")
    assert ref.label == "Expected close date"
    with i18n.use_language("fr"):
        assert ref.label == "Date de clôture prévue"
    with i18n.use_language("zh_Hans"):
        assert FieldRef.parse("deal.value").label == "金额"


def _rules(*refs: str) -> ProcessRules:
    first = StageRule(
        key="visit",
        name="Visit",
        element_id="Stage_Visit",
        order=1,
        required_fields=tuple(FieldRef.parse(r) for r in refs[:2]),
    )
    second = StageRule(
        key="offer",
        name="Offer",
        element_id="Stage_Offer",
        order=2,
        optional_fields=tuple(FieldRef.parse(r) for r in refs[2:]),
    )
    return ProcessRules(stages=(first, second))


def test_the_process_labels_every_field_the_first_title_winning() -> None:
    rules = _rules("customer.industry", "deal.budget:number", "customer.industry=Sector")
    assert field_labels(rules, ["deal.region", "deal.budget"]) == {
        "customer.industry": "Sector",
        "deal.budget": "Budget",
        "deal.region": "Region",
    }


def test_rule_messages_name_fields_by_their_labels() -> None:
    rules = _rules("stage.design_summary=Solution summary", "deal.expected_close_date")
    visit = rules.stages[0]
    unmet = stage_unmet(visit, DealFacts())
    assert unmet == ["Solution summary is empty", "Expected close date is empty"]
    assert not any("stage." in line or "deal." in line for line in unmet)


@pytest.mark.parametrize(
    ("language", "iso", "words"),
    [
        ("en", "P7D", "7 days"),
        ("en", "P1D", "1 day"),
        ("en", "PT12H", "12 hours"),
        ("en", "P1DT2H", "1 day, 2 hours"),
        ("en", "P2W", "2 weeks"),
        ("en", "pt30m", "30 minutes"),
        ("fr", "P7D", "7\u00a0jours"),
        ("fr", "P1DT2H", "1\u00a0jour et 2\u00a0heures"),
        ("pl", "P3D", "3 dni"),
        ("pl", "P1D", "1 dzień"),
        ("zh_Hans", "P7D", "7天"),
    ],
)
def test_iso_durations_read_as_words(language: str, iso: str, words: str) -> None:
    assert formats.duration(iso, language) == words


def test_the_duration_follows_the_language_in_force() -> None:
    with i18n.use_language("fr"):
        assert formats.duration("P10D") == "10\u00a0jours"


@pytest.mark.parametrize(("text", "shown"), [(None, ""), ("", ""), ("soon", "soon"), ("P", "P")])
def test_what_is_not_a_duration_stays_as_it_is(text: str | None, shown: str) -> None:
    assert formats.duration(text) == shown


def test_a_zero_duration_reads_zero_days() -> None:
    assert formats.duration("P0D") == "0 days"
