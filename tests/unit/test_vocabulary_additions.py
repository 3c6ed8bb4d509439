"""Optional stage fields, orders after a stage, the checklist order and the participants party:
read from real diagrams (tests/data), linted, and judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpmn_sales.domain.rules import FieldRef, ProcessRules, StageRule, TerminalRule
from bpmn_sales.engine.diagrams.compiler import DiagramCompiler
from bpmn_sales.engine.diagrams.rules import read_rules
from bpmn_sales.errors import InvalidInput
from bpmn_sales.tasks import notifications, orders
from bpmn_sales.tasks.requirements import declared, stage_declared

DATA = Path(__file__).resolve().parents[1] / "data"
CLEAN = (DATA / "lint" / "clean_deal.bpmn").read_text(encoding="utf-8")
COMPLETION = (DATA / "rules" / "completion.bpmn").read_text(encoding="utf-8")
QUALIFY_RATE = '<spiffworkflow:property name="stage_win_rate" value="20" />'
WON_ORDERS = '<spiffworkflow:property name="orders_from_stage" value="propose" />'


def with_property(xml: str, anchor: str, *lines: str) -> bytes:
    """The diagram with property lines added after the anchor line."""
    assert xml.count(anchor) == 1, anchor
    added = "".join(f"\n          {line}" for line in lines)
    return xml.replace(anchor, anchor + added).encode()


def prop(name: str, value: str) -> str:
    return f'<spiffworkflow:property name="{name}" value="{value}" />'


def rules_of(compiler: DiagramCompiler, xml: bytes, name: str = "d.bpmn") -> ProcessRules:
    (parsed,) = compiler.compile({name: xml})
    return read_rules(parsed.spec, parsed.subprocess_specs)


# --------------------------------------------------------------------------------------------
# stage_fields
# --------------------------------------------------------------------------------------------


def test_optional_fields_are_read_beside_the_required_ones(compiler: DiagramCompiler) -> None:
    xml = with_property(
        CLEAN,
        QUALIFY_RATE,
        prop("stage_required_fields", "deal.budget:number"),
        prop("stage_fields", "stage.visit_date:date;customer.industry"),
    )
    assert compiler.lint({"d.bpmn": xml}) == []
    qualify = rules_of(compiler, xml).stages[0]
    assert qualify.required_fields == (FieldRef("deal", "budget", "number"),)
    assert qualify.optional_fields == (
        FieldRef("stage", "visit_date", "date"),
        FieldRef("customer", "industry"),
    )
    rules = rules_of(compiler, xml)
    # Declared for typing and for the stage's form, but never required to leave the stage.
    assert declared(rules, "customer") == {"industry": FieldRef("customer", "industry")}
    assert list(stage_declared(rules, "qualify")) == ["visit_date"]
    assert rules.to_dict()["stages"][0]["optional_fields"] == [
        "stage.visit_date:date",
        "customer.industry",
    ]


def test_a_field_both_required_and_optional_is_required_with_a_warning(
    compiler: DiagramCompiler,
) -> None:
    xml = with_property(
        CLEAN,
        QUALIFY_RATE,
        prop("stage_required_fields", "deal.budget:number"),
        prop("stage_fields", "deal.budget:number"),
    )
    (problem,) = compiler.lint({"d.bpmn": xml})
    assert (problem.code, problem.severity, problem.element_id) == (
        "duplicate_field",
        "warning",
        "Stage_Qualify",
    )
    assert problem.message == (
        "field 'deal.budget:number' is in stage_required_fields and stage_fields; it is "
        "required (remove it from stage_fields)"
    )
    assert (
        problem.line
        == xml.decode()
        .splitlines()
        .index("          " + prop("stage_fields", "deal.budget:number"))
        + 1
    )
    qualify = rules_of(compiler, xml).stages[0]
    assert (qualify.required_fields, qualify.optional_fields) == (
        (FieldRef("deal", "budget", "number"),),
        (),
    )


def test_a_bad_optional_field_is_refused_like_a_required_one(compiler: DiagramCompiler) -> None:
    xml = with_property(CLEAN, QUALIFY_RATE, prop("stage_fields", "visit date"))
    (problem,) = compiler.lint({"d.bpmn": xml})
    assert (problem.code, problem.element_id) == ("property", "Stage_Qualify")
    assert problem.message.startswith("property 'stage_fields': 'visit date' is not valid")


# --------------------------------------------------------------------------------------------
# orders_after_stage
# --------------------------------------------------------------------------------------------


def test_orders_after_stage_is_read_and_checked(compiler: DiagramCompiler) -> None:
    good = CLEAN.replace(WON_ORDERS, prop("orders_after_stage", "qualify")).encode()
    assert compiler.lint({"d.bpmn": good}) == []
    rules = rules_of(compiler, good)
    assert (rules.orders_from_stage, rules.orders_after_stage) == (None, "qualify")

    bad = CLEAN.replace(WON_ORDERS, prop("orders_after_stage", "contract")).encode()
    (problem,) = compiler.lint({"d.bpmn": bad})
    assert (problem.code, problem.element_id) == ("unknown_stage", "Event_Won")
    assert problem.message == (
        "orders_after_stage 'contract' names no stage of this process (propose, qualify)"
    )


def test_orders_after_stage_only_on_a_won_terminal(compiler: DiagramCompiler) -> None:
    lost = '<spiffworkflow:property name="outcome" value="lost" />'
    xml = with_property(CLEAN, lost, prop("orders_after_stage", "qualify"))
    (problem,) = compiler.lint({"d.bpmn": xml})
    assert (problem.code, problem.element_id) == ("property", "Event_Lost")
    assert "orders_after_stage" in problem.message


def after(stage: str) -> ProcessRules:
    return ProcessRules(
        stages=(
            StageRule("visit", "Visit", "Stage_Visit", 1),
            StageRule("presale", "Pre-sale", "Stage_Presale", 2),
            StageRule("quote", "Quote", "Stage_Quote", 3),
        ),
        terminals=(TerminalRule("Won", "won", "Won", 100, orders_after_stage=stage),),
    )


@pytest.mark.parametrize(
    ("stage_key", "past", "allowed"),
    [
        (None, False, False),
        ("visit", False, False),
        ("presale", False, False),  # reached, not completed
        ("presale", True, True),  # completed, waiting for a close
        ("quote", False, True),
    ],
)
def test_orders_after_a_stage_wait_for_its_completion(
    stage_key: str | None, past: bool, allowed: bool
) -> None:
    refusal = orders.order_refusal(after("presale"), "open", stage_key, past)
    if allowed:
        assert refusal is None
    else:
        where = {"visit": "'Visit'", "presale": "'Pre-sale'"}.get(stage_key or "", "no stage yet")
        assert refusal == (
            f"orders may be created only once stage 'Pre-sale' is completed; the deal is at {where}"
        )
    assert orders.order_refusal(after("presale"), "won", stage_key, past) is None


# --------------------------------------------------------------------------------------------
# activity_order
# --------------------------------------------------------------------------------------------


def test_activity_order_sets_the_checklist_and_the_rest_follow(compiler: DiagramCompiler) -> None:
    xml = COMPLETION
    for task, order in (("CallCustomer", "1"), ("WriteReport", "2")):
        anchor = f'<bpmn:userTask id="Activity_{task}" name='
        start = xml.index(anchor)
        at = xml.index("<spiffworkflow:properties>", start) + len("<spiffworkflow:properties>")
        xml = xml[:at] + "\n              " + prop("activity_order", order) + xml[at:]
    data = xml.encode()
    assert compiler.lint({"completion.bpmn": data}) == []
    checks = rules_of(compiler, data, "completion.bpmn").stages[0]
    before = rules_of(compiler, COMPLETION.encode(), "completion.bpmn").stages[0]
    rest = [
        a.element_id
        for a in before.activities
        if a.element_id
        not in (
            "Activity_CallCustomer",
            "Activity_WriteReport",
        )
    ]
    assert [a.element_id for a in checks.activities] == [
        "Activity_CallCustomer",
        "Activity_WriteReport",
        *rest,
    ]


def test_two_activities_with_one_order_is_a_warning(compiler: DiagramCompiler) -> None:
    xml = COMPLETION
    for task in ("CallCustomer", "WriteReport"):
        anchor = f'<bpmn:userTask id="Activity_{task}" name='
        start = xml.index(anchor)
        at = xml.index("<spiffworkflow:properties>", start) + len("<spiffworkflow:properties>")
        xml = xml[:at] + "\n              " + prop("activity_order", "1") + xml[at:]
    problems = compiler.lint({"completion.bpmn": xml.encode()})
    assert [(p.code, p.severity) for p in problems] == [("duplicate_activity_order", "warning")]
    assert problems[0].element_id in ("Activity_CallCustomer", "Activity_WriteReport")
    assert problems[0].message.startswith("activity_order 1 is also the order of Activity_")


# --------------------------------------------------------------------------------------------
# participants
# --------------------------------------------------------------------------------------------


def test_participants_is_a_notify_party() -> None:
    result = notifications.notify("participants; group:delivery", "notice")
    assert result["notify"] == ["participants", "group:delivery"]
    with pytest.raises(InvalidInput) as bad:
        notifications.notify("everyone", "notice")
    assert "participants" in bad.value.message
