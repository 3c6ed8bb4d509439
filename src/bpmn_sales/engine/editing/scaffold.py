"""A new deal process to start from: a laid-out diagram with the stages a designer names.

Writing a process by hand is heavy (free moves plus the close pattern take about fifty nodes),
so the scaffold starts from a template in `templates/` (one pre-sale and one post-sale stage,
lanes, the close pattern, a reminder on the pre-sale stage; `free_moves.bpmn` adds the move
router and a second pre-sale stage) and grows it with the same stage edits the board uses:
each stage is added after the previous one, copying its wiring (entry gateway, route branch,
move catch, reminder), then the template's own stages are deleted. (The templates were made
from tests/data/rules/terminals.bpmn and free_moves.bpmn, with a reminder added; they lint
clean on their own.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from bpmn_sales.engine.diagrams.problems import BPMN
from bpmn_sales.engine.editing.cloning import rewrite
from bpmn_sales.engine.editing.stage_edit import NewStage, add_stage, delete_stage
from bpmn_sales.engine.editing.stage_layout import Layout

TEMPLATES = Path(__file__).resolve().parent / "templates"
PRE_SALE, POST_SALE = "scaffold_pre_sale", "scaffold_post_sale"
# The free-move template has a second pre-sale stage so that its move router is shared by
# several stages: the stage edits then copy each stage's move catch, not the router.
PRE_SALE_END = "scaffold_pre_sale_end"
TEMPLATE_KEY = "scaffold"


@dataclass(frozen=True)
class StagePlan:
    """One stage the designer asks for: its name, key and (pre-sale) win rate."""

    name: str
    key: str
    win_rate: float | None = None


def scaffold(
    key: str,
    name: str,
    stages: list[StagePlan],
    post_sale: list[StagePlan],
    free_moves: bool,
) -> bytes:
    """The diagram of a new process KEY with these pre-sale and post-sale stages."""
    template = "free_moves.bpmn" if free_moves else "sequential.bpmn"
    filename = f"{key}.bpmn"
    xml = (TEMPLATES / template).read_bytes()
    xml = _grow(xml, filename, PRE_SALE, stages)
    if free_moves:
        xml = delete_stage(xml, filename, PRE_SALE_END)
    if post_sale:
        xml = _grow(xml, filename, POST_SALE, post_sale)
    else:
        xml = _end_at_won(delete_stage(xml, filename, POST_SALE))
    return rewrite(xml, filename, {TEMPLATE_KEY: key}, {TEMPLATE_KEY: name})


def _grow(xml: bytes, filename: str, anchor: str, plans: list[StagePlan]) -> bytes:
    """Add the stages one after another behind the template's stage, then delete that one."""
    after = anchor
    for plan in plans:
        xml = add_stage(xml, filename, NewStage(after, plan.key, plan.name, plan.win_rate))
        after = plan.key
    return delete_stage(xml, filename, anchor)


def _end_at_won(xml: bytes) -> bytes:
    """Without post-sale stages the won event ends the process: the throw event the post-sale
    stages followed becomes an end event, and the end event after it goes."""
    root = etree.fromstring(xml)
    won = root.find(f".//{BPMN}intermediateThrowEvent[@id='Event_Won']")
    if won is None:
        return xml
    for outgoing in won.findall(f"{BPMN}outgoing"):
        flow = root.find(f".//{BPMN}sequenceFlow[@id='{outgoing.text}']")
        if flow is not None:
            target = root.find(f".//*[@id='{flow.get('targetRef')}']")
            gone = [flow.get("id", "")]
            if target is not None:
                gone.append(target.get("id", ""))
                target.getparent().remove(target)  # type: ignore[union-attr]
            flow.getparent().remove(flow)  # type: ignore[union-attr]
            for ref in root.iter(f"{BPMN}flowNodeRef"):
                if ref.text in gone:
                    ref.getparent().remove(ref)  # type: ignore[union-attr]
            Layout(root).forget(gone)
        won.remove(outgoing)
    won.tag = f"{BPMN}endEvent"
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
