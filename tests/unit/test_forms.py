"""Task forms from JSON Schema: schema checks, validation messages, fields, posted data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bpmn_sales.domain import forms
from bpmn_sales.domain.rules import ActivityRule, FieldRef, StageRule
from bpmn_sales.tasks.requirements import DealFacts, approval_waits_for

BUNDLED = Path(__file__).resolve().parents[2] / "bpmn"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "count"],
    "properties": {
        "name": {"type": "string", "title": "Name", "maxLength": 5},
        "count": {"type": "integer", "minimum": 1, "maximum": 9},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "description": "How much"},
        "ok": {"type": "boolean", "title": "All fine"},
        "size": {"type": "string", "enum": ["s", "m"], "enumNames": ["Small", "Medium"]},
        "kind": {"type": "string", "oneOf": [{"const": "a", "title": "Alpha"}, {"const": "b"}]},
        "day": {"type": "string", "format": "date"},
        "story": {"type": "string"},
    },
}


def bundled(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((BUNDLED / name).read_text())
    return loaded


@pytest.mark.parametrize("name", sorted(p.name for p in BUNDLED.glob("*-schema.json")))
def test_bundled_form_schemas_are_good(name: str) -> None:
    assert forms.schema_problem(bundled(name)) is None
    assert forms.ui_schema_problem(bundled(name.replace("-schema", "-uischema"))) is None


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ([], "a form schema must be a JSON object"),
        ({"type": "object", "properties": {"a": {"type": "text"}}}, "not a valid JSON Schema"),
        ({"type": "string"}, "must describe an object"),
        ({"type": "object"}, "must describe an object"),
        ({"type": "object", "properties": {"Bad-Name": {}}}, "must be snake_case"),
        ({"type": "object", "properties": {"approval": {}}}, "is set by the process"),
        (
            {"type": "object", "properties": {"address": {"type": "object", "properties": {}}}},
            "form field 'address' holds nested fields (type: object), which a task page "
            "cannot show; make each of them a field of its own (e.g. address_street)",
        ),
        (
            {"type": "object", "properties": {"lines": {"type": "array", "items": {}}}},
            "form field 'lines' is a list (type: array), which a task page cannot show as "
            "repeatable rows",
        ),
        (
            {"type": "object", "properties": {"tags": {"type": ["string", "array"]}}},
            "form field 'tags' is a list (type: array)",
        ),
        (
            {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}, "$defs": {"a": {}}},
            "form field 'a' refers to another schema ($ref)",
        ),
    ],
)
def test_schema_problems(schema: Any, problem: str) -> None:
    found = forms.schema_problem(schema)
    assert found is not None and problem in found


def test_every_error_is_named_by_field_in_schema_order() -> None:
    data = {"ratio": 0, "name": "toolong", "size": "xl", "day": "2024-02-30", "extra": 1}
    assert forms.validate(SCHEMA, data) == {
        "name": "Name is longer than 5 characters",
        "count": "Count is required",
        "ratio": "Ratio must be more than 0",
        "size": "Size must be one of: s, m",
        "day": "Day is not a valid date",
    }


def test_types_and_bounds_are_named() -> None:
    errors = forms.validate(SCHEMA, {"name": 3, "count": 1.5, "ok": "yes", "kind": "c"})
    assert errors == {
        "name": "Name must be a string",
        "count": "Count must be a whole number",
        "ok": "All fine must be yes or no",
        "kind": "Kind is not one of the choices",
    }
    assert forms.validate(SCHEMA, {"name": "a", "count": 10})["count"] == "Count must be at most 9"
    assert forms.validate(SCHEMA, {"name": "a", "count": 9}) == {}


def test_conditional_requirements_of_the_bundled_forms() -> None:
    review = bundled("lead-review-schema.json")
    assert forms.validate(review, {"decision": "qualify"}) == {}
    assert forms.validate(review, {"decision": "disqualify"}) == {
        "disqualify_reason": "Reason is required"
    }
    approval = bundled("approve-solution-schema.json")
    assert forms.validate(approval, {"decision": "approve"}) == {}
    assert forms.validate(approval, {"decision": "reject"}) == {"comment": "Comment is required"}
    assert forms.validate(approval, {"approved": True}) == {"decision": "Decision is required"}


def test_a_form_level_error_has_the_empty_key() -> None:
    schema = {"type": "object", "properties": {}, "minProperties": 1}
    assert list(forms.validate(schema, {})) == [forms.FORM_ERROR]


def test_describe_fields_for_rendering() -> None:
    ui = {
        "ui:order": ["story", "*", "name"],
        "story": {"ui:widget": "textarea", "ui:help": "Tell it", "ui:placeholder": "Once..."},
        "kind": {"ui:widget": "radio"},
        "day": {"ui:widget": "hidden"},
    }
    fields = forms.describe(SCHEMA, ui, {"count": 3}, {"name": "Name is required"})
    by_name = {f.name: f for f in fields}
    assert [f.name for f in fields] == ["story", "count", "ratio", "ok", "size", "kind", "name"]
    assert [(f.name, f.widget) for f in fields] == [
        ("story", "textarea"),
        ("count", "number"),
        ("ratio", "number"),
        ("ok", "checkbox"),
        ("size", "select"),
        ("kind", "radio"),
        ("name", "text"),
    ]
    assert (by_name["story"].help, by_name["story"].placeholder) == ("Tell it", "Once...")
    assert (by_name["count"].minimum, by_name["count"].maximum, by_name["count"].step) == (
        1,
        9,
        "1",
    )
    assert (by_name["count"].value, by_name["count"].required) == (3, True)
    assert (by_name["ratio"].step, by_name["ratio"].help) == ("any", "How much")
    assert by_name["size"].options == [("s", "Small"), ("m", "Medium")]
    assert by_name["kind"].options == [("a", "Alpha"), ("b", "b")]
    assert (by_name["name"].label, by_name["name"].error, by_name["name"].max_length) == (
        "Name",
        "Name is required",
        5,
    )
    assert by_name["ok"].label == "All fine" and by_name["ratio"].label == "Ratio"


def test_describe_date_and_ui_enum_names() -> None:
    terms = forms.describe(
        bundled("negotiate-terms-schema.json"), bundled("negotiate-terms-uischema.json")
    )
    assert [f.name for f in terms] == ["discount_percent", "payment_terms", "terms_signed"]
    assert terms[1].options[1] == ("net_30", "Net 30 days")
    assert forms.describe(SCHEMA)[6].widget == "date"


def test_from_form_types_the_posted_text() -> None:
    posted = {"name": " Ann ", "count": "4", "ratio": "0.5", "size": "m", "story": "   "}
    data, errors = forms.from_form(SCHEMA, posted)
    assert data == {"name": "Ann", "count": 4, "ratio": 0.5, "ok": False, "size": "m"}
    assert errors == {}
    data, errors = forms.from_form(SCHEMA, {"count": "2.5", "ratio": "nan", "ok": "on"})
    assert data == {"ok": True}
    assert errors == {"count": "Count must be a whole number", "ratio": "Ratio must be a number"}
    assert forms.from_form(SCHEMA, {"ratio": "3"})[0]["ratio"] == 3


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("^(a+)+$", "repeats a repetition"),
        (r"^(\w+\s?)*$", "repeats a repetition"),
        (r"^([a-z]{1,3})*$", "repeats a repetition"),
        (r"^(?:(?:ab)+|c)+$", "repeats a repetition"),
        (r"(?=(a+)+)b", "repeats a repetition"),
        (r"^(x)\1$", "refers back to a group"),
        ("(", "is not a valid regular expression"),
        ("a" * 501, "is longer than 500 characters"),
    ],
)
def test_patterns_that_can_take_exponential_time_are_refused(pattern: str, problem: str) -> None:
    found = forms.pattern_problem(pattern)
    assert found is not None and problem in found, found


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$",  # an IBAN
        r"^\+?[0-9 ()-]{6,20}$",
        r"^(\d{3}-)+\d{4}$",  # a fixed-length repeat inside a repeat cannot backtrack
        r"^(a|b)*c$",
        r"^[a-z]+(?:-[a-z]+)?$",
    ],
)
def test_everyday_patterns_pass(pattern: str) -> None:
    assert forms.pattern_problem(pattern) is None


def test_a_pattern_anywhere_in_a_schema_is_checked_but_data_is_not() -> None:
    nested = {
        "type": "object",
        "properties": {
            "lines": {
                "type": "array",
                "items": {"type": "object", "patternProperties": {"^(a+)+$": {}}},
            },
            "note": {"type": "string", "enum": [{"pattern": "(a+)+"}], "default": "(a+)+"},
        },
    }
    assert forms.schema_problem(nested) == (
        "the pattern at properties/lines/items/patternProperties/^(a+)+$ "
        "repeats a repetition, e.g. (a+)+, which can take exponential time"
    )
    del nested["properties"]["lines"]  # type: ignore[index]
    assert forms.schema_problem(nested) is None


def test_an_approval_waits_for_the_stage_requirements_but_not_for_itself() -> None:
    approve = ActivityRule("Approve", "Approve offer", "offer", obligatory=True, approval="x")
    prepare = ActivityRule("Prepare", "Prepare offer", "offer", obligatory=True)
    stage = StageRule(
        "offer",
        "Offer",
        "Stage_Offer",
        1,
        required_fields=(FieldRef("stage", "quote"),),
        min_contacts=1,
        approval="direct_manager",
        activities=(prepare, approve),
    )
    assert approval_waits_for(stage, DealFacts()) == [
        "Quote is empty",
        "the customer needs at least 1 contact (has 0)",
        "obligatory activity 'Prepare offer' is not done",
    ]
    met = DealFacts(stage_fields={"offer": {"quote": "Q-1"}}, contacts=1, done={"Prepare"})
    assert approval_waits_for(stage, met) == []
    assert approval_waits_for(StageRule("s", "S", "Stage_S", 1), DealFacts()) == []
