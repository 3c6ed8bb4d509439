"""Lint and compile: bad diagrams are refused with file, element and line; code never runs."""

from __future__ import annotations

import hashlib
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from bpmn_sales.engine import ProcessEngine
from bpmn_sales.engine.diagrams.compiler import DiagramCompiler
from bpmn_sales.engine.diagrams.problems import Problem
from bpmn_sales.errors import DiagramError, UnsafeExpression

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
SALES = (BPMN / "sales_process.bpmn").read_text()
FORMS = {p.name: p.read_bytes() for p in BPMN.glob("*.json")}  # the task forms it names
FILE = "sales_copy.bpmn"

WON = "close['outcome'] == 'won'"
REASON_PARAM = "value=\"close_request.get('reason')\""
OPERATOR = 'serviceTaskOperator id="validate_close"'
LOST_END = '<bpmn:endEvent id="Event_DealLost" name="Deal lost">'


def modified(old: str, new: str, text: str = SALES) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(lines) == 1, fragment
    return lines[0]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def with_script_task(script: str) -> str:
    """The sales process with a script task between the start event and the stages."""
    text = modified(
        '<bpmn:sequenceFlow id="Flow_OpportunityOpened" sourceRef="Event_OpportunityOpened" '
        'targetRef="Activity_DevelopOpportunity" />',
        '<bpmn:sequenceFlow id="Flow_OpportunityOpened" sourceRef="Event_OpportunityOpened" '
        'targetRef="Activity_Script" />\n'
        '    <bpmn:sequenceFlow id="Flow_ScriptDone" sourceRef="Activity_Script" '
        'targetRef="Activity_DevelopOpportunity" />',
    )
    text = modified(
        "<bpmn:incoming>Flow_OpportunityOpened</bpmn:incoming>\n"
        "      <bpmn:outgoing>Flow_StagesComplete</bpmn:outgoing>",
        "<bpmn:incoming>Flow_ScriptDone</bpmn:incoming>\n"
        "      <bpmn:outgoing>Flow_StagesComplete</bpmn:outgoing>",
        text,
    )
    return modified(
        '<bpmn:subProcess id="Activity_DevelopOpportunity"',
        '<bpmn:scriptTask id="Activity_Script" name="Run script">\n'
        "      <bpmn:incoming>Flow_OpportunityOpened</bpmn:incoming>\n"
        "      <bpmn:outgoing>Flow_ScriptDone</bpmn:outgoing>\n"
        f"      <bpmn:script>{escape(script)}</bpmn:script>\n"
        "    </bpmn:scriptTask>\n"
        '    <bpmn:subProcess id="Activity_DevelopOpportunity"',
        text,
    )


# --------------------------------------------------------------------------------------------
# Clean diagrams
# --------------------------------------------------------------------------------------------


def test_bundled_diagrams_lint_clean(engine: ProcessEngine) -> None:
    files = {**{p.name: p.read_bytes() for p in BPMN.glob("*.bpmn")}, **FORMS}
    assert len(files) == 4 + len(FORMS)
    assert engine.lint(files) == []
    keys = sorted(c.key for c in engine.compile(files))
    assert keys == ["lead_qualification", "openfire_pipeline", "sales_process", "zh_key_account"]


def test_problem_formats_location() -> None:
    problem = Problem("a.bpmn", "bad thing", "Flow_1", 12)
    assert str(problem) == "a.bpmn:12: Flow_1: error: bad thing"
    assert problem.to_dict() == {
        "file": "a.bpmn",
        "element_id": "Flow_1",
        "line": 12,
        "severity": "error",
        "code": "diagram_error",
        "message": "bad thing",
    }


# --------------------------------------------------------------------------------------------
# Code in diagrams
# --------------------------------------------------------------------------------------------


def test_unsafe_condition_is_refused_with_flow_and_line(engine: ProcessEngine) -> None:
    bad = "__import__('os').system('true') == 0"
    text = modified(WON, bad)
    problems = errors(engine.lint({FILE: text.encode(), **FORMS}))

    assert len(problems) == 1
    problem = problems[0]
    assert problem.file == FILE
    assert problem.element_id == "Flow_Won"
    assert problem.line == line_of(text, bad)
    assert "not allowed" in problem.message

    with pytest.raises(DiagramError) as refused:
        engine.compile({FILE: text.encode(), **FORMS})
    assert refused.value.element_id == "Flow_Won"
    assert refused.value.file == FILE
    assert refused.value.line == line_of(text, bad)
    assert "Flow_Won" in str(refused.value)


def test_unsafe_condition_is_never_evaluated(engine: ProcessEngine, tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    text = modified(WON, f"__import__('os').mkdir('{target}') is None")
    assert engine.lint({FILE: text.encode(), **FORMS})
    with pytest.raises(DiagramError):
        engine.compile({FILE: text.encode(), **FORMS})
    assert not target.exists()


def test_dunder_attribute_in_a_service_parameter_is_refused(engine: ProcessEngine) -> None:
    text = modified(REASON_PARAM, 'value="().__class__"')
    problems = errors(engine.lint({FILE: text.encode(), **FORMS}))

    assert len(problems) == 1
    assert "__class__" in problems[0].message
    assert problems[0].line == line_of(text, "().__class__")
    with pytest.raises(DiagramError, match="__class__"):
        engine.compile({FILE: text.encode(), **FORMS})


def test_refused_parameter_names_the_service_task(engine: ProcessEngine) -> None:
    """The parameter's own `id` is its name ('reason'), not a BPMN element id."""
    text = modified(REASON_PARAM, 'value="().__class__"')
    problems = errors(engine.lint({FILE: text.encode(), **FORMS}))
    assert problems[0].element_id == "Activity_ValidateClose"


def test_unknown_service_operation_lists_known_ones(engine: ProcessEngine) -> None:
    text = modified(OPERATOR, 'serviceTaskOperator id="launch_missiles"')
    problems = errors(engine.lint({FILE: text.encode(), **FORMS}))

    assert len(problems) == 1
    message = problems[0].message
    assert "launch_missiles" in message
    for known in ("check_disqualification", "open_opportunity", "validate_close"):
        assert known in message
    assert problems[0].line == line_of(text, "launch_missiles")
    with pytest.raises(DiagramError, match="launch_missiles"):
        engine.compile({FILE: text.encode(), **FORMS})


def test_unknown_service_operation_names_the_service_task(engine: ProcessEngine) -> None:
    """The operator's `id` is the operation name, not the element: name the service task."""
    text = modified(OPERATOR, 'serviceTaskOperator id="launch_missiles"')
    problems = errors(engine.lint({FILE: text.encode(), **FORMS}))
    assert problems[0].element_id == "Activity_ValidateClose"


def test_script_with_import_is_refused_and_never_run(engine: ProcessEngine, tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    script = f"import os\nos.mkdir('{target}')\n"
    text = with_script_task(script)
    problems = errors(engine.lint({FILE: text.encode(), **FORMS}))

    assert len(problems) == 1
    assert problems[0].element_id == "Activity_Script"
    assert "import" in problems[0].message
    assert problems[0].line is not None
    with pytest.raises(DiagramError) as refused:
        engine.compile({FILE: text.encode(), **FORMS})
    assert refused.value.element_id == "Activity_Script"
    # The run-time environment refuses it too.
    with pytest.raises(UnsafeExpression):
        engine.script_engine.environment.execute(script, {})
    assert not target.exists()


def test_a_safe_script_task_really_runs(engine: ProcessEngine) -> None:
    """Control for the test above: the same wiring with a harmless script does execute."""
    text = with_script_task("reached = 'yes'")
    assert errors(engine.lint({FILE: text.encode(), **FORMS})) == []
    (process,) = engine.compile({FILE: text.encode(), **FORMS})
    key = hashlib.sha256(process.spec_json.encode()).hexdigest()
    instance = engine.start(key, lambda: process.spec_json, {})
    snap = instance.snapshot()
    assert snap.data["reached"] == "yes"
    assert snap.stage is not None and snap.stage.key == "initial_visit"


# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------


def test_unknown_bpmn_element_is_a_schema_error_with_line(engine: ProcessEngine) -> None:
    text = modified(LOST_END, '<bpmn:fooTask id="X"/>\n    ' + LOST_END)
    problems = errors(engine.lint({FILE: text.encode(), **FORMS}))

    assert len(problems) == 1
    assert problems[0].file == FILE
    assert "fooTask" in problems[0].message
    assert problems[0].line == line_of(text, "fooTask")
    with pytest.raises(DiagramError) as refused:
        engine.compile({FILE: text.encode(), **FORMS})
    assert refused.value.line == line_of(text, "fooTask")


def test_unnamed_flow_node_is_only_a_warning(engine: ProcessEngine) -> None:
    text = modified(LOST_END, '<bpmn:endEvent id="Event_DealLost">')
    problems = engine.lint({FILE: text.encode(), **FORMS})

    assert [(p.severity, p.element_id) for p in problems] == [("warning", "Event_DealLost")]
    assert problems[0].line == line_of(text, '<bpmn:endEvent id="Event_DealLost">')
    assert "no label" in problems[0].message
    (process,) = engine.compile({FILE: text.encode(), **FORMS})
    assert process.key == "sales_process"


@pytest.mark.parametrize("data", [b"this is not XML", b"", b'{"json": true}'])
def test_a_file_that_is_not_xml(engine: ProcessEngine, data: bytes) -> None:
    problems = engine.lint({"notes.bpmn": data})
    assert len(problems) == 1
    assert problems[0].file == "notes.bpmn"
    assert problems[0].severity == "error"
    assert problems[0].line == 1
    assert "malformed XML" in problems[0].message
    with pytest.raises(DiagramError) as refused:
        engine.compile({"notes.bpmn": data})
    assert refused.value.file == "notes.bpmn"


def test_one_bad_file_among_good_ones_is_named(engine: ProcessEngine) -> None:
    files = {**{p.name: p.read_bytes() for p in BPMN.glob("*.bpmn")}, **FORMS}
    files["broken.bpmn"] = b"<bpmn:definitions"
    problems = engine.lint(files)
    assert {p.file for p in problems} == {"broken.bpmn"}
    with pytest.raises(DiagramError) as refused:
        engine.compile(files)
    assert refused.value.file == "broken.bpmn"


def test_several_errors_are_all_reported(engine: ProcessEngine) -> None:
    text = modified(WON, "__import__('os')")
    text = modified(OPERATOR, 'serviceTaskOperator id="launch_missiles"', text)
    problems = errors(engine.lint({FILE: text.encode(), **FORMS}))
    assert len(problems) == 2
    with pytest.raises(DiagramError) as refused:
        engine.compile({FILE: text.encode(), **FORMS})
    # Both, in the one line the refusal is: the first with its place, the other after "then".
    assert "unknown service task operation 'launch_missiles'" in refused.value.message
    assert "; then element Flow_Won, line " in refused.value.message
    assert [p["code"] for p in refused.value.details["problems"]] == [  # type: ignore[union-attr]
        "unknown_operation",
        "unsafe_expression",
    ]


def test_no_executable_process(engine: ProcessEngine) -> None:
    text = modified('isExecutable="true"', 'isExecutable="false"')
    problems = engine.lint({FILE: text.encode(), **FORMS})
    assert [p.message for p in errors(problems)] == [
        "no executable process found: process 'Sales process' is not executable; set "
        'isExecutable="true" on it (the "Executable" switch in a modeler)'
    ]
    with pytest.raises(DiagramError, match="no executable process"):
        engine.compile({FILE: text.encode(), **FORMS})


def test_compiler_without_services_refuses_every_operation() -> None:
    compiler = DiagramCompiler(set())
    problems = errors(compiler.lint({FILE: SALES.encode(), **FORMS}))
    # validate_close, and notify in the three timer paths (reminder, escalation, delivery)
    assert len(problems) == 4
    assert {"validate_close", "notify"} == {p.message.split("'")[1] for p in problems}


# --------------------------------------------------------------------------------------------
# Run time: defence in depth behind the linter
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source", ["__import__('os')", "().__class__.__mro__", "open('/etc/passwd').read()"]
)
def test_runtime_environment_refuses_unsafe_expressions(engine: ProcessEngine, source: str) -> None:
    with pytest.raises(UnsafeExpression):
        engine.script_engine.environment.evaluate(source, {})


def test_tampered_stored_spec_cannot_run_code(engine: ProcessEngine, tmp_path: Path) -> None:
    """A spec edited after compile (e.g. in the database) still runs through the evaluator."""
    target = tmp_path / "pwned"
    (process,) = engine.compile({FILE: SALES.encode(), **FORMS})
    assert process.spec_json.count(WON) == 1
    tampered = process.spec_json.replace(WON, f"__import__('os').mkdir('{target}')")
    key = hashlib.sha256(tampered.encode()).hexdigest()
    instance = engine.start(key, lambda: tampered, {})

    with pytest.raises(DiagramError) as refused:
        instance.send_message("deal_close", {"outcome": "won"})
    assert not target.exists()
    assert refused.value.element_id == "Gateway_Outcome"


def test_tampered_spec_reports_an_unsafe_expression(engine: ProcessEngine) -> None:
    (process,) = engine.compile({FILE: SALES.encode(), **FORMS})
    tampered = process.spec_json.replace(WON, "__import__('os')")
    key = hashlib.sha256(tampered.encode()).hexdigest()
    instance = engine.start(key, lambda: tampered, {})
    with pytest.raises(UnsafeExpression, match="__import__"):
        instance.send_message("deal_close", {"outcome": "won"})


def test_runtime_guard_in_a_linted_condition_is_an_unsafe_expression(
    engine: ProcessEngine,
) -> None:
    """The linter accepts `*`; the run-time guard refuses the huge string it would build."""
    text = modified(WON, "close['outcome'] * 10 ** 8 == 'won'")
    assert errors(engine.lint({FILE: text.encode(), **FORMS})) == []
    (process,) = engine.compile({FILE: text.encode(), **FORMS})
    key = hashlib.sha256(process.spec_json.encode()).hexdigest()
    instance = engine.start(key, lambda: process.spec_json, {})
    with pytest.raises(UnsafeExpression):
        instance.send_message("deal_close", {"outcome": "won"})
