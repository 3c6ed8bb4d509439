"""Edits of the bundled B2B diagram that make the new versions the migration tests move deals to.

Each function takes and returns diagram bytes (they chain); `deploy` stores the result as the
next version of `sales_process` with the bundled form files. Stage edits reuse the board's
engine/editing/stage_edit.py; the rest is small surgery with its StageEditor (flows, lanes, layout).
"""

from __future__ import annotations

import copy

from lxml import etree

from bpmn_sales.context import Context
from bpmn_sales.engine.diagrams.problems import BPMN
from bpmn_sales.engine.editing.stage_edit import NewStage, add_stage, delete_stage
from bpmn_sales.engine.editing.stage_editor import StageEditor, set_prop
from bpmn_sales.services import processes
from tests import helpers

FILE = "sales_process.bpmn"


def sales_xml() -> bytes:
    return (helpers.BUNDLED / FILE).read_bytes()


def deploy(ctx: Context, xml: bytes) -> int:
    """Deploy the edited diagram; the new version's number."""
    results = processes.deploy_process(ctx, None, {**helpers.FORMS, FILE: xml})
    return next(r.version for r in results if r.key == "sales_process")


def _editor(xml: bytes) -> StageEditor:
    return StageEditor(xml, FILE)


def _node(editor: StageEditor, element_id: str) -> etree._Element:
    node = editor.by_id(element_id)
    assert node is not None, element_id
    return node


def add_site_survey(xml: bytes) -> bytes:
    """A stage 'Site survey' (with its activity 'Survey the site') after 'Initial visit'."""
    new = NewStage("initial_visit", "site_survey", "Site survey", activity="Survey the site")
    return add_stage(xml, FILE, new)


def remove_stage(xml: bytes, key: str) -> bytes:
    return delete_stage(xml, FILE, key)


def rename(xml: bytes, element_id: str, name: str) -> bytes:
    editor = _editor(xml)
    _node(editor, element_id).set("name", name)
    return editor.serialize()


def set_property(xml: bytes, element_id: str, name: str, value: str) -> bytes:
    editor = _editor(xml)
    set_prop(_node(editor, element_id), name, value)
    return editor.serialize()


def remove_activity(xml: bytes, element_id: str) -> bytes:
    """Take a user task out of its stage (its parallel branch goes with it)."""
    editor = _editor(xml)
    editor.drop_node(_node(editor, element_id))
    return editor.serialize()


def retype(xml: bytes, element_id: str, tag: str) -> bytes:
    """Make an element another kind of task (e.g. a userTask a manualTask)."""
    editor = _editor(xml)
    node = _node(editor, element_id)
    node.tag = BPMN + tag
    extensions = node.find(BPMN + "extensionElements")
    if extensions is not None:  # the activity's properties belong to user tasks
        node.remove(extensions)
    return editor.serialize()


def add_activity(xml: bytes, beside: str, element_id: str, name: str) -> bytes:
    """A user task in parallel with `beside` (same gateways), drawn below it."""
    editor = _editor(xml)
    model = _node(editor, beside)
    task = copy.deepcopy(model)
    task.set("id", element_id)
    task.set("name", name)
    for ref in [*task.findall(BPMN + "incoming"), *task.findall(BPMN + "outgoing")]:
        task.remove(ref)
    model.addnext(task)
    split = editor.flows(targetRef=beside)[0].get("sourceRef", "")
    join = editor.flows(sourceRef=beside)[0].get("targetRef", "")
    parent = model.getparent()
    assert parent is not None
    editor.layout.copy_shape(beside, element_id, 0, 130)
    for source, target in ((split, element_id), (element_id, join)):
        flow_id = editor.connect(parent, source, target, f"Flow_{source}To{target}")
        editor.layout.connect(flow_id, source, target)
    return editor.serialize()


def swap_stages(xml: bytes, first: str, second: str) -> bytes:
    """Run two neighbouring stages (`first` flows into `second`) the other way round."""
    editor = _editor(xml)
    a, b = editor.stage(first), editor.stage(second)
    a_id, b_id = a.get("id", ""), b.get("id", "")
    into_a = editor.flows(targetRef=a_id)[0]
    a_to_b = editor.flows(sourceRef=a_id, targetRef=b_id)[0]
    out_of_b = editor.flows(sourceRef=b_id)[0]
    after = out_of_b.get("targetRef", "")
    editor.retarget(into_a, b_id)
    editor.drop_flow(a_to_b)
    editor.drop_flow(out_of_b)
    parent = a.getparent()
    assert parent is not None
    for source, target in ((b_id, a_id), (a_id, after)):
        flow_id = editor.connect(parent, source, target, f"Flow_{source}To{target}")
        editor.layout.connect(flow_id, source, target)
    orders = {first: "", second: ""}
    for key, stage in ((first, a), (second, b)):
        orders[key] = next(
            p.get("value", "")
            for p in stage.iter()
            if isinstance(p.tag, str) and p.get("name") == "stage_order"
        )
    set_prop(a, "stage_order", orders[second])
    set_prop(b, "stage_order", orders[first])
    return editor.serialize()
