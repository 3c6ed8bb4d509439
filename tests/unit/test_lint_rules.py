"""Lint: one bad diagram per check in tests/data/lint/, each named by file, line, element and code.

Every bad diagram is `clean_deal.bpmn` with one fault (the malformed one is written by hand), so
each must give exactly the problem it is about and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from bpmn_sales.engine.diagrams.compiler import DiagramCompiler
from bpmn_sales.engine.diagrams.problems import Problem
from bpmn_sales.errors import DiagramError, UnsafeExpression
from bpmn_sales.tasks import SERVICE_TASKS

REPO = Path(__file__).resolve().parents[2]
LINT = REPO / "tests" / "data" / "lint"


def lint_file(compiler: DiagramCompiler, name: str) -> list[Problem]:
    return compiler.lint({name: (LINT / name).read_bytes()})


def line_of(name: str, fragment: str, element_id: str | None = None) -> int:
    """The first line holding `fragment`, at or after the element's opening tag if one is given."""
    lines = (LINT / name).read_text(encoding="utf-8").splitlines()
    start = 0
    if element_id is not None:
        start = next(i for i, line in enumerate(lines) if f'id="{element_id}"' in line)
    found = [i for i, line in enumerate(lines) if i >= start and fragment in line]
    assert found, (name, fragment)
    if element_id is None:
        assert len(found) == 1, (name, fragment)
    return found[0] + 1


class Case(NamedTuple):
    file: str
    code: str
    severity: str
    element_id: str | None
    fragment: str  # on the line the problem must name
    needle: str  # in the message


CASES = [
    Case("malformed_xml.bpmn", "xml", "error", None, "</bpmn:process>", "malformed XML"),
    Case(
        "unknown_element.bpmn",
        "schema",
        "error",
        "Activity_Foo",
        "<bpmn:fooTask",
        "(bpmn:fooTask) is not allowed here",
    ),
    Case(
        "unknown_property.bpmn",
        "unknown_property",
        "error",
        "Activity_CallCustomer",
        'name="wieght"',
        "unknown property 'wieght' on an activity (did you mean 'weight'?)",
    ),
    Case(
        "bad_property_value.bpmn",
        "property",
        "error",
        "Activity_CallCustomer",
        'name="obligatory" value="yes"',
        "property 'obligatory': 'yes' is not of type 'boolean'",
    ),
    Case(
        "property_without_value.bpmn",
        "property",
        "error",
        "Activity_CallCustomer",
        '<spiffworkflow:property name="weight" />',
        "property 'weight' has no value",
    ),
    Case(
        "duplicate_property.bpmn",
        "duplicate_property",
        "error",
        "Activity_CallCustomer",
        'name="weight" value="3"',
        "property 'weight' is given more than once",
    ),
    Case(
        "negative_weight.bpmn",
        "property",
        "error",
        "Activity_SendProposal",
        'name="weight" value="-1"',
        "property 'weight': -1 is less than the minimum of 0",
    ),
    Case(
        "win_rate_out_of_range.bpmn",
        "property",
        "error",
        "Stage_Propose",
        'name="stage_win_rate" value="120"',
        "property 'stage_win_rate': 120 is greater than the maximum of 100",
    ),
    Case(
        "falling_win_rate.bpmn",
        "falling_win_rate",
        "warning",
        "Stage_Propose",
        'name="stage_win_rate" value="40"',
        "win rate 40 is lower than 60 of the earlier stage Stage_Qualify",
    ),
    Case(
        "mixed_win_rates.bpmn",
        "mixed_win_rates",
        "error",
        "Stage_Propose",
        'id="Stage_Propose"',
        "stage has no stage_win_rate while other pre-sale stages have one (Stage_Qualify)",
    ),
    Case(
        "duplicate_stage_order.bpmn",
        "duplicate_stage_order",
        "error",
        "Stage_Propose",
        'name="stage_order" value="1"',
        "stage_order 1 is also the order of Stage_Qualify",
    ),
    Case(
        "duplicate_stage_key.bpmn",
        "duplicate_stage_key",
        "error",
        "Stage_Propose",
        'name="stage_key" value="qualify"',
        "stage key 'qualify' is also the key of Stage_Qualify",
    ),
    Case(
        "nested_stage.bpmn",
        "nested_stage",
        "error",
        "Stage_Demo",
        'id="Stage_Demo"',
        "stage inside another stage (Stage_Qualify)",
    ),
    Case(
        "obligatory_in_optional_stage.bpmn",
        "obligatory_in_optional_stage",
        "error",
        "Activity_SendProposal",
        'name="obligatory" value="true"',
        "obligatory activity inside the optional stage Stage_Propose",
    ),
    Case(
        "approval_without_stage_approval.bpmn",
        "approval_without_stage_approval",
        "error",
        "Activity_SendProposal",
        'name="approval"',
        "approval task inside Stage_Propose, a stage without stage_approval",
    ),
    Case(
        "missing_approval_task.bpmn",
        "missing_approval_task",
        "error",
        "Stage_Propose",
        'name="stage_approval"',
        "stage has stage_approval but no user task with approval in it",
    ),
    Case(
        "unknown_orders_stage.bpmn",
        "unknown_stage",
        "error",
        "Event_Won",
        'name="orders_from_stage"',
        "orders_from_stage 'contract' names no stage of this process (propose, qualify)",
    ),
    Case(
        "terminal_property_on_wrong_outcome.bpmn",
        "property",
        "error",
        "Event_Won",
        'name="lost_reasons"',
        "property 'lost_reasons' is only allowed on a terminal with outcome lost",
    ),
    Case(
        "end_event_without_outcome.bpmn",
        "no_outcome",
        "error",
        "Event_Won",
        'id="Event_Won"',
        "end event has no outcome",
    ),
    Case(
        "unreachable.bpmn",
        "unreachable",
        "error",
        "Activity_Orphan",
        'id="Activity_Orphan"',
        "user task 'Forgotten task' cannot be reached from a start event",
    ),
    Case(
        "missing_label.bpmn",
        "no_label",
        "warning",
        "Activity_CallCustomer",
        'id="Activity_CallCustomer"',
        "user task has no label (name)",
    ),
    Case(
        "no_layout.bpmn",
        "no_layout",
        "warning",
        "no_layout",
        'id="no_layout"',
        "diagram has no layout (bpmndi:BPMNDiagram)",
    ),
    Case(
        "unknown_operation.bpmn",
        "unknown_operation",
        "error",
        "Activity_CheckCredit",
        'serviceTaskOperator id="launch_missiles"',
        "unknown service task operation 'launch_missiles' (known: ",
    ),
    Case(
        "unsafe_condition.bpmn",
        "unsafe_expression",
        "error",
        "Flow_Won",
        "__import__('os')",
        "is not allowed in a diagram expression",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.file.removesuffix(".bpmn") for c in CASES])
def test_each_check_names_file_line_element_and_code(compiler: DiagramCompiler, case: Case) -> None:
    (problem,) = lint_file(compiler, case.file)

    assert (problem.file, problem.element_id) == (case.file, case.element_id)
    assert (problem.code, problem.severity) == (case.code, case.severity)
    assert problem.line == line_of(case.file, case.fragment, case.element_id)
    assert case.needle in problem.message


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.severity == "error"],
    ids=[c.file.removesuffix(".bpmn") for c in CASES if c.severity == "error"],
)
def test_deploy_refuses_what_lint_calls_an_error(compiler: DiagramCompiler, case: Case) -> None:
    data = (LINT / case.file).read_bytes()
    expected = UnsafeExpression if case.code == "unsafe_expression" else DiagramError
    with pytest.raises(expected) as refused:
        compiler.compile({case.file: data})
    assert refused.value.file == case.file
    assert refused.value.element_id == case.element_id
    assert refused.value.line == line_of(case.file, case.fragment, case.element_id)


@pytest.mark.parametrize(
    "name", [c.file for c in CASES if c.severity == "warning"] + ["missing_layout.bpmn"]
)
def test_warnings_alone_do_not_stop_a_deploy(compiler: DiagramCompiler, name: str) -> None:
    (process,) = compiler.compile({name: (LINT / name).read_bytes()})
    assert process.key == name.removesuffix(".bpmn")


def test_missing_shape_and_edge_are_warnings_in_line_order(compiler: DiagramCompiler) -> None:
    name = "missing_layout.bpmn"
    problems = lint_file(compiler, name)

    assert [(p.element_id, p.code, p.severity, p.line) for p in problems] == [
        (
            "Activity_SendProposal",
            "no_layout",
            "warning",
            line_of(name, 'id="Activity_SendProposal"'),
        ),
        (
            "Flow_CloseEarlyToLost",
            "no_layout",
            "warning",
            line_of(name, 'id="Flow_CloseEarlyToLost"'),
        ),
    ]
    assert problems[0].message == "user task has no shape in the diagram layout (bpmndi)"
    assert problems[1].message == "sequence flow has no edge in the diagram layout (bpmndi)"


def test_the_clean_deal_the_bad_ones_start_from_is_clean(compiler: DiagramCompiler) -> None:
    """Boundary events, terminals, rates and orders_from_stage, all correct: nothing to say."""
    assert lint_file(compiler, "clean_deal.bpmn") == []
    (process,) = compiler.compile({"clean_deal.bpmn": (LINT / "clean_deal.bpmn").read_bytes()})
    assert process.key == "clean_deal"


def test_every_bad_diagram_has_a_test() -> None:
    tested = {c.file for c in CASES} | {"missing_layout.bpmn", "clean_deal.bpmn"}
    assert {p.name for p in LINT.glob("*.bpmn")} == tested


def test_bundled_diagrams_lint_without_errors_or_warnings(compiler: DiagramCompiler) -> None:
    """Each alone, and together as `init` deploys them and `lint bpmn/*.bpmn` reads them."""
    paths = sorted((REPO / "bpmn").glob("*.bpmn"))
    assert paths
    forms = {p.name: p.read_bytes() for p in (REPO / "bpmn").glob("*.json")}
    assert forms
    for path in paths:
        assert compiler.lint({path.name: path.read_bytes(), **forms}) == [], path.name
    assert compiler.lint({**{p.name: p.read_bytes() for p in paths}, **forms}) == []


def test_rule_test_diagrams_lint_without_errors_or_warnings(compiler: DiagramCompiler) -> None:
    """One at a time: they reuse sub-process ids, so they cannot be deployed together."""
    paths = sorted((REPO / "tests" / "data" / "rules").glob("*.bpmn"))
    assert paths
    for path in paths:
        assert compiler.lint({path.name: path.read_bytes()}) == [], path.name


def test_problem_text_uses_dashes_where_line_or_element_is_unknown() -> None:
    problem = Problem("a.bpmn", "malformed XML: x", code="xml")
    assert str(problem) == "a.bpmn:-: -: error: malformed XML: x"
    warning = Problem("a.bpmn", "no label", "Task_1", 7, "warning", "no_label")
    assert str(warning) == "a.bpmn:7: Task_1: warning: no label"
    assert warning.to_dict()["code"] == "no_label"


def unreachable(compiler: DiagramCompiler, text: str) -> list[str | None]:
    problems = compiler.lint({"case.bpmn": text.encode()})
    return [p.element_id for p in problems if p.code == "unreachable"]


def with_top_level(xml: str) -> str:
    """clean_deal.bpmn with more elements at the end of its process."""
    text = (LINT / "clean_deal.bpmn").read_text(encoding="utf-8")
    return text.replace("  </bpmn:process>", xml + "\n  </bpmn:process>", 1)


def test_an_event_sub_process_is_a_root(compiler: DiagramCompiler) -> None:
    text = with_top_level(
        '<bpmn:subProcess id="Activity_OnCancel" name="On cancel" triggeredByEvent="true">'
        '<bpmn:startEvent id="Event_Cancelled" name="Cancelled">'
        '<bpmn:messageEventDefinition id="Def_Cancel" messageRef="Message_DealClose" />'
        "</bpmn:startEvent>"
        '<bpmn:endEvent id="Event_CancelDone" name="Cancel done" />'
        '<bpmn:sequenceFlow id="Flow_Cancel" sourceRef="Event_Cancelled" '
        'targetRef="Event_CancelDone" />'
        "</bpmn:subProcess>"
    )
    assert unreachable(compiler, text) == []


def test_a_link_catch_is_reached_through_its_throw(compiler: DiagramCompiler) -> None:
    def link(tag: str, element_id: str, name: str) -> str:
        return (
            f'<bpmn:{tag} id="{element_id}" name="{name}">'
            f'<bpmn:linkEventDefinition id="Def_{element_id}" name="{name}" /></bpmn:{tag}>'
        )

    text = with_top_level(
        '<bpmn:boundaryEvent id="Event_Timeout" name="Timeout" attachedToRef="Stage_Qualify">'
        '<bpmn:timerEventDefinition id="Def_Timeout"><bpmn:timeDuration>"P30D"</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
        + link("intermediateThrowEvent", "Event_GoOn", "resume")
        + link("intermediateCatchEvent", "Event_Resume", "resume")
        + link("intermediateCatchEvent", "Event_Nowhere", "nowhere")
        + '<bpmn:sequenceFlow id="Flow_Timeout" sourceRef="Event_Timeout" targetRef="Event_GoOn" />'
        '<bpmn:sequenceFlow id="Flow_Resume" sourceRef="Event_Resume" targetRef="Event_Lost" />'
    )
    assert unreachable(compiler, text) == ["Event_Nowhere"]


def test_end_event_after_a_non_interrupting_timer_needs_no_outcome() -> None:
    """The bundled process ends its reminder and timeout side paths with plain end events."""
    compiler = DiagramCompiler(set(SERVICE_TASKS))
    bundled = Path(__file__).resolve().parents[2] / "bpmn"
    files = {p.name: p.read_bytes() for p in bundled.iterdir() if p.is_file()}
    problems = compiler.lint(files)
    assert [p for p in problems if p.code == "no_outcome"] == []
    interrupting = files["sales_process.bpmn"].replace(
        b'name="Overdue after 14d" cancelActivity="false"', b'name="Overdue after 14d"'
    )
    assert interrupting != files["sales_process.bpmn"]
    problems = compiler.lint({**files, "sales_process.bpmn": interrupting})
    assert {p.element_id for p in problems if p.code == "no_outcome"} == {
        "Event_DeliveryStaffNotified"
    }
