"""Stage keys made from names in any of our languages: readable ASCII, never empty, unique."""

from __future__ import annotations

import pytest

from bpmn_sales.domain.keys import MAX_KEY, stage_key, transliterate
from bpmn_sales.engine.editing.stage_edit import STAGE_KEY
from bpmn_sales.engine.editing.stage_editor import camel


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Site survey", "site_survey"),
        ("Négociation", "negociation"),
        ("Qualification préalable", "qualification_prealable"),
        ("Złożenie oferty", "zlozenie_oferty"),
        ("Łączenie ŻÓŁW", "laczenie_zolw"),
        ("初次拜访", "chu_ci_bai_fang"),
        ("方案/报价", "fang_an_bao_jia"),
        ("实施/交付", "shi_shi_jiao_fu"),
        ("验证客户 (VIP)", "yan_zheng_ke_hu_vip"),
        ("Straße", "strasse"),
        ("  Devis -- signé !  ", "devis_signe"),
        ("２次拜访", "stage_2_ci_bai_fang"),
        ("2nd visit", "stage_2nd_visit"),
        ("!!!", "stage"),
        ("", "stage"),
        ("🚀", "rocket"),
    ],
)
def test_a_name_gives_a_readable_ascii_key(name: str, key: str) -> None:
    made = stage_key(name)
    assert made == key
    assert STAGE_KEY.match(made), made


def test_accents_never_cut_a_word_in_two() -> None:
    assert stage_key("Négociation") != "n_gociation"
    assert transliterate("Négociation") == "Negociation"


def test_chinese_characters_become_one_word_each() -> None:
    assert transliterate("回款").split() == ["Hui", "Kuan"]


def test_a_taken_key_gets_the_next_free_number() -> None:
    assert stage_key("Négociation", {"negociation"}) == "negociation_2"
    assert stage_key("Negociation", {"negociation", "negociation_2"}) == "negociation_3"
    assert stage_key("Devis", {"negociation"}) == "devis"


def test_a_long_name_is_cut_to_a_valid_key_that_stays_unique() -> None:
    name = "验证客户" * 20
    first = stage_key(name)
    second = stage_key(name, {first})
    assert len(first) <= MAX_KEY and len(second) <= MAX_KEY
    assert first != second and second.endswith("_2")
    assert STAGE_KEY.match(first) and STAGE_KEY.match(second)
    assert not first.endswith("_")


@pytest.mark.parametrize(
    ("name", "part"),
    [
        ("Site survey", "SiteSurvey"),
        ("Négociation", "Negociation"),
        ("Złożenie oferty", "ZlozenieOferty"),
        ("初次拜访", "ChuCiBaiFang"),
        ("Complete 回款", "CompleteHuiKuan"),
    ],
)
def test_element_ids_made_from_names_transliterate_too(name: str, part: str) -> None:
    assert camel(name) == part
