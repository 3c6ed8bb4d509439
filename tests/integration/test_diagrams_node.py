"""Static checks of bpmn/*.bpmn with the bpmn.io toolchain (bpmn-moddle + bpmnlint).

The checks live in tests/diagrams/check.mjs; this test runs them with node. Their
npm dependencies have to be installed first: ``npm ci --prefix tests/diagrams``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bpmn_sales.engine.editing.scaffold import StagePlan, scaffold
from bpmn_sales.engine.editing.stage_edit import NewStage, add_stage, delete_stage

REPO_ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS_DIR = REPO_ROOT / "tests" / "diagrams"
CHECK_SCRIPT = DIAGRAMS_DIR / "check.mjs"
BPMN_DIR = REPO_ROOT / "bpmn"
RULES_DIR = REPO_ROOT / "tests" / "data" / "rules"

INSTALL_HINT = "run `npm ci --prefix tests/diagrams` (from the repository root) first"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"node is not on PATH; install Node.js >= 20, then {INSTALL_HINT}")
    node_modules = DIAGRAMS_DIR / "node_modules"
    for package in ("bpmn-moddle", "bpmnlint"):
        if not (node_modules / package / "package.json").is_file():
            pytest.fail(f"{node_modules / package} is missing: {INSTALL_HINT}")
    return node


def _run_check(*files: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_node(), str(CHECK_SCRIPT), *(str(f) for f in files)],
        cwd=REPO_ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _describe(result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"exit code {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n"
        f"--- stderr ---\n{result.stderr}"
    )


def test_bpmn_diagrams_pass_moddle_roundtrip_and_bpmnlint() -> None:
    diagrams = sorted(
        p.relative_to(REPO_ROOT).as_posix()
        for p in [*BPMN_DIR.glob("*.bpmn"), *RULES_DIR.glob("*.bpmn")]
    )
    assert "bpmn/lead_qualification.bpmn" in diagrams
    assert "bpmn/sales_process.bpmn" in diagrams
    assert "bpmn/openfire_pipeline.bpmn" in diagrams
    assert "bpmn/zh_key_account.bpmn" in diagrams
    assert "tests/data/rules/approval.bpmn" in diagrams

    result = _run_check(*diagrams)

    assert result.returncode == 0, _describe(result)
    for diagram in diagrams:
        assert f"ok {diagram}" in result.stdout.splitlines(), _describe(result)


# A small, otherwise clean diagram: start -> task -> end, with full DI.
_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    id="Definitions_Check" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="check_process" name="Check process" isExecutable="true">
    <bpmn:startEvent id="Event_Start" name="Start">
      <bpmn:outgoing>Flow_ToTask</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Activity_Work" name="Do the work"{task_attrs}>
      <bpmn:incoming>Flow_ToTask</bpmn:incoming>
      <bpmn:outgoing>Flow_ToEnd</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Event_End" name="Done">
      <bpmn:incoming>Flow_ToEnd</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_ToTask" sourceRef="Event_Start" targetRef="Activity_Work" />
    <bpmn:sequenceFlow id="Flow_ToEnd" sourceRef="Activity_Work" targetRef="{end_ref}" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_Check">
    <bpmndi:BPMNPlane id="BPMNPlane_Check" bpmnElement="check_process">
      <bpmndi:BPMNShape id="Event_Start_di" bpmnElement="Event_Start">
        <dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Activity_Work_di" bpmnElement="Activity_Work">
        <dc:Bounds x="240" y="80" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Event_End_di" bpmnElement="Event_End">
        <dc:Bounds x="392" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_ToTask_di" bpmnElement="Flow_ToTask">
        <di:waypoint x="188" y="120" />
        <di:waypoint x="240" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_ToEnd_di" bpmnElement="Flow_ToEnd">
        <di:waypoint x="340" y="120" />
        <di:waypoint x="392" y="120" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_check_script_accepts_the_clean_reference_diagram(tmp_path: Path) -> None:
    # Guards the broken-diagram test below: its failures must come from the defects.
    diagram = tmp_path / "clean.bpmn"
    diagram.write_text(_DIAGRAM.format(task_attrs="", end_ref="Event_End"), encoding="utf-8")

    result = _run_check(diagram)

    assert result.returncode == 0, _describe(result)
    assert f"ok {diagram}" in result.stdout, _describe(result)


@pytest.mark.parametrize(
    ("task_attrs", "end_ref", "element_id", "message"),
    [
        pytest.param(
            "",
            "Event_Missing",
            "Flow_ToEnd",
            "unresolved reference <Event_Missing>",
            id="missing-target-ref",
        ),
        pytest.param(
            ' bpmn:colour="red"',
            "Event_End",
            "Activity_Work",
            "unknown attribute <bpmn:colour>",
            id="unknown-bpmn-attribute",
        ),
    ],
)
def test_check_script_rejects_a_broken_diagram(
    tmp_path: Path, task_attrs: str, end_ref: str, element_id: str, message: str
) -> None:
    diagram = tmp_path / "broken.bpmn"
    diagram.write_text(_DIAGRAM.format(task_attrs=task_attrs, end_ref=end_ref), encoding="utf-8")

    result = _run_check(diagram)

    assert result.returncode != 0, _describe(result)
    problem_lines = [
        line for line in result.stdout.splitlines() if line.startswith(f"{diagram}: {element_id}: ")
    ]
    assert problem_lines, _describe(result)
    assert any(message in line for line in problem_lines), _describe(result)
    assert f"ok {diagram}" not in result.stdout, _describe(result)


def test_edited_diagrams_open_in_bpmn_moddle_and_pass_bpmnlint(tmp_path: Path) -> None:
    """Stages added and deleted by the board still make diagrams the bpmn.io tools accept."""
    openfire, sales = "openfire_pipeline.bpmn", "sales_process.bpmn"

    def diagram(name: str) -> bytes:
        return (BPMN_DIR / name).read_bytes()

    edits = {
        "added-openfire.bpmn": add_stage(
            diagram(openfire), openfire, NewStage("nouveau", "call", "Call")
        ),
        "added-sales.bpmn": add_stage(
            diagram(sales), sales, NewStage("installation", "handover", "Handover")
        ),
        "deleted-openfire.bpmn": delete_stage(diagram(openfire), openfire, "devis"),
        "deleted-sales.bpmn": delete_stage(diagram(sales), sales, "training"),
    }
    for name, xml in edits.items():
        (tmp_path / name).write_bytes(xml)
    result = _run_check(*sorted(tmp_path.glob("*.bpmn")))
    assert result.returncode == 0, _describe(result)


@pytest.mark.parametrize("free_moves", [False, True], ids=["sequential", "free-moves"])
@pytest.mark.parametrize("post_sale", ["", "Install,Train"], ids=["won-ends", "post-sale"])
def test_scaffolds_pass_moddle_roundtrip_and_bpmnlint(
    tmp_path: Path, free_moves: bool, post_sale: str
) -> None:
    """`bpmn-sales process new` writes diagrams a modeler reads as they are."""
    stages = [StagePlan("Qualify", "qualify", 10), StagePlan("Propose", "propose", 40)]
    post = [StagePlan(n, n.lower()) for n in post_sale.split(",") if n]
    diagram = tmp_path / "scaffolded.bpmn"
    diagram.write_bytes(scaffold("scaffolded", "Scaffolded", stages, post, free_moves))

    result = _run_check(diagram)

    assert result.returncode == 0, _describe(result)
    assert f"ok {diagram}" in result.stdout, _describe(result)
