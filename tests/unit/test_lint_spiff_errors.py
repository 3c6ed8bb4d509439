"""Every parse and validation error SpiffWorkflow raises, told in a designer's words.

Each diagram in tests/data/lint/spiff/ is `clean_deal.bpmn` with one fault of the kind one of
SpiffWorkflow's parser errors is about (a ValidationException, or an exception it wraps in one:
NotImplementedError for a boundary event without definition, TypeError for a definition naming
no message, KeyError for a missing extension attribute). Lint and deploy must name the element
by its id, its label and its line, and say what to do, without SpiffWorkflow's internals.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from lxml import etree

from bpmn_sales.engine.diagrams.compiler import DiagramCompiler
from bpmn_sales.errors import DiagramError

REPO = Path(__file__).resolve().parents[2]
SPIFF = REPO / "tests" / "data" / "lint" / "spiff"
CLEAN = REPO / "tests" / "data" / "lint" / "clean_deal.bpmn"
# What a designer should never have to read.
JARGON = ("SubWorkflow", "task spec", "Error(", "{http", "%r", "KeyError", "Exception", "b'<")


class Case(NamedTuple):
    file: str
    element_id: str | None  # None: the element has no id (the sentence names it otherwise)
    needle: str  # what the sentence says
    code: str = "schema"
    fragment: str | None = None  # on the line named, when it is not the element's first line


CASES = [
    Case("boundary_without_definition", "Event_CloseEarly", "has no event definition"),
    Case(
        "message_ref_names_no_message",
        "Event_CloseEarly",
        "refers to message 'Message_Nowhere'",
        "dangling_reference",
        "EventDefinition",
    ),
    Case(
        "signal_ref_names_no_signal",
        "Event_CloseEarly",
        "refers to signal 'Signal_Nowhere'",
        "dangling_reference",
        "EventDefinition",
    ),
    Case(
        "error_ref_names_no_error",
        "Event_CloseEarly",
        "refers to error 'Error_Nowhere'",
        "dangling_reference",
        "EventDefinition",
    ),
    Case(
        "escalation_ref_names_no_escalation",
        "Event_CloseEarly",
        "refers to escalation 'Escalation_Nowhere'",
        "dangling_reference",
        "EventDefinition",
    ),
    Case("timer_without_time", "Event_CloseEarly", "has a timer without a time"),
    Case("cancel_outside_transaction", "Event_CloseEarly", "works only on a transaction"),
    Case(
        "flow_to_missing_element",
        "Flow_DealOpenedToQualify",
        "leads to 'Stage_Qualify', which is no element of this diagram",
        "dangling_reference",
    ),
    Case(
        "flow_from_missing_element",
        "Flow_QualifyToPropose",
        "starts at 'Stage_Qualifx', which is no element of this diagram (did you mean "
        "'Stage_Qualify'?)",
        "dangling_reference",
    ),
    Case("business_rule_task", "Activity_SendProposal", "runs no DMN decision tables"),
    Case(
        "call_activity_without_called_element", "Activity_SendProposal", "names no process to call"
    ),
    Case(
        "call_activity_to_missing_process",
        "Activity_SendProposal",
        "calls process 'price_check', which is not in the files deployed together",
    ),
    Case(
        "call_activity_to_non_executable_process",
        "Activity_SendProposal",
        "calls process 'price_check', which is not executable",
    ),
    Case("service_task_without_operator", "Activity_SendProposal", "names no operation"),
    Case(
        "service_operator_without_name",
        "Activity_SendProposal",
        "serviceTaskOperator has no id",
        "unknown_operation",
        "serviceTaskOperator",
    ),
    Case(
        "service_parameter_without_type",
        "Activity_SendProposal",
        'spiffworkflow:parameter on line 53 has no type attribute: write type="any"',
    ),
    Case(
        "property_without_name",
        "Activity_SendProposal",
        "property has no name",
        "property",
        "<spiffworkflow:property value",
    ),
    Case("complex_gateway", "Activity_SendProposal", "the engine cannot run a complex gateway"),
    Case(
        "task_with_two_outgoing",
        "Activity_SendProposal",
        "has 2 outgoing sequence flows; a task may have only one",
    ),
    Case(
        "gateway_flow_without_condition",
        "Flow_SendProposalToProposeDone",
        "leaves exclusive gateway 'Send proposal' without a condition",
    ),
    Case("loop_without_limit", "Activity_SendProposal", "loops without a limit"),
    Case(
        "multi_instance_without_cardinality",
        "Activity_SendProposal",
        "multi-instance without saying how many times",
    ),
    Case(
        "multi_instance_with_both_inputs",
        "Activity_SendProposal",
        "both a loopCardinality and a loopDataInputRef",
    ),
    Case(
        "data_input_unresolved",
        "Activity_SendProposal",
        "reads the data reference 'DataObjectReference_Nowhere'",
    ),
    Case("stage_without_start_event", "Stage_Qualify", "has no start event"),
    Case("stage_without_end_event", "Stage_Qualify", "has no end event"),
    Case("process_without_start_event", "process_without_start_event", "has no start event"),
    Case("ad_hoc_with_start_event", "Stage_Qualify", "ad hoc sub-process with a start or end"),
    Case("message_without_id", None, "bpmn:message 'deal_reminder' has no id"),
    Case("signal_without_id", None, "bpmn:signal 'price_changed' has no id"),
    Case("error_without_id", None, "bpmn:error 'credit_refused' has no id"),
    Case("escalation_without_id", None, "bpmn:escalation 'needs_director' has no id"),
    Case("data_store_without_implementation", "DataStore_Prices", "provides no data stores"),
    Case(
        "duplicate_id",
        "Message_DealClose",
        "the id 'Message_DealClose' is also the id of another element on line 90",
    ),
]


def element(name: str, case: Case) -> etree._Element:
    """The element the sentence must name: by its id, or the one without an id it is about."""
    root = etree.parse(str(SPIFF / f"{name}.bpmn")).getroot()
    if case.element_id is None:
        tag = case.needle.split(" ")[0].split(":")[1]
        return root.xpath(f"//bpmn:{tag}[not(@id)]", namespaces={"bpmn": root.nsmap["bpmn"]})[0]
    found = root.xpath(f"//*[@id='{case.element_id}']")
    return found[-1] if case.file == "duplicate_id" else found[0]


def line_of(case: Case, about: etree._Element) -> int:
    """The element's line, or the first line from there on that holds the case's fragment."""
    if case.fragment is None:
        return int(about.sourceline or 0)
    lines = (SPIFF / f"{case.file}.bpmn").read_text().splitlines()
    start = int(about.sourceline or 1) - 1
    return next(i for i, text in enumerate(lines) if i >= start and case.fragment in text) + 1


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_each_spiffworkflow_error_names_element_label_and_line(
    compiler: DiagramCompiler, case: Case
) -> None:
    name = f"{case.file}.bpmn"
    problems = [p for p in compiler.lint({name: (SPIFF / name).read_bytes()})]
    mine = [p for p in problems if p.element_id == case.element_id and p.severity == "error"]
    assert len(mine) == 1, problems
    (problem,) = mine
    about = element(case.file, case)
    assert problem.code == case.code
    assert problem.line == line_of(case, about)
    assert case.needle in problem.message
    label = about.get("name")
    if label and about.tag.rsplit("}", 1)[-1] != "process":
        assert f"'{label}'" in problem.message
    assert not any(word in problem.message for word in JARGON), problem.message
    # Deploy refuses with the same sentence, at the same place.
    with pytest.raises(DiagramError) as refused:
        compiler.compile({name: (SPIFF / name).read_bytes()})
    assert problem.message in refused.value.message
    assert (refused.value.file, refused.value.line) == (name, problem.line)


def test_every_diagram_in_the_folder_is_a_case() -> None:
    assert sorted(p.stem for p in SPIFF.glob("*.bpmn")) == sorted(c.file for c in CASES)


def test_the_same_process_id_in_two_files_names_the_other_file(compiler: DiagramCompiler) -> None:
    text = CLEAN.read_bytes()
    problems = compiler.lint({"a.bpmn": text, "b.bpmn": text.replace(b"clean_deal", b"other")})
    (problem,) = [p for p in problems if p.severity == "error"]
    assert (problem.file, problem.element_id, problem.line) == ("b.bpmn", "Stage_Qualify", 7)
    assert problem.message.startswith(
        "stage 'Qualify': the id 'Stage_Qualify' is also the id of a process or sub-process in "
        "a.bpmn"
    )


def test_an_error_spiffworkflow_hides_behind_another_is_still_reported(
    compiler: DiagramCompiler,
) -> None:
    """SpiffWorkflow stops at its first error; ours come as well, so a deploy lists both."""
    text = (SPIFF / "boundary_without_definition.bpmn").read_text()
    text = text.replace('name="weight" value="1"', 'name="wieght" value="1"')
    problems = [p for p in compiler.lint({"x.bpmn": text.encode()}) if p.severity == "error"]
    assert [p.code for p in problems] == ["unknown_property", "schema"]
    with pytest.raises(DiagramError) as refused:
        compiler.compile({"x.bpmn": text.encode()})
    assert refused.value.message.startswith(
        "x.bpmn, element Event_CloseEarly, line 73: boundary event 'Close requested' has no event"
    )
    assert "; then element Activity_SendProposal, line 52: unknown property 'wieght'" in (
        refused.value.message
    )
