"""Clone surgery (new process keys and names) and the sales diff, on the real diagrams."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from bpmn_sales.domain.rules import ProcessRules
from bpmn_sales.engine import ProcessEngine
from bpmn_sales.engine.diagrams.problems import NS
from bpmn_sales.engine.diagrams.rules import read_rules
from bpmn_sales.engine.editing.cloning import called_elements, process_ids, rewrite, sub_key
from bpmn_sales.engine.editing.sales_diff import sales_diff
from bpmn_sales.engine.editing.stage_edit import NewStage, add_stage, delete_stage
from bpmn_sales.errors import DiagramError
from bpmn_sales.tasks import SERVICE_TASKS

REPO = Path(__file__).resolve().parents[2]
BPMN = REPO / "bpmn"
DATA = REPO / "tests" / "data"
FORMS = {p.name: p.read_bytes() for p in BPMN.glob("*.json")}
ENGINE = ProcessEngine(SERVICE_TASKS)


def rules_of(xml: bytes, name: str = "d.bpmn") -> ProcessRules:
    parsed = ENGINE.compiler.compile({name: xml, **FORMS})[0]
    return read_rules(parsed.spec, parsed.subprocess_specs)


def errors(files: dict[str, bytes]) -> list[str]:
    return [str(p) for p in ENGINE.lint({**files, **FORMS}) if p.severity == "error"]


@pytest.mark.parametrize(
    "name", ["sales_process.bpmn", "openfire_pipeline.bpmn", "lead_qualification.bpmn"]
)
def test_rewrite_changes_only_the_references_to_the_process(name: str) -> None:
    xml = (BPMN / name).read_bytes()
    (key,) = process_ids(xml, name)
    out = rewrite(xml, name, {key: "copy_of_it"}, {key: "Copy & co"})
    before, after = xml.decode().splitlines(), out.decode().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(before) == len(after) and len(changed) == 2
    for old, new in changed:
        assert old.replace(f'"{key}"', '"copy_of_it"').split(" name=")[0] == new.split(" name=")[0]
        assert 'name="Copy &amp; co"' in new
    assert process_ids(out, name) == ["copy_of_it"]
    assert errors({name: out}) == []
    assert ENGINE.compile({name: out, **FORMS})[0].key == "copy_of_it"


def test_a_plane_drawn_on_the_process_itself_follows_the_new_key() -> None:
    xml = (DATA / "lint" / "clean_deal.bpmn").read_bytes()
    out = rewrite(xml, "clean.bpmn", {"clean_deal": "clean_copy"})
    root = etree.fromstring(out)
    plane = root.find(".//{*}BPMNPlane")
    assert plane is not None and plane.get("bpmnElement") == "clean_copy"
    assert out.replace(b'"clean_copy"', b'"clean_deal"') == xml
    assert errors({"clean.bpmn": out}) == []


def test_call_activities_and_pools_of_called_processes_are_rewritten() -> None:
    xml = (DATA / "library" / "quote_with_review.bpmn").read_bytes()
    assert called_elements(xml, "q.bpmn") == {
        "quote_flow": {"quote_flow_review"},
        "quote_flow_review": set(),
    }
    keys = {
        "quote_flow": "fast",
        "quote_flow_review": sub_key("fast", "quote_flow", "quote_flow_review"),
    }
    assert keys["quote_flow_review"] == "fast_review"
    out = rewrite(xml, "q.bpmn", keys, {"quote_flow": "Fast quote"})
    root = etree.fromstring(out)
    assert [c.get("calledElement") for c in root.iter("{*}callActivity")] == ["fast_review"]
    assert [p.get("processRef") for p in root.iter("{*}participant")] == ["fast", "fast_review"]
    assert [p.get("name") for p in root.iter("{*}participant")] == ["Fast quote", "Quote review"]
    assert b"quote_flow" not in out
    assert sorted(p.key for p in ENGINE.compile({"q.bpmn": out})) == ["fast", "fast_review"]


def test_unusual_markup_falls_back_to_rewriting_the_tree() -> None:
    xml = (
        b"<?xml version='1.0' encoding='UTF-8'?>\n"
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">\n'
        b"  <process id='odd' name=\"a > b\" isExecutable='true'>\n"
        b"    <startEvent id='Start' name='Start'/>\n"
        b"  </process>\n"
        b"</definitions>\n"
    )
    out = rewrite(xml, "odd.bpmn", {"odd": "even"}, {"odd": "Even"})
    process = etree.fromstring(out).find("{*}process")
    assert process is not None
    assert (process.get("id"), process.get("name")) == ("even", "Even")
    # Single quotes, a default namespace and a process without a name: still text surgery.
    plain = xml.replace(b' name="a > b"', b"")
    out = rewrite(plain, "odd.bpmn", {"odd": "even"}, {"odd": "Even"})
    expected = plain.replace(b"id='odd'", b"id='even'")
    assert out == expected.replace(b"'true'>", b"'true' name=\"Even\">")


def test_rewrite_refuses_a_key_that_is_no_xml_id_and_unsafe_xml() -> None:
    xml = (BPMN / "sales_process.bpmn").read_bytes()
    with pytest.raises(DiagramError, match="not a valid process key"):
        rewrite(xml, "s.bpmn", {"sales_process": "has space"})
    with pytest.raises(DiagramError, match="DOCTYPE"):
        rewrite(b"<!DOCTYPE x>" + xml, "s.bpmn", {"sales_process": "ok"})
    assert sub_key("copy", "sales", "review_quote") == "copy_review_quote"


def test_sales_diff_of_a_diagram_with_itself_is_empty() -> None:
    xml = (BPMN / "sales_process.bpmn").read_bytes()
    rules = rules_of(xml)
    diff = sales_diff(xml, xml, rules, rules)
    assert diff.empty and diff.to_dict()["empty"] is True


def test_sales_diff_names_stage_activity_and_terminal_changes() -> None:
    name = "openfire_pipeline.bpmn"
    old = (BPMN / name).read_bytes()
    new = add_stage(old, name, NewStage("estimation", "site_survey", "Site survey", 40, "", "Walk"))
    new = delete_stage(new, name, "devis")
    new = new.replace(b'value="Perdu"', b'value="Perdu (client)"')
    new = new.replace(b'name="Planifier la visite"', b'name="Planifier"')
    diff = sales_diff(old, new, rules_of(old, name), rules_of(new, name)).to_dict()
    kinds = {(s["kind"], s["key"]) for s in diff["stages"]}
    assert ("added", "site_survey") in kinds and ("removed", "devis") in kinds
    assert ("renamed", "Activity_PlanifierVisite") in {
        (a["kind"], a["key"]) for a in diff["activities"]
    }
    assert ("added", "Activity_Walk") in {(a["kind"], a["key"]) for a in diff["activities"]}
    lost = next(t for t in diff["terminals"] if t["kind"] == "renamed")
    assert lost["fields"][0] == {"field": "name", "old": "Perdu", "new": "Perdu (client)"}
    assert lost["where"] == "lost"
    assert diff["layout_changed"] is True


def test_sales_diff_sees_stages_reordered_and_win_rates_changed() -> None:
    name = "openfire_pipeline.bpmn"
    old = (BPMN / name).read_bytes()
    root = etree.fromstring(old)
    for stage in root.iter("{*}subProcess"):
        for prop in stage.iterfind("bpmn:extensionElements/spiffworkflow:properties/*", NS):
            if prop.get("name") == "stage_order" and prop.get("value") in ("2", "3"):
                prop.set("value", "3" if prop.get("value") == "2" else "2")
            if prop.get("name") == "stage_win_rate" and stage.get("name") == "Nouveau":
                prop.set("value", "5")
    new = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    diff = sales_diff(old, new, rules_of(old, name), rules_of(new, name))
    moved = {c.key: c for c in diff.stages if c.kind == "moved"}
    assert set(moved) == {"estimation", "visite_technique"}
    assert moved["estimation"].fields[0].to_dict() == {"field": "position", "old": 2, "new": 3}
    nouveau = next(c for c in diff.stages if c.key == "nouveau")
    assert [(f.field, f.new) for f in nouveau.fields] == [("win_rate", 5)]
    assert diff.elements == () and diff.layout_changed is False


def test_sales_diff_compares_other_elements_by_id() -> None:
    name = "sales_process.bpmn"
    old = (BPMN / name).read_bytes()
    root = etree.fromstring(old)
    flow = root.find(".//{*}sequenceFlow[{*}conditionExpression]")
    assert flow is not None
    condition = flow.find("{*}conditionExpression")
    assert condition is not None and condition.text
    was = condition.text
    condition.text = was.replace("==", "!=") if "==" in was else f"not ({was})"
    new = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    diff = sales_diff(old, new, rules_of(old, name), rules_of(new, name))
    (change,) = diff.elements
    assert (change.kind, change.key, change.where) == ("changed", flow.get("id"), "sequenceFlow")
    assert change.fields[0].to_dict() == {
        "field": "conditionExpression",
        "old": was.strip(),
        "new": condition.text.strip(),
    }
