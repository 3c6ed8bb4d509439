"""`bpmn-sales lint FILE... [--json]`: one located line per problem, exit 2 on any error."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bpmn_sales.cli import main

REPO = Path(__file__).resolve().parents[2]
LINT = REPO / "tests" / "data" / "lint"
BUNDLED = sorted((REPO / "bpmn").glob("*.bpmn"))
# file:line: element-id: severity: message, with `-` for an unknown line or element
LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+|-): (?P<element>\S+): (?P<sev>error|warning): ")

Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        argv = ["--database-url", f"sqlite:///{tmp_path / 'lint.sqlite3'}", "lint", *args]
        return runner.invoke(main, argv, catch_exceptions=False)

    return invoke


def bad(name: str) -> str:
    return str(LINT / name)


def clash(file: str, other: str) -> str:
    """The message for two lint cases read together: both have a sub-process Stage_Qualify."""
    return (
        f"stage 'Qualify': the id 'Stage_Qualify' is also the id of a process or sub-process in "
        f"{other}; ids of processes and sub-processes must be unique across the files deployed "
        "together"
    )


def test_text_names_file_line_element_and_severity(run: Run) -> None:
    files = [bad("unknown_property.bpmn"), bad("falling_win_rate.bpmn")]
    result = run(*files)

    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{files[0]}:23: Activity_CallCustomer: error: unknown property 'wieght' on an activity "
        "(did you mean 'weight'?)",
        f"{files[1]}:7: Stage_Qualify: error: {clash(files[1], files[0])}",
        f"{files[1]}:41: Stage_Propose: warning: win rate 40 is lower than 60 of the earlier "
        "stage Stage_Qualify",
    ]
    assert result.stderr == "2 error(s), 1 warning(s)\n"


def test_text_uses_dashes_for_what_is_unknown(run: Run) -> None:
    result = run(bad("malformed_xml.bpmn"))
    assert result.exit_code == 2
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"{bad('malformed_xml.bpmn')}:5: -: error: malformed XML")
    assert LINE.match(line)


def test_warnings_alone_exit_zero(run: Run) -> None:
    result = run(bad("missing_layout.bpmn"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert all((m := LINE.match(line)) and m["sev"] == "warning" for line in lines)
    assert result.stderr == "0 error(s), 2 warning(s)\n"


def test_json_report_with_counts(run: Run) -> None:
    result = run("--json", bad("negative_weight.bpmn"), bad("missing_label.bpmn"))
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report == {
        "problems": [
            {
                "file": bad("negative_weight.bpmn"),
                "element_id": "Activity_SendProposal",
                "line": 52,
                "severity": "error",
                "code": "property",
                "message": "property 'weight': -1 is less than the minimum of 0",
            },
            {
                "file": bad("missing_label.bpmn"),
                "element_id": "Stage_Qualify",
                "line": 7,
                "severity": "error",
                "code": "schema",
                "message": clash(bad("missing_label.bpmn"), bad("negative_weight.bpmn")),
            },
            {
                "file": bad("missing_label.bpmn"),
                "element_id": "Activity_CallCustomer",
                "line": 20,
                "severity": "warning",
                "code": "no_label",
                "message": "user task has no label (name)",
            },
        ],
        "errors": 2,
        "warnings": 1,
    }
    assert result.stderr == ""


def test_json_warnings_only_exit_zero(run: Run) -> None:
    result = run("--json", bad("falling_win_rate.bpmn"))
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert (report["errors"], report["warnings"]) == (0, 1)
    assert report["problems"][0]["code"] == "falling_win_rate"


def test_bundled_diagrams_are_clean(run: Run) -> None:
    result = run(*map(str, BUNDLED))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "0 error(s), 0 warning(s)\n"
    report = json.loads(run("--json", *map(str, BUNDLED)).stdout)
    assert report == {"problems": [], "errors": 0, "warnings": 0}


def test_files_with_one_name_in_two_folders_are_both_linted(run: Run, tmp_path: Path) -> None:
    paths = []
    for folder, source in (("a", "malformed_xml.bpmn"), ("b", "unreachable.bpmn")):
        (tmp_path / folder).mkdir()
        paths.append(tmp_path / folder / "deal.bpmn")
        shutil.copy(LINT / source, paths[-1])
    result = run(*map(str, paths))
    assert result.exit_code == 2
    first, second = result.stdout.splitlines()
    assert first.startswith(f"{paths[0]}:5: -: error: malformed XML")
    assert second.startswith(f"{paths[1]}:34: Activity_Orphan: error: ")


def test_a_missing_file_is_one_error_line(run: Run, tmp_path: Path) -> None:
    result = run(str(tmp_path / "missing.bpmn"))
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: cannot read ") and "missing.bpmn" in line
