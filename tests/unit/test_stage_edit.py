"""The diagram surgery behind adding and deleting stages, on the bundled diagrams."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from bpmn_sales.engine.diagrams.problems import NS
from bpmn_sales.engine.editing.stage_edit import NewStage, add_stage, delete_stage
from bpmn_sales.engine.editing.stage_layout import Layout
from bpmn_sales.errors import DiagramError, InvalidInput, InvalidState

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
OPENFIRE = "openfire_pipeline.bpmn"
SALES = "sales_process.bpmn"


def diagram(name: str) -> bytes:
    return (BPMN / name).read_bytes()


def box(xml: bytes, element_id: str) -> tuple[float, float, float, float]:
    found = Layout(etree.fromstring(xml)).box(element_id)
    assert found is not None, element_id
    return found


def stage_orders(xml: bytes) -> dict[str, str]:
    root = etree.fromstring(xml)
    orders = {}
    for stage in root.iter("{*}subProcess"):
        values = {
            p.get("name"): p.get("value")
            for p in stage.iterfind("bpmn:extensionElements/spiffworkflow:properties/*", NS)
        }
        if "stage_order" in values:
            orders[values.get("stage_key") or stage.get("id")] = values["stage_order"]
    return orders


def test_adding_makes_room_to_the_right_and_renumbers_later_stages() -> None:
    before = diagram(OPENFIRE)
    after = add_stage(before, OPENFIRE, NewStage("estimation", "survey", "Survey"))
    anchor = box(after, "Stage_Estimation")
    new = box(after, "Stage_Survey")
    assert new[0] > anchor[0] + anchor[2] and new[1] == anchor[1]
    # Everything that was right of the anchor moved right by the room made; the pool widened.
    shift = box(after, "Stage_VisiteTechnique")[0] - box(before, "Stage_VisiteTechnique")[0]
    assert shift > new[2]
    assert box(after, "Stage_Nouveau") == box(before, "Stage_Nouveau")
    pool_before, pool_after = box(before, "Activity_Pipeline"), box(after, "Activity_Pipeline")
    assert pool_after[2] == pool_before[2] + shift
    assert stage_orders(after) == {
        "nouveau": "1",
        "estimation": "2",
        "survey": "3",
        "visite_technique": "4",
        "devis": "5",
    }


def test_deleting_closes_the_room_and_drops_what_only_the_stage_used() -> None:
    before = diagram(OPENFIRE)
    after = delete_stage(before, OPENFIRE, "estimation")
    root = etree.fromstring(after)
    for gone in (
        "Stage_Estimation",
        "Gateway_EntrerEstimation",
        "Event_DeplacerEstimation",
        "Flow_RouteToStageToEntrerEstimation",
        "Activity_GenererEstimation",
    ):
        assert root.find(f".//*[@id='{gone}']") is None, gone
        assert root.find(f".//*[@bpmnElement='{gone}']") is None, gone
    assert "Flow_DeplacerEstimationToDeplacementDemande" not in after.decode()
    moved = (
        box(before, "Gateway_EntrerVisiteTechnique")[0]
        - box(after, "Gateway_EntrerVisiteTechnique")[0]
    )
    assert moved > 0
    assert stage_orders(after) == {"nouveau": "1", "visite_technique": "2", "devis": "3"}


def test_the_only_pre_sale_stage_and_branching_stages_are_refused() -> None:
    xml = diagram(OPENFIRE)
    for key in ("estimation", "visite_technique", "devis"):
        xml = delete_stage(xml, OPENFIRE, key)
    with pytest.raises(InvalidState, match="only pre-sale stage"):
        delete_stage(xml, OPENFIRE, "nouveau")
    root = etree.fromstring(diagram(SALES))
    process = root.find("bpmn:process", NS)
    assert process is not None
    extra = etree.SubElement(
        process.find(".//bpmn:subProcess[@id='Activity_DevelopOpportunity']", NS),
        f"{{{NS['bpmn']}}}sequenceFlow",
        id="Flow_Extra",
        sourceRef="Stage_NeedsAnalysis",
        targetRef="Event_DevelopmentDone",
    )
    assert extra is not None
    branching = etree.tostring(root)
    with pytest.raises(InvalidState, match="2 outgoing sequence flows"):
        add_stage(branching, SALES, NewStage("needs_analysis", "extra", "Extra"))


def test_bad_input_names_the_field_and_unsafe_xml_is_refused() -> None:
    xml = diagram(SALES)
    cases = [
        (NewStage("needs_analysis", "Bad Key", "Name"), "key"),
        (NewStage("needs_analysis", "training", "Training again"), "key"),
        (NewStage("nowhere", "fine", "Fine"), "after"),
        (NewStage("needs_analysis", "fine", ""), "name"),
        (NewStage("needs_analysis", "fine", "Fine", win_rate=101), "win_rate"),
    ]
    for new, field in cases:
        with pytest.raises(InvalidInput) as refused:
            add_stage(xml, SALES, new)
        assert refused.value.field == field
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(DiagramError, match="DOCTYPE"):
        add_stage(bomb, "bomb.bpmn", NewStage("a", "b", "B"))
