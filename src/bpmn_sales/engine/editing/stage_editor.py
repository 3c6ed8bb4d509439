"""The diagram as the stage edits see it: stages, flows, boundary events, safe surgery."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from bpmn_sales.domain.keys import transliterate
from bpmn_sales.engine.diagrams.problems import BPMN, NS, PROPERTY_XPATH, SUBPROCESS_TAGS
from bpmn_sales.engine.diagrams.xml import parse_xml
from bpmn_sales.engine.editing.stage_layout import Layout
from bpmn_sales.errors import InvalidInput, InvalidState
from bpmn_sales.i18n import _, ngettext

SPIFF = "{" + NS["spiffworkflow"] + "}"


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def props(el: etree._Element) -> dict[str, str]:
    found = el.xpath(PROPERTY_XPATH, namespaces=NS)
    assert isinstance(found, list)
    return {p.get("name", ""): p.get("value", "") for p in found if isinstance(p, etree._Element)}


def set_prop(el: etree._Element, name: str, value: str) -> None:
    for prop in el.xpath(PROPERTY_XPATH, namespaces=NS):
        if isinstance(prop, etree._Element) and prop.get("name") == name:
            prop.set("value", value)
            return
    holder = el.find("bpmn:extensionElements/spiffworkflow:properties", NS)
    if holder is not None:
        etree.SubElement(holder, SPIFF + "property", name=name, value=value)


def camel(text: str) -> str:
    """An id part from a name, in ASCII: 'Négociation' -> 'Negociation', '初次拜访' ->
    'ChuCiBaiFang' (the name transliterated as stage keys are, domain/keys.py)."""
    words = re.split(r"[^0-9A-Za-z]+", transliterate(text))
    return "".join(part.capitalize() for part in words if part)


class StageEditor:
    """One diagram's process elements, indexed for the edit."""

    def __init__(self, xml: bytes, filename: str) -> None:
        self.tree = parse_xml(xml, filename)
        self.root = self.tree.getroot()
        self.layout = Layout(self.root)

    # -- lookups ---------------------------------------------------------------------------
    def by_id(self, element_id: str) -> etree._Element | None:
        found = self.root.xpath("//bpmn:*[@id=$id]", namespaces=NS, id=element_id)
        if isinstance(found, list) and found and isinstance(found[0], etree._Element):
            return found[0]
        return None

    def stages(self) -> dict[str, etree._Element]:
        result: dict[str, etree._Element] = {}
        for el in self.root.iter(*(BPMN + tag for tag in SUBPROCESS_TAGS)):
            values = props(el)
            if "stage_order" in values:
                result[values.get("stage_key") or el.get("id") or ""] = el
        return result

    def stage(self, key: str) -> etree._Element:
        stages = self.stages()
        if key not in stages:
            known = ", ".join(stages) or _("none")
            raise InvalidInput(
                _(
                    "stage '%(key)s' is not a stage of this process (%(known)s)",
                    key=key,
                    known=known,
                ),
                "stage",
            )
        return stages[key]

    def flows(self, **where: str) -> list[etree._Element]:
        found = []
        for flow in self.root.iter(BPMN + "sequenceFlow"):
            if all(flow.get(attr) == value for attr, value in where.items()):
                found.append(flow)
        return found

    def fresh_id(self, wanted: str) -> str:
        candidate, n = wanted, 2
        while self.by_id(candidate) is not None:
            candidate, n = f"{wanted}{n}", n + 1
        return candidate

    def serialize(self) -> bytes:
        """The edited diagram, indented two spaces throughout like the modelers write it."""
        etree.indent(self.tree, space="  ")
        return etree.tostring(self.tree, xml_declaration=True, encoding="UTF-8") + b"\n"

    # -- flow surgery ----------------------------------------------------------------------
    def _ref(self, node_id: str, tag: str, flow_id: str, add: bool) -> None:
        node = self.by_id(node_id)
        if node is None:
            return
        if not add:
            for ref in node.findall(BPMN + tag):
                if ref.text == flow_id:
                    node.remove(ref)
            return
        ref = etree.Element(BPMN + tag)
        ref.text = flow_id
        # The schema's order: documentation, extensionElements, incoming..., outgoing...
        before = ["documentation", "extensionElements", "incoming"]
        before += ["outgoing"] if tag == "outgoing" else []
        anchors = [c for c in node if isinstance(c.tag, str) and _local(c) in before]
        if tag == "incoming":
            anchors = [c for c in anchors if _local(c) != "outgoing"]
        if anchors:
            anchors[-1].addnext(ref)
        else:
            node.insert(0, ref)

    def add_refs(self, flow: etree._Element) -> None:
        """Name a new flow in its source's outgoing and its target's incoming."""
        self._ref(flow.get("sourceRef", ""), "outgoing", flow.get("id", ""), True)
        self._ref(flow.get("targetRef", ""), "incoming", flow.get("id", ""), True)

    def lane_with(self, existing_id: str, new_ids: list[str]) -> None:
        """Put `new_ids` in the lane that holds `existing_id` (if it is in one)."""
        for ref in list(self.root.iter(BPMN + "flowNodeRef")):
            if ref.text == existing_id:
                for new_id in reversed(new_ids):
                    added = etree.Element(BPMN + "flowNodeRef")
                    added.text = new_id
                    added.tail = ref.tail
                    ref.addnext(added)
                return

    def connect(self, parent: etree._Element, source: str, target: str, flow_id: str) -> str:
        flow_id = self.fresh_id(flow_id)
        flow = etree.SubElement(
            parent, BPMN + "sequenceFlow", id=flow_id, sourceRef=source, targetRef=target
        )
        self.add_refs(flow)
        return flow_id

    def retarget(self, flow: etree._Element, target: str) -> None:
        flow_id = flow.get("id", "")
        self._ref(flow.get("targetRef", ""), "incoming", flow_id, False)
        flow.set("targetRef", target)
        self._ref(target, "incoming", flow_id, True)

    def drop_flow(self, flow: etree._Element) -> None:
        flow_id = flow.get("id", "")
        self._ref(flow.get("sourceRef", ""), "outgoing", flow_id, False)
        self._ref(flow.get("targetRef", ""), "incoming", flow_id, False)
        self.layout.forget([flow_id])
        parent = flow.getparent()
        if parent is not None:
            parent.remove(flow)

    def drop_node(self, node: etree._Element) -> None:
        """Remove a flow node, its flows, its boundary events, its lane refs and its shapes."""
        node_id = node.get("id", "")
        for boundary in self.boundaries(node_id):
            self.drop_node(boundary)
        for flow in [*self.flows(sourceRef=node_id), *self.flows(targetRef=node_id)]:
            self.drop_flow(flow)
        inner = [node_id, *(e.get("id", "") for e in node.iter() if e.get("id"))]
        for ref in list(self.root.iter(BPMN + "flowNodeRef")):
            if ref.text in inner and ref.getparent() is not None:
                ref.getparent().remove(ref)  # type: ignore[union-attr]
        self.layout.forget(inner)
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)

    def boundaries(self, node_id: str) -> list[etree._Element]:
        return [
            b for b in self.root.iter(BPMN + "boundaryEvent") if b.get("attachedToRef") == node_id
        ]

    def single_outgoing(self, stage: etree._Element, key: str) -> etree._Element:
        out = self.flows(sourceRef=stage.get("id", ""))
        if len(out) != 1:
            raise InvalidState(
                ngettext(
                    "stage '%(key)s' has %(num)s outgoing sequence flow; the board edits only "
                    "stages with exactly one (edit this diagram in a modeler instead)",
                    "stage '%(key)s' has %(num)s outgoing sequence flows; the board edits only "
                    "stages with exactly one (edit this diagram in a modeler instead)",
                    len(out),
                    key=key,
                )
            )
        return out[0]

    def entry_gateway(self, stage: etree._Element) -> etree._Element | None:
        """The merge gateway in front of a stage (free-move diagrams enter each stage so)."""
        incoming = self.flows(targetRef=stage.get("id", ""))
        if len(incoming) != 1:
            return None
        gateway = self.by_id(incoming[0].get("sourceRef", ""))
        if gateway is None or _local(gateway) != "exclusiveGateway":
            return None
        gid = gateway.get("id", "")
        if len(self.flows(sourceRef=gid)) == 1 and len(self.flows(targetRef=gid)) >= 2:
            return gateway
        return None

    def routes_to(self, entry_id: str, key: str) -> list[etree._Element]:
        """Conditional flows into `entry_id` whose condition names the stage's key."""
        quoted = re.compile(rf"""['"]{re.escape(key)}['"]""")
        routes = []
        for flow in self.flows(targetRef=entry_id):
            condition = flow.find(BPMN + "conditionExpression")
            if condition is not None and quoted.search(condition.text or ""):
                routes.append(flow)
        return routes

    def exclusive_chain(self, start: etree._Element) -> Iterator[etree._Element]:
        """Nodes reached from a boundary event that nothing else leads to, in flow order."""
        seen: set[str] = set()
        frontier = [f.get("targetRef", "") for f in self.flows(sourceRef=start.get("id", ""))]
        owners = {start.get("id", "")}
        while frontier:
            node_id = frontier.pop(0)
            if node_id in seen:
                continue
            sources = {f.get("sourceRef", "") for f in self.flows(targetRef=node_id)}
            node = self.by_id(node_id)
            if node is None or not sources <= owners:
                continue
            seen.add(node_id)
            owners.add(node_id)
            yield node
            frontier += [f.get("targetRef", "") for f in self.flows(sourceRef=node_id)]
