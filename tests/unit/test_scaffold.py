"""The scaffold's templates and what it writes: lint clean, the stages asked for, each with its
own reminder task, the process named as asked."""

from __future__ import annotations

import pytest
from lxml import etree

from bpmn_sales.engine.diagrams.compiler import DiagramCompiler
from bpmn_sales.engine.diagrams.problems import NS
from bpmn_sales.engine.editing.scaffold import TEMPLATES, StagePlan, scaffold

STAGES = [StagePlan("Qualify", "qualify", 10), StagePlan("Site survey", "site_survey", 40)]


@pytest.mark.parametrize("name", ["sequential.bpmn", "free_moves.bpmn"])
def test_templates_lint_clean(compiler: DiagramCompiler, name: str) -> None:
    assert compiler.lint({name: (TEMPLATES / name).read_bytes()}) == []


@pytest.mark.parametrize("free_moves", [False, True])
def test_scaffold_has_the_stages_asked_for_and_nothing_of_the_template(
    compiler: DiagramCompiler, free_moves: bool
) -> None:
    xml = scaffold(
        "field_sales", "Field sales", STAGES, [StagePlan("Install", "install")], free_moves
    )
    assert compiler.lint({"field_sales.bpmn": xml}) == []
    root = etree.fromstring(xml)
    (process,) = root.iterfind("bpmn:process", NS)
    assert (process.get("id"), process.get("name")) == ("field_sales", "Field sales")
    keys = root.xpath("//spiffworkflow:property[@name='stage_key']/@value", namespaces=NS)
    assert keys == ["qualify", "site_survey", "install"]
    assert b"scaffold" not in xml
    reminders = {
        t.get("name"): t.find(".//spiffworkflow:serviceTaskOperator", NS).get("id")  # type: ignore[union-attr]
        for t in root.iterfind(".//bpmn:serviceTask", NS)
        if t.get("name", "").startswith("Remind")
    }
    assert reminders == {
        "Remind owner of Qualify": "notify",
        "Remind owner of Site survey": "notify",
    }
    routes = root.xpath("//bpmn:conditionExpression/text()", namespaces=NS)
    moves = [r for r in routes if "move_request" in r]
    assert moves == (
        ["move_request['stage'] == 'qualify'", "move_request['stage'] == 'site_survey'"]
        if free_moves
        else []
    )
