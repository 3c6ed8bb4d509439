"""The sales-rule vocabulary: the JSON Schema, coercion of XML strings, problems and defaults."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bpmn_sales.engine.diagrams import vocabulary
from bpmn_sales.engine.diagrams.vocabulary import coerce, element_kind, read, with_defaults

PARTY = (
    "expected anyone, owner, manager, direct_manager, admin, user:<username> or group:<group name>"
)
FIELD_REF = (
    "expected <scope>.<name>[:<type>][=<title>]: scope customer, deal or stage; "
    "type text (default), number, date, boolean or email; "
    "the title is what people read (default: the name in words)"
)

# --------------------------------------------------------------------------------------------
# the schema itself
# --------------------------------------------------------------------------------------------


def test_shipped_schema_is_a_valid_draft_2020_12_schema() -> None:
    whole = vocabulary.schema()
    assert whole["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(whole)
    for kind in vocabulary.KINDS:
        Draft202012Validator.check_schema({**whole, "$ref": f"#/$defs/{kind}"})


def test_every_kind_is_defined_and_closed() -> None:
    for kind in vocabulary.KINDS:
        definition = vocabulary.definition(kind)
        assert definition["type"] == "object"
        assert definition["additionalProperties"] is False


def test_property_names_per_kind() -> None:
    assert vocabulary.names("stage") == [
        "stage_order",
        "stage_key",
        "stage_description",
        "stage_requirements",
        "stage_win_rate",
        "stage_required_fields",
        "stage_fields",
        "stage_min_contacts",
        "stage_optional",
        "stage_approval",
        "stage_phase",
    ]
    assert vocabulary.names("activity") == [
        "weight",
        "activity_order",
        "obligatory",
        "due_days",
        "completed_by",
        "note_required",
        "notify",
        "follow_up_title",
        "follow_up_due_days",
        "follow_up_assignee",
        "tip",
        "description",
        "approval",
        "formJsonSchemaFilename",
        "formUiSchemaFilename",
    ]
    assert vocabulary.names("task") == [
        "completed_by",
        "due_days",
        "tip",
        "description",
        "lead_status",
        "formJsonSchemaFilename",
        "formUiSchemaFilename",
    ]
    assert vocabulary.names("terminal") == [
        "outcome",
        "outcome_label",
        "outcome_probability",
        "lost_reasons",
        "order_required",
        "orders_from_stage",
        "orders_after_stage",
    ]
    assert vocabulary.names("other") == ["lead_status"]


@pytest.mark.parametrize("kind", vocabulary.KINDS)
def test_defaults_are_valid_values(kind: str) -> None:
    for prop in vocabulary.definition(kind)["properties"].values():
        if "default" in prop:
            subschema = {**vocabulary.schema(), **prop}
            Draft202012Validator(subschema).validate(prop["default"])


# --------------------------------------------------------------------------------------------
# coerce
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3),
        (" 3 ", 3),
        ("+3", 3),
        ("-2", -2),
        ("007", 7),
        ("3.0", "3.0"),
        ("3.5", "3.5"),
        ("three", "three"),
        ("", ""),
        ("1e2", "1e2"),
    ],
)
def test_coerce_integer(value: str, expected: Any) -> None:
    coerced = coerce("stage", "stage_order", value)
    assert coerced == expected
    assert type(coerced) is type(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30),
        ("30.0", 30),
        ("30.5", 30.5),
        (".5", 0.5),
        ("5.", 5),
        ("+1", 1),
        ("-0.5", -0.5),
        (" 12 ", 12),
        ("1e2", "1e2"),
        ("thirty", "thirty"),
        ("30%", "30%"),
        ("1,5", "1,5"),
        ("nan", "nan"),
        ("inf", "inf"),
    ],
)
def test_coerce_number(value: str, expected: Any) -> None:
    coerced = coerce("stage", "stage_win_rate", value)
    assert coerced == expected
    assert type(coerced) is type(expected)
    assert coerce("activity", "weight", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("false", False),
        (" true ", True),
        ("True", "True"),
        ("FALSE", "FALSE"),
        ("1", "1"),
        ("0", "0"),
        ("yes", "yes"),
        ("", ""),
    ],
)
def test_coerce_boolean_is_strict(value: str, expected: Any) -> None:
    assert coerce("stage", "stage_optional", value) == expected
    assert coerce("activity", "obligatory", value) == expected
    assert coerce("terminal", "order_required", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("owner", ["owner"]),
        ("owner;direct_manager", ["owner", "direct_manager"]),
        (" owner ; user:bob ;; ", ["owner", "user:bob"]),
        ("group:Pre Sales; admin", ["group:Pre Sales", "admin"]),
        ("", []),
        (" ; ; ", []),
    ],
)
def test_coerce_array_splits_on_semicolons(value: str, expected: list[str]) -> None:
    assert coerce("activity", "completed_by", value) == expected
    assert coerce("activity", "notify", value) == expected
    assert coerce("task", "completed_by", value) == expected


def test_coerce_array_items_keep_their_text() -> None:
    assert coerce("terminal", "lost_reasons", "Too expensive;  No budget ;Other;") == [
        "Too expensive",
        "No budget",
        "Other",
    ]
    assert coerce("stage", "stage_required_fields", "customer.industry; deal.budget:number") == [
        "customer.industry",
        "deal.budget:number",
    ]
    # A comma is not a separator.
    assert coerce("terminal", "lost_reasons", "a, b") == ["a, b"]


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("stage", "stage_description"),
        ("stage", "stage_key"),
        ("stage", "stage_phase"),
        ("activity", "note_required"),
        ("activity", "follow_up_title"),
        ("terminal", "outcome"),
        ("task", "lead_status"),
        ("stage", "not_a_property"),
    ],
)
def test_coerce_strings_are_stripped(kind: str, name: str) -> None:
    assert coerce(kind, name, "  some text \n") == "some text"


# --------------------------------------------------------------------------------------------
# read: values and problems
# --------------------------------------------------------------------------------------------


def test_read_typed_values_without_problems() -> None:
    values, problems = read(
        "activity",
        {
            "weight": "2",
            "obligatory": "true",
            "completed_by": "owner; group:Pre Sales",
            "notify": "direct_manager",
            "note_required": "note_and_file",
            "follow_up_title": " Call back ",
            "follow_up_due_days": "3",
            "follow_up_assignee": "user:bob",
        },
    )
    assert problems == []
    assert values == {
        "weight": 2,
        "obligatory": True,
        "completed_by": ["owner", "group:Pre Sales"],
        "notify": ["direct_manager"],
        "note_required": "note_and_file",
        "follow_up_title": "Call back",
        "follow_up_due_days": 3,
        "follow_up_assignee": "user:bob",
    }


def test_read_a_full_stage() -> None:
    values, problems = read(
        "stage",
        {
            "stage_order": "2",
            "stage_key": "needs_analysis",
            "stage_win_rate": "30",
            "stage_required_fields": "deal.budget:number; stage.decision_date:date",
            "stage_min_contacts": "2",
            "stage_optional": "false",
            "stage_approval": "direct_manager",
            "stage_phase": "post_sale",
        },
    )
    assert problems == []
    assert values["stage_order"] == 2
    assert values["stage_win_rate"] == 30
    assert values["stage_required_fields"] == ["deal.budget:number", "stage.decision_date:date"]
    assert values["stage_optional"] is False


def test_read_unknown_property_with_suggestion() -> None:
    values, problems = read("stage", {"stage_order": "1", "stage_win_rat": "30"})
    assert problems == [
        "unknown property 'stage_win_rat' on a stage (did you mean 'stage_win_rate'?)"
    ]
    # Unknown properties are not coerced.
    assert values == {"stage_order": 1, "stage_win_rat": "30"}


@pytest.mark.parametrize(
    ("kind", "props", "problem"),
    [
        ("stage", {"stage_order": "1", "zzz": "1"}, "unknown property 'zzz' on a stage"),
        (
            "activity",
            {"wieght": "1"},
            "unknown property 'wieght' on an activity (did you mean 'weight'?)",
        ),
        ("activity", {"stage_win_rate": "1"}, "unknown property 'stage_win_rate' on an activity"),
        ("task", {"weight": "1"}, "unknown property 'weight' on a user task outside a stage"),
        (
            "task",
            {"obligatory": "true"},
            "unknown property 'obligatory' on a user task outside a stage",
        ),
        (
            "terminal",
            {"outcome": "won", "outcom_label": "W"},
            "unknown property 'outcom_label' on a terminal event (did you mean 'outcome_label'?)",
        ),
        ("other", {"weight": "1"}, "unknown property 'weight' on this element"),
        (
            "other",
            {"lead_stats": "new"},
            "unknown property 'lead_stats' on this element (did you mean 'lead_status'?)",
        ),
    ],
)
def test_read_unknown_properties(kind: str, props: dict[str, str], problem: str) -> None:
    assert read(kind, props)[1] == [problem]


def test_read_several_unknown_properties_in_one_problem() -> None:
    _, problems = read("stage", {"stage_order": "1", "b_unknown": "1", "a_unknown": "2"})
    assert problems == [
        "unknown property 'a_unknown' on a stage; unknown property 'b_unknown' on a stage"
    ]


@pytest.mark.parametrize(
    ("props", "problem"),
    [
        (
            {"stage_win_rate": "101"},
            "property 'stage_win_rate': 101 is greater than the maximum of 100",
        ),
        (
            {"stage_win_rate": "100.5"},
            "property 'stage_win_rate': 100.5 is greater than the maximum of 100",
        ),
        (
            {"stage_win_rate": "-0.5"},
            "property 'stage_win_rate': -0.5 is less than the minimum of 0",
        ),
        ({"stage_win_rate": "high"}, "property 'stage_win_rate': 'high' is not of type 'number'"),
        ({"stage_win_rate": "30%"}, "property 'stage_win_rate': '30%' is not of type 'number'"),
        ({"stage_order": "0"}, "property 'stage_order': 0 is less than the minimum of 1"),
        ({"stage_order": "1.5"}, "property 'stage_order': '1.5' is not of type 'integer'"),
        (
            {"stage_min_contacts": "-1"},
            "property 'stage_min_contacts': -1 is less than the minimum of 0",
        ),
        ({"stage_optional": "True"}, "property 'stage_optional': 'True' is not of type 'boolean'"),
        ({"stage_optional": "yes"}, "property 'stage_optional': 'yes' is not of type 'boolean'"),
        (
            {"stage_phase": "after"},
            "property 'stage_phase': 'after' is not one of ['pre_sale', 'post_sale']",
        ),
        (
            {"stage_approval": "boss"},
            "property 'stage_approval': 'boss' is not one of ['direct_manager']",
        ),
    ],
)
def test_read_bad_stage_values(props: dict[str, str], problem: str) -> None:
    assert read("stage", {"stage_order": "1", **props})[1] == [problem]


def test_read_rates_at_the_bounds_are_fine() -> None:
    for rate in ("0", "100", "0.0", "99.9"):
        assert read("stage", {"stage_order": "1", "stage_win_rate": rate})[1] == []


@pytest.mark.parametrize(
    ("props", "problem"),
    [
        ({"weight": "-1"}, "property 'weight': -1 is less than the minimum of 0"),
        ({"weight": "-0.1"}, "property 'weight': -0.1 is less than the minimum of 0"),
        ({"weight": "heavy"}, "property 'weight': 'heavy' is not of type 'number'"),
        ({"obligatory": "1"}, "property 'obligatory': '1' is not of type 'boolean'"),
        (
            {"note_required": "file"},
            "property 'note_required': 'file' is not one of ['none', 'note', 'note_and_file']",
        ),
        ({"completed_by": ""}, "property 'completed_by': [] should be non-empty"),
        (
            {"follow_up_title": "x", "follow_up_due_days": "-1"},
            "property 'follow_up_due_days': -1 is less than the minimum of 0",
        ),
        (
            {"follow_up_title": "x", "follow_up_due_days": "3651"},
            "property 'follow_up_due_days': 3651 is greater than the maximum of 3650",
        ),
        ({"approval": "owner"}, "property 'approval': 'owner' is not one of ['direct_manager']"),
    ],
)
def test_read_bad_activity_values(props: dict[str, str], problem: str) -> None:
    assert read("activity", props)[1] == [problem]


def test_read_weight_zero_is_fine() -> None:
    assert read("activity", {"weight": "0"}) == ({"weight": 0}, [])


@pytest.mark.parametrize(
    "party",
    [
        "boss",
        "Owner",
        "user:",
        "user:bad name",
        "group:",
        "group:a:b",
        "everyone",
        "user:" + "u" * 81,
    ],
)
def test_read_bad_party(party: str) -> None:
    _, problems = read("activity", {"completed_by": f"owner;{party}"})
    assert problems == [f"property 'completed_by': {party!r} is not valid: {PARTY}"]


@pytest.mark.parametrize(
    "party",
    [
        "anyone",
        "owner",
        "manager",
        "direct_manager",
        "admin",
        "user:bob.smith@x-y",
        "group:Pre Sales",
    ],
)
def test_read_good_parties(party: str) -> None:
    assert read("activity", {"completed_by": party})[1] == []
    assert read("task", {"completed_by": party})[1] == []
    if party != "anyone":
        assert read("activity", {"notify": party})[1] == []


RECIPIENT = (
    "expected owner, manager, direct_manager, admin, participants, user:<username> "
    "or group:<group name>"
)


def test_read_bad_notify_party() -> None:
    assert read("activity", {"notify": "user:bad name"})[1] == [
        f"property 'notify': 'user:bad name' is not valid: {RECIPIENT}"
    ]


def test_notify_anyone_is_refused_it_would_notify_nobody() -> None:
    assert read("activity", {"notify": "anyone"})[1] == [
        f"property 'notify': 'anyone' is not valid: {RECIPIENT}"
    ]


@pytest.mark.parametrize("assignee", ["anyone", "manager", "admin", "boss"])
def test_read_follow_up_assignee_is_one_party(assignee: str) -> None:
    _, problems = read("activity", {"follow_up_title": "x", "follow_up_assignee": assignee})
    assert problems == [f"property 'follow_up_assignee': {assignee!r} is not valid"]


@pytest.mark.parametrize(
    "ref",
    [
        "customer.Industry",
        "deal.x:money",
        "account.x",
        "deal",
        "deal.1x",
        "stage.x:Number",
        "deal." + "x" * 64,
    ],
)
def test_read_bad_field_ref(ref: str) -> None:
    _, problems = read("stage", {"stage_order": "1", "stage_required_fields": f"deal.ok; {ref}"})
    assert problems == [f"property 'stage_required_fields': {ref!r} is not valid: {FIELD_REF}"]


def test_read_each_bad_field_ref_is_named() -> None:
    _, problems = read("stage", {"stage_order": "1", "stage_required_fields": "a.b; deal.X"})
    assert problems == [
        f"property 'stage_required_fields': 'a.b' is not valid: {FIELD_REF}",
        f"property 'stage_required_fields': 'deal.X' is not valid: {FIELD_REF}",
    ]


@pytest.mark.parametrize(
    "ref",
    ["stage.visit_date:date=Visit date", "customer.industry = 行业", "deal.budget=Budget (€)"],
)
def test_read_field_ref_with_a_title(ref: str) -> None:
    assert read("stage", {"stage_order": "1", "stage_required_fields": ref})[1] == []


@pytest.mark.parametrize("ref", ["deal.budget=", "deal.budget==x", "deal.budget=" + "x" * 101])
def test_read_bad_field_title(ref: str) -> None:
    _, problems = read("stage", {"stage_order": "1", "stage_required_fields": ref})
    assert problems == [f"property 'stage_required_fields': {ref!r} is not valid: {FIELD_REF}"]


def test_read_duplicate_field_refs() -> None:
    _, problems = read("stage", {"stage_order": "1", "stage_required_fields": "deal.a; deal.a"})
    assert problems == [
        "property 'stage_required_fields': ['deal.a', 'deal.a'] has non-unique elements"
    ]


@pytest.mark.parametrize("key", ["1stage", "has space", "", "a/b"])
def test_read_bad_stage_key(key: str) -> None:
    _, problems = read("stage", {"stage_order": "1", "stage_key": key})
    assert len(problems) == 1
    assert problems[0].startswith(f"property 'stage_key': {key!r} is not valid")


@pytest.mark.parametrize("key", ["initial_visit", "quote_and_bid", "s1"])
def test_read_good_stage_key(key: str) -> None:
    assert read("stage", {"stage_order": "1", "stage_key": key})[1] == []


@pytest.mark.parametrize(
    ("kind", "problem"),
    [
        ("stage", "a stage needs property 'stage_order'"),
        ("terminal", "a terminal event needs property 'outcome'"),
    ],
)
def test_read_required(kind: str, problem: str) -> None:
    assert read(kind, {})[1] == [problem]


@pytest.mark.parametrize("kind", ["activity", "task", "other"])
def test_read_nothing_required(kind: str) -> None:
    assert read(kind, {}) == ({}, [])


@pytest.mark.parametrize(
    ("props", "problems"),
    [
        (
            {"outcome": "won", "lost_reasons": "a;b"},
            ["property 'lost_reasons' is only allowed on a terminal with outcome lost"],
        ),
        (
            {"outcome": "invalid", "lost_reasons": "a"},
            ["property 'lost_reasons' is only allowed on a terminal with outcome lost"],
        ),
        (
            {"outcome": "lost", "order_required": "true"},
            ["property 'order_required' is only allowed on a terminal with outcome won"],
        ),
        (
            {"outcome": "lost", "order_required": "false"},
            ["property 'order_required' is only allowed on a terminal with outcome won"],
        ),
        (
            {"outcome": "invalid", "orders_from_stage": "quote"},
            ["property 'orders_from_stage' is only allowed on a terminal with outcome won"],
        ),
        (
            {"outcome": "lost", "order_required": "true", "orders_from_stage": "quote"},
            [
                "property 'order_required' is only allowed on a terminal with outcome won",
                "property 'orders_from_stage' is only allowed on a terminal with outcome won",
            ],
        ),
    ],
)
def test_read_terminal_only_properties_on_the_wrong_outcome(
    props: dict[str, str], problems: list[str]
) -> None:
    assert read("terminal", props)[1] == problems


@pytest.mark.parametrize(
    "props",
    [
        {"outcome": "won", "order_required": "true", "orders_from_stage": "quote_and_bid"},
        {"outcome": "won", "outcome_probability": "90", "outcome_label": "Won"},
        {"outcome": "lost", "lost_reasons": "Too expensive; No budget"},
        {"outcome": "lost", "lost_reasons": ""},
        {"outcome": "invalid", "outcome_probability": "0"},
    ],
)
def test_read_good_terminals(props: dict[str, str]) -> None:
    assert read("terminal", props)[1] == []


@pytest.mark.parametrize(
    ("props", "problem"),
    [
        (
            {"outcome": "draw"},
            "property 'outcome': 'draw' is not one of ['won', 'lost', 'invalid']",
        ),
        (
            {"outcome": "won", "outcome_probability": "120"},
            "property 'outcome_probability': 120 is greater than the maximum of 100",
        ),
        (
            {"outcome": "won", "outcome_label": ""},
            "property 'outcome_label': '' should be non-empty",
        ),
        (
            {"outcome": "lost", "lost_reasons": "a; a"},
            "property 'lost_reasons': ['a', 'a'] has non-unique elements",
        ),
        (
            {"outcome": "won", "order_required": "yes"},
            "property 'order_required': 'yes' is not of type 'boolean'",
        ),
    ],
)
def test_read_bad_terminal_values(props: dict[str, str], problem: str) -> None:
    assert read("terminal", props)[1] == [problem]


def test_read_follow_up_needs_a_title() -> None:
    assert read("activity", {"follow_up_due_days": "2"})[1] == [
        "property 'follow_up_due_days' needs property 'follow_up_title'"
    ]
    assert read("activity", {"follow_up_assignee": "owner"})[1] == [
        "property 'follow_up_assignee' needs property 'follow_up_title'"
    ]
    assert read("activity", {"follow_up_due_days": "2", "follow_up_assignee": "owner"})[1] == [
        "property 'follow_up_due_days' needs property 'follow_up_title'",
        "property 'follow_up_assignee' needs property 'follow_up_title'",
    ]
    assert read("activity", {"follow_up_title": "Call", "follow_up_due_days": "2"})[1] == []
    assert read("activity", {"follow_up_title": ""})[1] == [
        "property 'follow_up_title': '' should be non-empty"
    ]


@pytest.mark.parametrize("status", ["new", "qualified", "disqualified"])
def test_read_lead_status(status: str) -> None:
    assert read("other", {"lead_status": status}) == ({"lead_status": status}, [])
    assert read("task", {"lead_status": status})[1] == []


def test_read_bad_lead_status() -> None:
    assert read("other", {"lead_status": "won"})[1] == [
        "property 'lead_status': 'won' is not one of ['new', 'qualified', 'disqualified']"
    ]


def test_read_long_texts() -> None:
    assert read("activity", {"tip": "x" * 2000})[1] == []
    _, problems = read("activity", {"tip": "x" * 2001})
    assert len(problems) == 1
    assert problems[0].startswith("property 'tip': ") and problems[0].endswith("is too long")


def test_read_does_not_change_its_input() -> None:
    props = {"stage_order": "1", "stage_win_rate": "30"}
    read("stage", props)
    assert props == {"stage_order": "1", "stage_win_rate": "30"}


# --------------------------------------------------------------------------------------------
# with_defaults
# --------------------------------------------------------------------------------------------


def test_with_defaults_activity() -> None:
    assert with_defaults("activity", {}) == {
        "weight": 1,
        "obligatory": False,
        "completed_by": ["anyone"],
        "note_required": "none",
        "notify": [],
        "follow_up_due_days": 0,
        "follow_up_assignee": "owner",
    }


def test_with_defaults_keeps_given_values() -> None:
    full = with_defaults("activity", {"weight": 3, "completed_by": ["owner"], "tip": "t"})
    assert full["weight"] == 3
    assert full["completed_by"] == ["owner"]
    assert full["tip"] == "t"
    assert full["obligatory"] is False
    # Properties without a default stay absent.
    assert "follow_up_title" not in full
    assert "approval" not in full


def test_with_defaults_other_kinds() -> None:
    assert with_defaults("stage", {"stage_order": 1}) == {
        "stage_order": 1,
        "stage_required_fields": [],
        "stage_fields": [],
        "stage_min_contacts": 0,
        "stage_optional": False,
        "stage_phase": "pre_sale",
    }
    assert with_defaults("terminal", {"outcome": "won"}) == {
        "outcome": "won",
        "order_required": False,
    }
    assert with_defaults("task", {}) == {"completed_by": ["anyone"]}
    assert with_defaults("other", {}) == {}


def test_with_defaults_does_not_change_its_input() -> None:
    values: dict[str, Any] = {"weight": 2}
    with_defaults("activity", values)
    assert values == {"weight": 2}


def test_with_defaults_returns_fresh_default_lists() -> None:
    first = with_defaults("activity", {})
    try:
        first["notify"].append("owner")
        assert with_defaults("activity", {})["notify"] == []
    finally:
        # Undo the damage to the cached schema so other tests are not affected.
        if first["notify"] == ["owner"]:
            first["notify"].clear()


# --------------------------------------------------------------------------------------------
# element_kind
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "props", "in_stage", "kind"),
    [
        ("subProcess", {"stage_order": "1"}, False, "stage"),
        ("subProcess", {"stage_order": "1"}, True, "stage"),
        ("transaction", {"stage_order": "1"}, False, "stage"),
        ("adHocSubProcess", {"stage_order": "1"}, False, "stage"),
        ("subProcess", {}, False, "other"),
        ("subProcess", {"stage_key": "x"}, False, "other"),
        ("callActivity", {"stage_order": "1"}, False, "other"),
        ("userTask", {}, True, "activity"),
        ("userTask", {"weight": "2"}, True, "activity"),
        ("userTask", {}, False, "task"),
        ("userTask", {"weight": "2"}, False, "task"),
        ("endEvent", {"outcome": "won"}, False, "terminal"),
        ("endEvent", {"outcome": "bogus"}, False, "terminal"),
        ("endEvent", {"outcome": "lost"}, True, "terminal"),
        ("endEvent", {}, False, "other"),
        ("intermediateThrowEvent", {"outcome": "won"}, False, "terminal"),
        ("intermediateThrowEvent", {}, False, "other"),
        ("startEvent", {"outcome": "won"}, False, "other"),
        ("intermediateCatchEvent", {"outcome": "won"}, False, "other"),
        ("serviceTask", {}, True, "other"),
        ("manualTask", {}, True, "other"),
        ("exclusiveGateway", {"lead_status": "new"}, False, "other"),
    ],
)
def test_element_kind(tag: str, props: dict[str, str], in_stage: bool, kind: str) -> None:
    assert element_kind(tag, props, in_stage) == kind
