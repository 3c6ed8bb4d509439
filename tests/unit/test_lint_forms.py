"""Lint of the JSON form files user tasks name: missing, not JSON, not a JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bpmn_sales.cli import main
from bpmn_sales.engine.diagrams.compiler import DiagramCompiler
from bpmn_sales.errors import DiagramError

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
LEAD = (BPMN / "lead_qualification.bpmn").read_bytes()
FORMS = {p.name: p.read_bytes() for p in BPMN.glob("lead-review-*.json")}


def test_forms_travel_with_the_compiled_process(compiler: DiagramCompiler) -> None:
    (process,) = compiler.compile({"lead.bpmn": LEAD, **FORMS})
    assert sorted(process.forms) == ["lead-review-schema.json", "lead-review-uischema.json"]
    assert process.forms["lead-review-schema.json"]["title"] == "Review lead"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "form file 'lead-review-schema.json' (formJsonSchemaFilename) is missing"),
        (
            {"lead-review-schema.json": b"\xff\xfe"},
            "form file 'lead-review-schema.json' (formJsonSchemaFilename) is not JSON",
        ),
        (
            {"lead-review-schema.json": json.dumps({"type": "object", "required": 3}).encode()},
            "not a valid JSON Schema at required",
        ),
        (
            {
                "lead-review-schema.json": json.dumps(
                    {
                        "type": "object",
                        "properties": {"code": {"type": "string", "pattern": "^(a+)+$"}},
                    }
                ).encode()
            },
            "the pattern at properties/code/pattern repeats a repetition",
        ),
        (
            {
                "lead-review-schema.json": json.dumps(
                    {
                        "type": "object",
                        "properties": {
                            "contact": {
                                "type": "object",
                                "properties": {"name": {"type": "string"}},
                            }
                        },
                    }
                ).encode()
            },
            "form file 'lead-review-schema.json' (formJsonSchemaFilename): form field "
            "'contact' holds nested fields (type: object), which a task page cannot show",
        ),
        (
            {
                "lead-review-schema.json": json.dumps(
                    {
                        "type": "object",
                        "properties": {"lines": {"type": "array", "items": {"type": "string"}}},
                    }
                ).encode()
            },
            "form field 'lines' is a list (type: array), which a task page cannot show as "
            "repeatable rows",
        ),
    ],
)
def test_bad_form_files_are_errors_on_the_user_task(
    compiler: DiagramCompiler, files: dict[str, bytes], message: str
) -> None:
    given = {**FORMS, **files} if files else {}
    problems = [p for p in compiler.lint({"lead.bpmn": LEAD, **given}) if p.code == "form"]
    assert problems
    first = problems[0]
    assert (first.file, first.element_id, first.severity) == (
        "lead.bpmn",
        "Activity_ReviewLead",
        "error",
    )
    assert message in first.message
    assert first.line is not None and b"formJsonSchemaFilename" in LEAD.splitlines()[first.line - 1]
    with pytest.raises(DiagramError) as refused:
        compiler.compile({"lead.bpmn": LEAD, **given})
    assert refused.value.element_id == "Activity_ReviewLead"


def test_a_bad_form_file_name_is_a_vocabulary_error(compiler: DiagramCompiler) -> None:
    bad = LEAD.replace(b'value="lead-review-schema.json"', b'value="../secret.txt"')
    problems = compiler.lint({"lead.bpmn": bad, **FORMS})
    assert any(
        p.element_id == "Activity_ReviewLead" and "formJsonSchemaFilename" in p.message
        for p in problems
    ), problems
    ui_only = LEAD.replace(
        b'<spiffworkflow:property name="formJsonSchemaFilename" value="lead-review-schema.json" />',
        b"",
    )
    problems = compiler.lint({"lead.bpmn": ui_only, **FORMS})
    assert any("needs property 'formJsonSchemaFilename'" in p.message for p in problems), problems


def lint(tmp_path: Path, *args: str) -> Result:
    argv = ["--database-url", f"sqlite:///{tmp_path / 'lint.sqlite3'}", "lint", *args]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def test_cli_lint_picks_up_forms_next_to_the_diagram(tmp_path: Path) -> None:
    diagram = tmp_path / "lead.bpmn"
    diagram.write_bytes(LEAD)
    missing = lint(tmp_path, str(diagram))
    assert missing.exit_code == 2
    assert f"{diagram}:" in missing.stdout and "Activity_ReviewLead" in missing.stdout
    assert "is missing" in missing.stdout
    for name, data in FORMS.items():
        (tmp_path / name).write_bytes(data)
    clean = lint(tmp_path, str(diagram))
    assert clean.exit_code == 0, clean.output
    (tmp_path / "lead-review-uischema.json").write_text("not json")
    broken = lint(tmp_path, "--json", str(diagram))
    assert broken.exit_code == 2
    [problem] = json.loads(broken.stdout)["problems"]
    assert problem["element_id"] == "Activity_ReviewLead"
    assert "lead-review-uischema.json" in problem["message"]
