"""Stage and win requirements, field references and field values (tasks/requirements.py)."""

from __future__ import annotations

from typing import Any

import pytest

from bpmn_sales.domain.rules import ActivityRule, FieldRef, ProcessRules, StageRule, TerminalRule
from bpmn_sales.errors import InvalidInput
from bpmn_sales.tasks.requirements import (
    MAX_FIELD_TEXT,
    DealFacts,
    convert,
    declared,
    field_value,
    is_empty,
    leave_unmet,
    stage_declared,
    stage_unmet,
    win_unmet,
)


def ref(text: str) -> FieldRef:
    return FieldRef.parse(text)


def act(element_id: str, name: str, stage: str, obligatory: bool = False) -> ActivityRule:
    return ActivityRule(element_id, name, stage, obligatory=obligatory)


FULL = StageRule(
    key="full",
    name="Full",
    element_id="Stage_Full",
    order=1,
    required_fields=(
        ref("customer.industry"),
        ref("deal.budget:number"),
        ref("stage.decision_date:date"),
    ),
    min_contacts=2,
    approval="direct_manager",
    activities=(
        act("A_Meet", "Meet", "full", obligatory=True),
        act("A_Call", "Call", "full"),
        act("A_Sign", "Sign", "full", obligatory=True),
    ),
)

ALL_MET = DealFacts(
    customer={"industry": "Retail"},
    deal={"budget": 0},
    stage_fields={"full": {"decision_date": "2026-03-01"}},
    contacts=2,
    approvals={"full": "approve"},
    done=("A_Meet", "A_Sign"),
)


def facts(**changes: Any) -> DealFacts:
    values = {
        "customer": ALL_MET.customer,
        "deal": ALL_MET.deal,
        "stage_fields": ALL_MET.stage_fields,
        "contacts": ALL_MET.contacts,
        "approvals": ALL_MET.approvals,
        "done": ALL_MET.done,
    }
    values.update(changes)
    return DealFacts(**values)


# --------------------------------------------------------------------------------------------
# FieldRef
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scope", "name", "type_name", "builtin"),
    [
        ("customer.industry", "customer", "industry", "text", False),
        ("customer.name", "customer", "name", "text", True),
        ("deal.budget:number", "deal", "budget", "number", False),
        ("deal.value:number", "deal", "value", "number", True),
        ("deal.name", "deal", "name", "text", True),
        ("deal.currency", "deal", "currency", "text", True),
        ("deal.expected_close_date:date", "deal", "expected_close_date", "date", True),
        ("stage.decision_date:date", "stage", "decision_date", "date", False),
        ("stage.name", "stage", "name", "text", False),
        ("stage.ok:boolean", "stage", "ok", "boolean", False),
        ("customer.mail:email", "customer", "mail", "email", False),
        ("deal.notes:text", "deal", "notes", "text", False),
    ],
)
def test_field_ref_parse(text: str, scope: str, name: str, type_name: str, builtin: bool) -> None:
    parsed = FieldRef.parse(text)
    assert (parsed.scope, parsed.name, parsed.type) == (scope, name, type_name)
    assert parsed.path == f"{scope}.{name}"
    assert parsed.builtin is builtin


@pytest.mark.parametrize(
    "text", ["industry", "account.industry", "deal.", ".budget", "deal.budget:money", ""]
)
def test_field_ref_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"field reference|type must be one of"):
        FieldRef.parse(text)


# --------------------------------------------------------------------------------------------
# stage_unmet
# --------------------------------------------------------------------------------------------


def test_all_met() -> None:
    assert stage_unmet(FULL, ALL_MET) == []


def test_nothing_met_names_every_requirement_in_order() -> None:
    assert stage_unmet(FULL, DealFacts()) == [
        "Industry is empty",
        "Budget is empty",
        "Decision date is empty",
        "the customer needs at least 2 contacts (has 0)",
        "the direct manager's approval is missing",
        "obligatory activity 'Meet' is not done",
        "obligatory activity 'Sign' is not done",
    ]


@pytest.mark.parametrize("empty", [None, "", "   ", "\t\n"])
def test_customer_field_empty(empty: Any) -> None:
    assert stage_unmet(FULL, facts(customer={"industry": empty})) == ["Industry is empty"]


@pytest.mark.parametrize("value", [0, False, "x", 0.0, [], {}])
def test_only_none_and_blank_text_are_empty(value: Any) -> None:
    assert is_empty(value) is False
    assert stage_unmet(FULL, facts(customer={"industry": value})) == []


def test_deal_field_missing() -> None:
    assert stage_unmet(FULL, facts(deal={"other": 1})) == ["Budget is empty"]


def test_stage_field_is_read_under_the_stage_key() -> None:
    assert stage_unmet(FULL, facts(stage_fields={})) == ["Decision date is empty"]
    # The same field filled in for another stage does not count.
    other = facts(stage_fields={"other": {"decision_date": "2026-03-01"}})
    assert stage_unmet(FULL, other) == ["Decision date is empty"]
    assert field_value(ref("stage.decision_date:date"), other, "other") == "2026-03-01"
    assert field_value(ref("stage.decision_date:date"), other, "full") is None


def test_field_value_by_scope() -> None:
    values = DealFacts(customer={"x": 1}, deal={"x": 2}, stage_fields={"s": {"x": 3}})
    assert field_value(ref("customer.x"), values, "s") == 1
    assert field_value(ref("deal.x"), values, "s") == 2
    assert field_value(ref("stage.x"), values, "s") == 3


@pytest.mark.parametrize(("contacts", "unmet"), [(0, True), (1, True), (2, False), (5, False)])
def test_contacts_count(contacts: int, unmet: bool) -> None:
    expected = [f"the customer needs at least 2 contacts (has {contacts})"] if unmet else []
    assert stage_unmet(FULL, facts(contacts=contacts)) == expected


def test_no_contacts_needed_by_default() -> None:
    assert stage_unmet(StageRule("s", "S", "Stage_S", 1), DealFacts()) == []


@pytest.mark.parametrize(
    ("approvals", "message"),
    [
        ({}, "the direct manager's approval is missing"),
        ({"other": "approve"}, "the direct manager's approval is missing"),
        ({"full": "reject"}, "the direct manager's approval was rejected"),
        ({"full": "pending"}, "the direct manager's approval is missing"),
    ],
)
def test_approval_missing_or_rejected(approvals: dict[str, str], message: str) -> None:
    assert stage_unmet(FULL, facts(approvals=approvals)) == [message]


def test_approval_not_needed_without_stage_approval() -> None:
    stage = StageRule("s", "S", "Stage_S", 1)
    assert stage_unmet(stage, DealFacts(approvals={"s": "reject"})) == []


def test_obligatory_activities() -> None:
    assert stage_unmet(FULL, facts(done=("A_Meet", "A_Call"))) == [
        "obligatory activity 'Sign' is not done"
    ]
    # Optional activities are never required.
    assert stage_unmet(FULL, facts(done={"A_Meet", "A_Sign"})) == []


def test_skipped_optional_stage_has_no_requirements() -> None:
    optional = StageRule(
        "opt", "Opt", "Stage_Opt", 1, required_fields=(ref("deal.x"),), optional=True
    )
    assert stage_unmet(optional, DealFacts(), skipped=True) == []
    # Leaving it after a visit still needs its requirements.
    assert stage_unmet(optional, DealFacts()) == ["X is empty"]


def test_skipped_non_optional_stage_keeps_its_requirements() -> None:
    assert stage_unmet(FULL, facts(contacts=0), skipped=True) == [
        "the customer needs at least 2 contacts (has 0)"
    ]


# --------------------------------------------------------------------------------------------
# leave_unmet
# --------------------------------------------------------------------------------------------


def need(key: str, order: int, field: str, *, optional: bool = False) -> StageRule:
    return StageRule(
        key, key.upper(), f"Stage_{key}", order, required_fields=(ref(field),), optional=optional
    )


PIPELINE = ProcessRules(
    stages=(
        need("s1", 1, "deal.one"),
        need("s2", 2, "deal.two", optional=True),
        need("s3", 3, "deal.three"),
        need("s4", 4, "deal.four"),
        need("post", 5, "deal.five"),
    )
)


@pytest.mark.parametrize(
    ("current", "target", "expected"),
    [
        ("s1", "s2", ["S1: One is empty"]),
        # s2 is optional and passed over: nothing from it.
        ("s1", "s3", ["S1: One is empty"]),
        # s3 is not optional: passing over it needs its requirements.
        ("s1", "s4", ["S1: One is empty", "S3: Three is empty"]),
        (
            "s1",
            "post",
            ["S1: One is empty", "S3: Three is empty", "S4: Four is empty"],
        ),
        # Leaving an optional stage after a visit needs its requirements.
        ("s2", "s3", ["S2: Two is empty"]),
        ("s2", "s4", ["S2: Two is empty", "S3: Three is empty"]),
        ("s3", "s4", ["S3: Three is empty"]),
        # Backward and same-stage moves need nothing.
        ("s3", "s1", []),
        ("s4", "s2", []),
        ("s2", "s2", []),
        # No current stage: nothing to leave.
        (None, "s3", []),
        ("nowhere", "s3", []),
        # Target None (past the last stage / no stage running): only the current stage.
        ("s1", None, ["S1: One is empty"]),
        ("s2", None, ["S2: Two is empty"]),
        ("s4", None, ["S4: Four is empty"]),
        (None, None, []),
    ],
)
def test_leave_unmet(current: str | None, target: str | None, expected: list[str]) -> None:
    assert leave_unmet(PIPELINE, DealFacts(), current, target) == expected


def test_leave_unmet_all_met() -> None:
    everything = DealFacts(deal={"one": 1, "two": 2, "three": 3, "four": 4, "five": 5})
    assert leave_unmet(PIPELINE, everything, "s1", "post") == []
    assert leave_unmet(PIPELINE, everything, "s1", None) == []


def test_leave_unmet_with_contacts_and_approval_prefixes_the_stage_name() -> None:
    rules = ProcessRules(stages=(FULL, StageRule("next", "Next", "Stage_Next", 2)))
    assert leave_unmet(rules, facts(contacts=1, approvals={"full": "reject"}), "full", "next") == [
        "Full: the customer needs at least 2 contacts (has 1)",
        "Full: the direct manager's approval was rejected",
    ]


def test_stages_between() -> None:
    keys = [s.key for s in PIPELINE.stages_between("s1", "s4")]
    assert keys == ["s1", "s2", "s3"]
    assert [s.key for s in PIPELINE.stages_between("s3", "s1")] == []
    # End None: up to the last pre-sale stage (all are pre-sale here) included.
    assert [s.key for s in PIPELINE.stages_between("s3", None)] == ["s3", "s4", "post"]
    assert [s.key for s in PIPELINE.stages_between(None, "s2")] == ["s1"]


# --------------------------------------------------------------------------------------------
# win_unmet
# --------------------------------------------------------------------------------------------


def winning(order_required: bool = False) -> ProcessRules:
    return ProcessRules(
        stages=(
            StageRule("a", "Stage A", "Stage_A", 1, activities=(act("X", "Do X", "a", True),)),
            StageRule(
                "b",
                "Stage B",
                "Stage_B",
                2,
                activities=(act("Y", "Do Y", "b", True), act("Z", "Do Z", "b")),
            ),
        ),
        terminals=(
            TerminalRule("Won", "won", "Won", 100, order_required=order_required),
            TerminalRule("Lost", "lost", "Lost", 0),
        ),
    )


def test_win_unmet_obligatory() -> None:
    assert win_unmet(winning(), DealFacts()) == [
        "obligatory activity 'Do X' (Stage A) is not done",
        "obligatory activity 'Do Y' (Stage B) is not done",
    ]
    assert win_unmet(winning(), DealFacts(done=("Y",))) == [
        "obligatory activity 'Do X' (Stage A) is not done"
    ]
    assert win_unmet(winning(), DealFacts(done=("X", "Y"))) == []


@pytest.mark.parametrize(("orders", "unmet"), [(0, True), (1, False), (3, False)])
def test_win_unmet_order_required(orders: int, unmet: bool) -> None:
    expected = ["an order must exist to win"] if unmet else []
    assert win_unmet(winning(True), DealFacts(done=("X", "Y"), orders=orders)) == expected


def test_win_unmet_without_order_rule_ignores_orders() -> None:
    assert win_unmet(winning(False), DealFacts(done=("X", "Y"), orders=0)) == []


def test_win_unmet_lists_activities_then_the_order() -> None:
    assert win_unmet(winning(True), DealFacts(done=("X",))) == [
        "obligatory activity 'Do Y' (Stage B) is not done",
        "an order must exist to win",
    ]


def test_order_required_only_counts_on_won_terminals() -> None:
    rules = ProcessRules(terminals=(TerminalRule("L", "lost", "Lost", 0, order_required=True),))
    assert rules.order_required is False
    assert win_unmet(rules, DealFacts()) == []


# --------------------------------------------------------------------------------------------
# convert
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["text", "number", "date", "boolean", "email"])
@pytest.mark.parametrize("empty", [None, "", "   "])
def test_convert_empty_clears(kind: str, empty: Any) -> None:
    assert convert(FieldRef("deal", "x", kind), empty, "deal.x") is None


NUMBER = FieldRef("deal", "budget", "number")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("12.0", 12),
        ("12.50", 12.5),
        ("-3", -3),
        ("0", 0),
        ("1e3", 1000),
        ("0.1", 0.1),
        (7, 7),
        (2.5, 2.5),
        (0, 0),
    ],
)
def test_convert_number(value: Any, expected: float) -> None:
    converted = convert(NUMBER, value, "deal.budget")
    assert converted == expected
    assert type(converted) is type(expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "deal.budget must be a number, not 'abc'"),
        ("12,5", "deal.budget must be a number, not '12,5'"),
        ([1], "deal.budget must be a number, not [1]"),
        (True, "deal.budget must be a number"),
        (False, "deal.budget must be a number"),
        ("NaN", "deal.budget must be a finite number"),
        ("Infinity", "deal.budget must be a finite number"),
        ("-inf", "deal.budget must be a finite number"),
        (float("inf"), "deal.budget must be a finite number"),
    ],
)
def test_convert_number_refuses(value: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        convert(NUMBER, value, "deal.budget")
    assert refused.value.message == message
    assert refused.value.field == "deal.budget"


BOOLEAN = FieldRef("stage", "signed", "boolean")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("true", True), ("FALSE", False), ("True", True)],
)
def test_convert_boolean(value: Any, expected: bool) -> None:
    assert convert(BOOLEAN, value, "stage_fields.signed") is expected


@pytest.mark.parametrize("value", ["yes", "1", 1, 0, "t", [True]])
def test_convert_boolean_refuses(value: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        convert(BOOLEAN, value, "stage_fields.signed")
    assert refused.value.message == "stage_fields.signed must be true or false"
    assert refused.value.field == "stage_fields.signed"


TEXT = FieldRef("customer", "industry")


@pytest.mark.parametrize(
    ("value", "expected"), [("  Retail ", "Retail"), (5, "5"), (2.5, "2.5"), ("ü", "ü")]
)
def test_convert_text(value: Any, expected: str) -> None:
    assert convert(TEXT, value, "customer.industry") == expected


@pytest.mark.parametrize("value", [True, False, [1], {"a": 1}, ("x",)])
def test_convert_text_refuses_non_scalars(value: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        convert(TEXT, value, "customer.industry")
    assert refused.value.message == "customer.industry must be text"
    assert refused.value.field == "customer.industry"


def test_convert_text_length_limit() -> None:
    assert convert(TEXT, "x" * MAX_FIELD_TEXT, "f") == "x" * MAX_FIELD_TEXT
    # Surrounding blanks are stripped before the length is checked.
    assert convert(TEXT, " " + "x" * MAX_FIELD_TEXT + " ", "f") == "x" * MAX_FIELD_TEXT
    with pytest.raises(InvalidInput) as refused:
        convert(TEXT, "x" * (MAX_FIELD_TEXT + 1), "customer.industry")
    assert refused.value.message == "customer.industry is longer than 2000 characters"
    assert refused.value.field == "customer.industry"


DATE = FieldRef("stage", "decision_date", "date")


@pytest.mark.parametrize(
    ("value", "expected"), [("2026-03-01", "2026-03-01"), (" 2024-02-29 ", "2024-02-29")]
)
def test_convert_date(value: str, expected: str) -> None:
    assert convert(DATE, value, "stage_fields.decision_date") == expected


@pytest.mark.parametrize("value", ["2026-02-30", "2025-02-29", "01/03/2026", "tomorrow", "2026-13"])
def test_convert_date_refuses(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        convert(DATE, value, "stage_fields.decision_date")
    assert refused.value.message == (
        f"stage_fields.decision_date must be a date YYYY-MM-DD, not {value!r}"
    )
    assert refused.value.field == "stage_fields.decision_date"


def test_convert_date_refuses_non_text() -> None:
    with pytest.raises(InvalidInput, match="must be text"):
        convert(DATE, True, "d")


EMAIL = FieldRef("customer", "mail", "email")


@pytest.mark.parametrize("value", ["a@b.co", " first.last+tag@example.org "])
def test_convert_email(value: str) -> None:
    assert convert(EMAIL, value, "customer.mail") == value.strip()


@pytest.mark.parametrize("value", ["not-an-email", "a@b", "a b@c.de", "@b.co", "a@@b.co"])
def test_convert_email_refuses(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        convert(EMAIL, value, "customer.mail")
    assert refused.value.message == "customer.mail must be an e-mail address"
    assert refused.value.field == "customer.mail"


# --------------------------------------------------------------------------------------------
# declared / stage_declared
# --------------------------------------------------------------------------------------------

DECLARING = ProcessRules(
    stages=(
        StageRule(
            "one",
            "One",
            "Stage_One",
            1,
            required_fields=(
                ref("customer.industry"),
                ref("deal.budget:number"),
                ref("stage.decision_date:date"),
            ),
        ),
        StageRule(
            "two",
            "Two",
            "Stage_Two",
            2,
            required_fields=(
                ref("deal.budget"),  # declared again with another type: the first one wins
                ref("deal.expected_close_date:date"),
                ref("stage.feedback"),
                ref("stage.signed:boolean"),
            ),
        ),
        StageRule("three", "Three", "Stage_Three", 3),
    )
)


def test_declared_by_scope_first_declaration_wins() -> None:
    deal = declared(DECLARING, "deal")
    assert list(deal) == ["budget", "expected_close_date"]
    assert deal["budget"] == FieldRef("deal", "budget", "number")
    assert declared(DECLARING, "customer") == {"industry": FieldRef("customer", "industry")}
    assert list(declared(DECLARING, "stage")) == ["decision_date", "feedback", "signed"]
    assert declared(DECLARING, "other") == {}
    assert declared(ProcessRules(), "deal") == {}


def test_stage_declared_only_the_stage_scope_of_that_stage() -> None:
    assert stage_declared(DECLARING, "one") == {
        "decision_date": FieldRef("stage", "decision_date", "date")
    }
    assert stage_declared(DECLARING, "two") == {
        "feedback": FieldRef("stage", "feedback"),
        "signed": FieldRef("stage", "signed", "boolean"),
    }
    assert stage_declared(DECLARING, "three") == {}


def test_stage_declared_unknown_stage() -> None:
    with pytest.raises(InvalidInput) as refused:
        stage_declared(DECLARING, "nowhere")
    assert refused.value.message == "stage 'nowhere' does not exist in this process"
    assert refused.value.field == "stage_fields"
