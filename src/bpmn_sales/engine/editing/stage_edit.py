"""Add a stage to a diagram or delete one, as the pipeline board asks.

A new stage follows a named stage and copies its wiring: the entry gateway in front of it and
the free-move route branch into it (the conditional flow naming the stage's key), and its
boundary events with whatever only they lead to (a move request, a reminder). A deleted stage's
incoming flows go on to what came after it; its route branches, boundary events and what only
they fed go with it. The layout makes or closes room. The caller lints and deploys the result
like any upload, so an edit the diagram's shape does not allow ends as a refusal, not a version.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from bpmn_sales.engine.diagrams.problems import BPMN
from bpmn_sales.engine.editing.stage_editor import SPIFF, StageEditor, camel, props, set_prop
from bpmn_sales.errors import InvalidInput, InvalidState
from bpmn_sales.i18n import _

STAGE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MAX_NAME = 100
GAP = 70
STAGE_WIDTH = 300


@dataclass(frozen=True)
class NewStage:
    """What the board's "add a stage" form asks for."""

    after: str
    key: str
    name: str
    win_rate: float | None = None
    description: str = ""
    # The stage's first activity (a user task), so deals wait in the stage until it is done.
    activity: str = ""

    @property
    def activity_name(self) -> str:
        return self.activity.strip() or f"Complete {self.name.strip()}"


def _order(stage: etree._Element) -> float:
    try:
        return float(props(stage).get("stage_order", "0"))
    except ValueError:
        return 0.0


def _renumber(editor: StageEditor, above: float, delta: int) -> None:
    for stage in editor.stages().values():
        order = _order(stage)
        if order > above:
            value = order + delta
            set_prop(stage, "stage_order", str(int(value)) if value.is_integer() else str(value))


def _check(editor: StageEditor, new: NewStage) -> None:
    if not STAGE_KEY.match(new.key):
        raise InvalidInput(
            _("the stage key must be lower-case letters, digits and '_', starting with a letter"),
            field="key",
        )
    if new.key in editor.stages():
        raise InvalidInput(
            _("stage '%(key)s' already exists in this process", key=new.key), field="key"
        )
    if not new.name.strip() or len(new.name) > MAX_NAME:
        raise InvalidInput(
            _("the stage name must be 1 to %(most)s characters", most=MAX_NAME), field="name"
        )
    if len(new.activity_name) > MAX_NAME:
        raise InvalidInput(
            _("the activity name must be at most %(most)s characters", most=MAX_NAME), "activity"
        )
    if new.win_rate is not None and not 0 <= new.win_rate <= 100:
        raise InvalidInput(_("the win rate must be between 0 and 100"), field="win_rate")
    if new.after not in editor.stages():
        known = ", ".join(editor.stages()) or _("none")
        raise InvalidInput(
            _(
                "stage '%(key)s' is not a stage of this process (%(known)s)",
                key=new.after,
                known=known,
            ),
            "after",
        )


def _default_win_rate(editor: StageEditor, anchor: etree._Element) -> str | None:
    """Halfway between the stage before and the next rated stage (or the same as before)."""
    mine = props(anchor).get("stage_win_rate")
    if mine is None:
        return None
    later = sorted(
        (_order(s), props(s)["stage_win_rate"])
        for s in editor.stages().values()
        if _order(s) > _order(anchor) and "stage_win_rate" in props(s)
    )
    try:
        low, high = float(mine), float(later[0][1]) if later else float(mine)
    except ValueError:
        return mine
    return f"{(low + high) / 2:g}"


def _stage_element(
    anchor: etree._Element, new: NewStage, stage_id: str, rate: str | None
) -> etree._Element:
    element = etree.Element(BPMN + "subProcess", id=stage_id, name=new.name.strip())
    holder = etree.SubElement(
        etree.SubElement(element, BPMN + "extensionElements"), SPIFF + "properties"
    )
    values = {"stage_order": "0", "stage_key": new.key}
    if rate is not None:
        values["stage_win_rate"] = rate
    if props(anchor).get("stage_phase"):
        values["stage_phase"] = props(anchor)["stage_phase"]
    if new.description.strip():
        values["stage_description"] = new.description.strip()
    for name, value in values.items():
        etree.SubElement(holder, SPIFF + "property", name=name, value=value)
    return element


def add_stage(xml: bytes, filename: str, new: NewStage) -> bytes:
    """The diagram with `new` inserted after the stage `new.after`."""
    editor = StageEditor(xml, filename)
    _check(editor, new)
    anchor = editor.stages()[new.after]
    anchor_id, parent = anchor.get("id", ""), anchor.getparent()
    assert parent is not None
    out = editor.single_outgoing(anchor, new.after)
    target_id = out.get("targetRef", "")
    entry = editor.entry_gateway(anchor)
    entry_id = entry.get("id", "") if entry is not None else anchor_id
    routes = editor.routes_to(entry_id, new.after)
    name = camel(new.name) or camel(new.key)
    stage_id = editor.fresh_id(f"Stage_{name}")
    rate = None if new.win_rate is None else f"{new.win_rate:g}"
    rate = rate if rate is not None else _default_win_rate(editor, anchor)
    stage = _stage_element(anchor, new, stage_id, rate)
    anchor.addnext(stage)
    set_prop(stage, "stage_order", str(_order(anchor) + 1).removesuffix(".0"))
    _renumber_others(editor, anchor, stage)
    start_id = editor.fresh_id(f"Event_{name}Started")
    task_id = editor.fresh_id(f"Activity_{camel(new.activity_name)}")
    end_id = editor.fresh_id(f"Event_{name}Done")
    etree.SubElement(stage, BPMN + "startEvent", id=start_id, name="Start")
    task = etree.SubElement(stage, BPMN + "userTask", id=task_id, name=new.activity_name)
    task_props = etree.SubElement(
        etree.SubElement(task, BPMN + "extensionElements"), SPIFF + "properties"
    )
    etree.SubElement(task_props, SPIFF + "property", name="weight", value="1")
    etree.SubElement(stage, BPMN + "endEvent", id=end_id, name="Done")
    inner = [
        (
            editor.connect(
                stage, start_id, task_id, f"Flow_{name}StartedTo{camel(new.activity_name)}"
            ),
            start_id,
            task_id,
        ),
        (
            editor.connect(stage, task_id, end_id, f"Flow_{camel(new.activity_name)}To{name}Done"),
            task_id,
            end_id,
        ),
    ]
    new_entry = stage_id
    if entry is not None:
        new_entry = editor.fresh_id(f"Gateway_Enter{name}")
        gateway = etree.Element(BPMN + "exclusiveGateway", id=new_entry, name=f"Enter {new.name}")
        stage.addprevious(gateway)
    editor.lane_with(anchor_id, [stage_id] + ([new_entry] if entry is not None else []))
    editor.retarget(out, new_entry)
    into = (
        editor.connect(parent, new_entry, stage_id, f"Flow_Enter{name}")
        if entry is not None
        else None
    )
    onward = editor.connect(parent, stage_id, target_id, f"Flow_{name}To{target_id.split('_')[-1]}")
    cloned_routes = [_copy_route(editor, r, new, new_entry) for r in routes]
    # Layout: room after the anchor, then the new shapes and edges.
    layout = editor.layout
    box, after = layout.box(anchor_id), layout.box(target_id)
    if box is not None:
        ax, ay, aw, ah = box
        gap = GAP if after is None or after[0] <= ax + aw else min(GAP, after[0] - ax - aw)
        x = ax + aw + gap
        entry_width = (50 + gap) if entry is not None else 0
        layout.shift(ax + aw, entry_width + STAGE_WIDTH + gap)
        if entry is not None:
            layout.add_shape(new_entry, (x, ay + ah / 2 - 25, 50, 50))
        sx = x + entry_width
        layout.add_shape(stage_id, (sx, ay, STAGE_WIDTH, ah), expanded=True)
        middle = ay + ah / 2
        layout.add_shape(start_id, (sx + 30, middle - 18, 36, 36))
        layout.add_shape(task_id, (sx + (STAGE_WIDTH - 100) / 2, middle - 40, 100, 80))
        layout.add_shape(end_id, (sx + STAGE_WIDTH - 66, middle - 18, 36, 36))
        for flow_id, source, target in (
            *inner,
            (out.get("id", ""), anchor_id, new_entry),
            (into, new_entry, stage_id),
            (onward, stage_id, target_id),
        ):
            if flow_id:
                layout.connect(flow_id, source, target)
        for route, template in zip(cloned_routes, routes, strict=True):
            _draw_route(editor, route, template, entry_id, new_entry)
        _copy_boundaries(editor, anchor, stage, sx - ax, STAGE_WIDTH / aw if aw else 1.0)
    else:
        _copy_boundaries(editor, anchor, stage, 0, 1.0)
    return editor.serialize()


def _renumber_others(editor: StageEditor, anchor: etree._Element, stage: etree._Element) -> None:
    above = _order(anchor)
    for other in editor.stages().values():
        if other is not stage and other is not anchor and _order(other) > above:
            value = _order(other) + 1
            set_prop(other, "stage_order", str(int(value)) if value.is_integer() else str(value))


def _copy_route(editor: StageEditor, route: etree._Element, new: NewStage, entry: str) -> str:
    """A route branch like `route`, naming the new stage's key and entering the new stage."""
    clone = copy.deepcopy(route)
    flow_id = editor.fresh_id(f"Flow_RouteTo{camel(new.name) or camel(new.key)}")
    clone.set("id", flow_id)
    clone.set("targetRef", entry)
    if clone.get("name"):
        clone.set("name", new.name.strip())
    condition = clone.find(BPMN + "conditionExpression")
    if condition is not None and condition.text:
        quoted = re.compile(rf"""(['"]){re.escape(new.after)}\1""")
        condition.text = quoted.sub(lambda m: f"{m.group(1)}{new.key}{m.group(1)}", condition.text)
    route.addnext(clone)
    editor.add_refs(clone)
    return flow_id


def _draw_route(
    editor: StageEditor, route: str, template: etree._Element, old_entry: str, new_entry: str
) -> None:
    layout = editor.layout
    points, old, new = (
        layout.points(template.get("id", "")),
        layout.box(old_entry),
        layout.box(new_entry),
    )
    if len(points) < 2 or old is None or new is None:
        layout.connect(route, template.get("sourceRef", ""), new_entry)
        return
    dx = (new[0] + new[2] / 2) - (old[0] + old[2] / 2)
    last_x = points[-1][0]
    moved = [(x + dx if x == last_x else x, y) for x, y in points[1:]]
    layout.set_edge(route, [points[0], *moved])


def _copy_boundaries(
    editor: StageEditor, anchor: etree._Element, stage: etree._Element, dx: float, scale: float
) -> None:
    """Give the new stage the anchor's boundary events and the chains only they lead to."""
    anchor_id, stage_id = anchor.get("id", ""), stage.get("id", "")
    old_name, new_name = anchor_id.removeprefix("Stage_"), stage_id.removeprefix("Stage_")
    for boundary in editor.boundaries(anchor_id):
        nodes = [boundary, *editor.exclusive_chain(boundary)]
        # On the border, a boundary event keeps its place along the (narrower) new stage.
        shift = {node: dx for node in nodes}
        box = editor.layout.box(boundary.get("id", ""))
        host = editor.layout.box(anchor_id)
        if box is not None and host is not None:
            offset = box[0] - host[0]
            shift[boundary] = dx + offset * scale - offset
        mapping = {}
        for node in nodes:
            for element in _bpmn_elements(node):
                old = element.get("id")
                if old:
                    mapping[old] = editor.fresh_id(_renamed(old, old_name, new_name))
            for flow in editor.flows(sourceRef=node.get("id", "")):
                old = flow.get("id", "")
                mapping[old] = editor.fresh_id(_renamed(old, old_name, new_name))
        for node in nodes:
            clone = copy.deepcopy(node)
            _rename_ids(clone, mapping, (anchor.get("name", ""), stage.get("name", "")))
            for ref in clone.findall(BPMN + "incoming") + clone.findall(BPMN + "outgoing"):
                clone.remove(ref)
            if clone.get("attachedToRef") == anchor_id:
                clone.set("attachedToRef", stage_id)
            node.addnext(clone)
            editor.lane_with(node.get("id", ""), [mapping[node.get("id", "")]])
            editor.layout.copy_shape(node.get("id", ""), mapping[node.get("id", "")], shift[node])
        for node in nodes:
            for flow in editor.flows(sourceRef=node.get("id", "")):
                _copy_flow(editor, flow, mapping, shift[node])


def _bpmn_elements(node: etree._Element) -> Iterator[etree._Element]:
    """The BPMN elements of a subtree. Extension content (a service task's operation name,
    its parameters' names) uses `id` for names that must not change."""
    return (e for e in node.iter() if isinstance(e.tag, str) and e.tag.startswith(BPMN))


def _rename_ids(clone: etree._Element, mapping: dict[str, str], names: tuple[str, str]) -> None:
    """Give a copied subtree's BPMN elements their new ids and the references to them; a
    label naming the anchor stage ("Remind owner of Visit") names the new stage."""
    old_name, new_name = names
    for element in _bpmn_elements(clone):
        for attribute in ("id", "default"):
            if element.get(attribute) in mapping:
                element.set(attribute, mapping[element.get(attribute, "")])
        label = element.get("name")
        if old_name and label and old_name in label:
            element.set("name", label.replace(old_name, new_name))


def _renamed(element_id: str, old_name: str, new_name: str) -> str:
    """An id for a copy: the anchor's name in it becomes the new stage's, else a suffix."""
    if old_name and old_name in element_id:
        return element_id.replace(old_name, new_name)
    return f"{element_id}_{new_name}"


def _copy_flow(
    editor: StageEditor, flow: etree._Element, mapping: dict[str, str], dx: float
) -> None:
    clone = copy.deepcopy(flow)
    flow_id = mapping[flow.get("id", "")]
    clone.set("id", flow_id)
    target = flow.get("targetRef", "")
    clone.set("sourceRef", mapping[flow.get("sourceRef", "")])
    clone.set("targetRef", mapping.get(target, target))
    flow.addnext(clone)
    editor.add_refs(clone)
    points = editor.layout.points(flow.get("id", ""))
    if points:
        moved = [(x + dx, y) for x, y in points]
        if target not in mapping:  # a shared target stays where it is
            moved[-1] = points[-1]
        editor.layout.set_edge(flow_id, moved)


def delete_stage(xml: bytes, filename: str, key: str) -> bytes:
    """The diagram without the stage `key`; what led into it goes on to what came after it."""
    editor = StageEditor(xml, filename)
    stage = editor.stage(key)
    pre_sale = [s for s in editor.stages().values() if props(s).get("stage_phase") != "post_sale"]
    if pre_sale == [stage]:
        raise InvalidState(
            _("stage '%(key)s' is the process's only pre-sale stage; it cannot go", key=key)
        )
    stage_id = stage.get("id", "")
    out = editor.single_outgoing(stage, key)
    target_id = out.get("targetRef", "")
    entry = editor.entry_gateway(stage)
    entry_id = entry.get("id", "") if entry is not None else stage_id
    layout = editor.layout
    first, last, after = layout.box(entry_id), layout.box(stage_id), layout.box(target_id)
    for route in editor.routes_to(entry_id, key):
        editor.drop_flow(route)
    kept = []
    for flow in editor.flows(targetRef=entry_id):
        source = flow.get("sourceRef", "")
        if source == stage_id or (entry is not None and source == entry_id):
            continue
        if editor.flows(sourceRef=source, targetRef=target_id):
            editor.drop_flow(flow)
        else:
            editor.retarget(flow, target_id)
            kept.append(flow)
    for boundary in editor.boundaries(stage_id):
        for node in reversed(list(editor.exclusive_chain(boundary))):
            editor.drop_node(node)
    order = _order(stage)
    editor.drop_node(stage)
    if entry is not None:
        editor.drop_node(entry)
    _renumber(editor, order, -1)
    if first is not None and last is not None and after is not None and after[0] > first[0]:
        layout.shift(last[0] + last[2], first[0] - after[0])
    for flow in kept:
        layout.connect(flow.get("id", ""), flow.get("sourceRef", ""), target_id)
    return editor.serialize()
