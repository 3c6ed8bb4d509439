"""Diagrams open unchanged in the in-browser modeler: a round trip through bpmn-moddle with the
modeler's spiffworkflow descriptor keeps every element, attribute, extension property and DI
(tests/diagrams/roundtrip.mjs writes, tests/bpmn_equality.py compares), and the result still
passes bpmnlint (tests/diagrams/check.mjs) and our lint."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bpmn_sales.context import Context
from tests.bpmn_equality import differences

REPO = Path(__file__).resolve().parents[2]
DIAGRAMS = REPO / "tests" / "diagrams"
BUNDLED = sorted((REPO / "bpmn").glob("*.bpmn"))
RULES = sorted((REPO / "tests" / "data" / "rules").glob("*.bpmn"))


def node(*args: str | Path) -> subprocess.CompletedProcess[str]:
    found = shutil.which("node")
    if found is None or not (DIAGRAMS / "node_modules" / "bpmn-moddle").is_dir():
        pytest.fail(
            "node and tests/diagrams/node_modules are needed: npm ci --prefix tests/diagrams"
        )
    return subprocess.run(
        [found, *map(str, args)], cwd=REPO, capture_output=True, text=True, check=False, timeout=120
    )


def roundtrip(tmp_path: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    return node(DIAGRAMS / "roundtrip.mjs", tmp_path, *files)


def test_bundled_diagrams_survive_the_modeler_round_trip(
    tmp_path: Path, sqlite_ctx: Context
) -> None:
    files = [*BUNDLED, *RULES]
    assert len(BUNDLED) == 4 and RULES
    result = roundtrip(tmp_path, *files)
    assert result.returncode == 0, result.stdout + result.stderr
    for original in files:
        written = (tmp_path / original.name).read_bytes()
        assert differences(original.read_bytes(), written) == [], original.name
        assert b"spiffworkflow:property" in written or b"spiffworkflow" not in original.read_bytes()
    checked = node(DIAGRAMS / "check.mjs", *(tmp_path / f.name for f in BUNDLED))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    forms = {p.name: p.read_bytes() for p in (REPO / "bpmn").glob("*.json")}
    for original in BUNDLED:
        before = sqlite_ctx.engine.lint({original.name: original.read_bytes(), **forms})
        after = sqlite_ctx.engine.lint(
            {original.name: (tmp_path / original.name).read_bytes(), **forms}
        )
        assert [(p.element_id, p.code) for p in after] == [(p.element_id, p.code) for p in before]


def test_the_comparison_sees_a_changed_property() -> None:
    # Guards the test above: a changed value, a lost property or a lost name is a difference.
    original = (REPO / "bpmn" / "sales_process.bpmn").read_bytes()
    changed = original.replace(b'name="weight" value="2"', b'name="weight" value="5"', 1)
    lost = re.sub(rb"<spiffworkflow:property name=\"tip\"[^>]*>", b"", original, count=1)
    unnamed = original.replace(b' name="Initial visit"', b"", 1)
    assert len(differences(original, changed)) == 1
    assert len(differences(original, lost)) == 1
    assert len(differences(original, unnamed)) == 1


EXTENDED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    xmlns:acme="http://acme.example/bpmn" id="Definitions_X" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="x" isExecutable="true">
    <bpmn:userTask id="Activity_X" name="X">
      <bpmn:extensionElements>
        <acme:audit level="high"><acme:note>kept as is</acme:note></acme:audit>
        <spiffworkflow:properties>
          <spiffworkflow:property name="weight" value="2" />
        </spiffworkflow:properties>
        <spiffworkflow:instructionsForEndUser>Call</spiffworkflow:instructionsForEndUser>
        {spiff_extra}
      </bpmn:extensionElements>
    </bpmn:userTask>
  </bpmn:process>
</bpmn:definitions>
"""


def test_foreign_extensions_survive_and_unknown_spiff_content_is_reported(tmp_path: Path) -> None:
    known = tmp_path / "in" / "known.bpmn"
    known.parent.mkdir()
    known.write_text(EXTENDED.format(spiff_extra=""), encoding="utf-8")
    result = roundtrip(tmp_path / "out", known)
    assert result.returncode == 0, result.stdout
    assert differences(known.read_bytes(), (tmp_path / "out" / "known.bpmn").read_bytes()) == []

    # A spiffworkflow element the descriptor does not know would be dropped: it is reported
    # (the modeler page turns saving off for such a diagram rather than lose it).
    unknown = tmp_path / "in" / "unknown.bpmn"
    unknown.write_text(
        EXTENDED.format(spiff_extra="<spiffworkflow:futureThing a='1'/>"), encoding="utf-8"
    )
    result = roundtrip(tmp_path / "out", unknown)
    assert result.returncode == 1
    assert "futureThing" in result.stdout
