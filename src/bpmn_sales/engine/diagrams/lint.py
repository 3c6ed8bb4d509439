"""The sales-rule lint: vocabulary, stage structure, terminals, reachability, labels, layout.

Works on one lxml tree per file (which keeps source lines); each finding is a `Problem` naming
file, line and element id, with a stable `code`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from lxml import etree

from bpmn_sales.domain.calibration import StageCalibration, rounded_to_step
from bpmn_sales.engine.diagrams import vocabulary
from bpmn_sales.engine.diagrams.forms import is_form_file
from bpmn_sales.engine.diagrams.problems import (
    BPMN,
    BPMNDI,
    FLOW_NODE_TAGS,
    NS,
    PROPERTY_XPATH,
    SUBPROCESS_TAGS,
    Problem,
    line_of,
)
from bpmn_sales.engine.diagrams.wording import what, words
from bpmn_sales.engine.diagrams.xml import parse_xml
from bpmn_sales.errors import DiagramError
from bpmn_sales.i18n import _

# --------------------------------------------------------------------------------------------
# The flow nodes of a file, with their sales-rule properties read once
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    element: etree._Element
    tag: str
    id: str
    process: str
    container: str  # id of the process or sub-process the node is a direct child of
    stage: _Node | None  # the innermost stage around the node
    properties: list[etree._Element]
    props: dict[str, str] = field(default_factory=dict)
    kind: str = "other"
    values: dict[str, Any] = field(default_factory=dict)
    messages: list[vocabulary.Issue] = field(default_factory=list)

    @property
    def line(self) -> int | None:
        return line_of(self.element)

    def propertyline_of(self, name: str) -> int | None:
        for prop in reversed(self.properties):  # the last one wins, as in Spiff
            if prop.get("name") == name:
                return line_of(prop)
        return self.line


@dataclass
class _Diagram:
    file: str
    nodes: list[_Node] = field(default_factory=list)
    flows: dict[str, list[etree._Element]] = field(default_factory=dict)
    containers: dict[str, str] = field(default_factory=dict)  # id -> tag
    executable: set[str] = field(default_factory=set)

    def problem(
        self, node: _Node, message: str, code: str, line: int | None = None, warning: bool = False
    ) -> Problem:
        severity = "warning" if warning else "error"
        return Problem(self.file, message, node.id, line or node.line, severity, code)


def _index(tree: etree._ElementTree, filename: str) -> _Diagram:
    diagram = _Diagram(filename)
    for process in tree.getroot().iterchildren(BPMN + "process"):
        key = process.get("id", "")
        if process.get("isExecutable") == "true":
            diagram.executable.add(key)
        _walk(process, key, None, diagram)
    return diagram


def _walk(container: etree._Element, process: str, stage: _Node | None, diagram: _Diagram) -> None:
    key = container.get("id", "")
    diagram.containers[key] = etree.QName(container).localname
    for child in container:
        if not isinstance(child.tag, str) or not child.tag.startswith(BPMN):
            continue
        tag = etree.QName(child).localname
        if tag == "sequenceFlow":
            diagram.flows.setdefault(key, []).append(child)
        if tag not in FLOW_NODE_TAGS:
            continue
        found = child.xpath(PROPERTY_XPATH, namespaces=NS)
        properties = [p for p in found if isinstance(p, etree._Element)]
        node = _Node(child, tag, child.get("id", ""), process, key, stage, properties)
        node.props = {p.get("name", ""): p.get("value", "") for p in properties if _complete(p)}
        node.kind = vocabulary.element_kind(tag, node.props, stage is not None)
        if node.props:
            node.values, node.messages = vocabulary.read_issues(node.kind, node.props)
        diagram.nodes.append(node)
        if tag in SUBPROCESS_TAGS:
            _walk(child, process, node if node.kind == "stage" else stage, diagram)


def _complete(prop: etree._Element) -> bool:
    return bool(prop.get("name")) and prop.get("value") is not None


def _by(nodes: Iterable[_Node], attribute: str) -> dict[str, list[_Node]]:
    groups: dict[str, list[_Node]] = defaultdict(list)
    for node in nodes:
        groups[getattr(node, attribute)].append(node)
    return groups


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _stage_key(stage: _Node) -> str:
    return str(stage.values.get("stage_key") or stage.id)


# --------------------------------------------------------------------------------------------
# Sales rules: properties, stages, terminals
# --------------------------------------------------------------------------------------------


def _property_problems(diagram: _Diagram) -> Iterator[Problem]:
    for node in diagram.nodes:
        seen: set[str] = set()
        for prop in node.properties:
            name = prop.get("name") or ""
            if not _complete(prop):
                message = (
                    _("property '%(name)s' has no value", name=name)
                    if name
                    else _(
                        "%(element)s: property has no name: give it one",
                        element=what(node.element),
                    )
                )
                yield diagram.problem(node, message, "property", line_of(prop))
            elif name in seen:
                message = _("property '%(name)s' is given more than once", name=name)
                yield diagram.problem(node, message, "duplicate_property", line_of(prop))
            seen.add(name)
        for message, unknown, about in node.messages:
            line = node.propertyline_of(about) if about in node.props else None
            code = "unknown_property" if unknown else "property"
            yield diagram.problem(node, message, code, line)


def _stage_problems(diagram: _Diagram) -> Iterator[Problem]:
    for nodes in _by(diagram.nodes, "process").values():
        stages = [n for n in nodes if n.kind == "stage"]
        yield from _stage_identity(diagram, stages)
        yield from _win_rates(diagram, stages)
        yield from _activity_problems(diagram, stages, [n for n in nodes if n.kind == "activity"])
        keys = {_stage_key(s) for s in stages}
        for node in nodes:
            for name in ("orders_from_stage", "orders_after_stage"):
                wanted = node.values.get(name) if node.kind == "terminal" else None
                if isinstance(wanted, str) and wanted not in keys:
                    known = ", ".join(sorted(keys)) or _("none")
                    message = _(
                        "%(property)s '%(stage)s' names no stage of this process (%(known)s)",
                        property=name,
                        stage=wanted,
                        known=known,
                    )
                    line = node.propertyline_of(name)
                    yield diagram.problem(node, message, "unknown_stage", line)


def _stage_identity(diagram: _Diagram, stages: list[_Node]) -> Iterator[Problem]:
    orders: dict[Any, _Node] = {}
    keys: dict[str, _Node] = {}
    for stage in stages:
        if stage.stage is not None:
            message = _(
                "stage inside another stage (%(outer)s); stages may not nest",
                outer=stage.stage.id,
            )
            yield diagram.problem(stage, message, "nested_stage")
        order = stage.values.get("stage_order")
        if isinstance(order, int) and order in orders:
            message = _(
                "stage_order %(order)s is also the order of %(other)s",
                order=order,
                other=orders[order].id,
            )
            yield diagram.problem(
                stage, message, "duplicate_stage_order", stage.propertyline_of("stage_order")
            )
        orders.setdefault(order, stage)
        key = _stage_key(stage)
        if key in keys:
            message = _(
                "stage key '%(key)s' is also the key of %(other)s", key=key, other=keys[key].id
            )
            yield diagram.problem(
                stage, message, "duplicate_stage_key", stage.propertyline_of("stage_key")
            )
        keys.setdefault(key, stage)


def _win_rates(diagram: _Diagram, stages: list[_Node]) -> Iterator[Problem]:
    pre_sale = [s for s in stages if s.values.get("stage_phase") != "post_sale"]
    rated = [s for s in pre_sale if "stage_win_rate" in s.props]
    if rated and len(rated) < len(pre_sale):
        names = ", ".join(s.id for s in rated)
        for stage in pre_sale:
            if stage not in rated:
                message = _(
                    "stage has no stage_win_rate while other pre-sale stages have one "
                    "(%(stages)s): give every pre-sale stage a win rate, or none",
                    stages=names,
                )
                yield diagram.problem(stage, message, "mixed_win_rates")
    ordered = sorted(
        (s for s in rated if isinstance(s.values.get("stage_order"), int)),
        key=lambda s: int(s.values["stage_order"]),
    )
    for before, stage in pairwise(ordered):
        low, high = (
            _number(stage.values["stage_win_rate"]),
            _number(before.values["stage_win_rate"]),
        )
        if low is not None and high is not None and low < high:
            message = _(
                "win rate %(rate)s is lower than %(earlier)s of the earlier stage %(stage)s",
                rate=f"{low:g}",
                earlier=f"{high:g}",
                stage=before.id,
            )
            line = stage.propertyline_of("stage_win_rate")
            yield diagram.problem(stage, message, "falling_win_rate", line, warning=True)


def _activity_problems(
    diagram: _Diagram, stages: list[_Node], activities: list[_Node]
) -> Iterator[Problem]:
    for activity in activities:
        stage = activity.stage
        assert stage is not None  # an activity is a user task inside a stage
        if activity.values.get("obligatory") is True and stage.values.get("stage_optional") is True:
            message = _("obligatory activity inside the optional stage %(stage)s", stage=stage.id)
            line = activity.propertyline_of("obligatory")
            yield diagram.problem(activity, message, "obligatory_in_optional_stage", line)
        if "approval" in activity.props and "stage_approval" not in stage.props:
            message = _(
                "approval task inside %(stage)s, a stage without stage_approval", stage=stage.id
            )
            line = activity.propertyline_of("approval")
            yield diagram.problem(activity, message, "approval_without_stage_approval", line)
    for stage in stages:
        yield from _field_overlap(diagram, stage)
        orders: dict[int, _Node] = {}
        for activity in (a for a in activities if a.stage is stage):
            order = activity.values.get("activity_order")
            if isinstance(order, int) and order in orders:
                message = _(
                    "activity_order %(order)s is also the order of %(other)s",
                    order=order,
                    other=orders[order].id,
                )
                line = activity.propertyline_of("activity_order")
                yield diagram.problem(activity, message, "duplicate_activity_order", line, True)
            elif isinstance(order, int):
                orders[order] = activity
        tasks = [a for a in activities if a.stage is stage and "approval" in a.props]
        if "stage_approval" in stage.props and not tasks:
            message = _("stage has stage_approval but no user task with approval in it")
            line = stage.propertyline_of("stage_approval")
            yield diagram.problem(stage, message, "missing_approval_task", line)


def _field_overlap(diagram: _Diagram, stage: _Node) -> Iterator[Problem]:
    """A field both required and optional in one stage is required: say so."""

    def path(ref: object) -> str:
        return str(ref).partition("=")[0].partition(":")[0].strip()

    required = {path(r) for r in stage.values.get("stage_required_fields") or []}
    for ref in stage.values.get("stage_fields") or []:
        if path(ref) in required:
            message = _(
                "field '%(field)s' is in stage_required_fields and stage_fields; it is required "
                "(remove it from stage_fields)",
                field=ref,
            )
            line = stage.propertyline_of("stage_fields")
            yield diagram.problem(stage, message, "duplicate_field", line, warning=True)


def _terminal_problems(diagram: _Diagram) -> Iterator[Problem]:
    """Deal processes (with stages, or calling a process with stages) end with an outcome."""
    deals = {n.process for n in diagram.nodes if n.kind == "stage"}
    calls = [
        (n.process, n.element.get("calledElement"))
        for n in diagram.nodes
        if n.tag == "callActivity"
    ]
    while new := {caller for caller, called in calls if called in deals} - deals:
        deals |= new
    executable_deals = deals & diagram.executable
    side_paths = _side_path_nodes(diagram)
    for node in diagram.nodes:
        if node.tag != "endEvent" or "outcome" in node.props or node.id in side_paths:
            continue
        if node.container == node.process and node.process in executable_deals:
            message = _("end event has no outcome (won, lost or invalid) in a deal process")
            yield diagram.problem(node, message, "no_outcome")


def _side_path_nodes(diagram: _Diagram) -> set[str]:
    """Nodes reached only after a non-interrupting boundary event (e.g. a reminder timer's
    notice): their end events end that side path, not the deal."""
    side: set[str] = set()
    for container, members in _by(diagram.nodes, "container").items():
        following = _successors(diagram, container, members)
        for node in members:
            if node.tag == "boundaryEvent" and node.element.get("cancelActivity") == "false":
                following[node.element.get("attachedToRef", "")].remove(node.id)
        main: set[str] = set()
        todo = _roots(diagram, container, members)
        while todo:
            current = todo.pop()
            if current not in main:
                main.add(current)
                todo.extend(following.get(current, ()))
        side |= {n.id for n in members if n.id not in main}
    return side


# --------------------------------------------------------------------------------------------
# Flow: reachability; presentation: labels and layout
# --------------------------------------------------------------------------------------------


def _link_name(node: _Node) -> str | None:
    definition = node.element.find(BPMN + "linkEventDefinition")
    return definition.get("name") if definition is not None else None


def _successors(diagram: _Diagram, container: str, members: list[_Node]) -> dict[str, list[str]]:
    following: dict[str, list[str]] = defaultdict(list)
    for flow in diagram.flows.get(container, []):
        following[flow.get("sourceRef", "")].append(flow.get("targetRef", ""))
    links: dict[str | None, list[str]] = defaultdict(list)
    for node in members:
        if node.tag == "intermediateCatchEvent":
            links[_link_name(node)].append(node.id)
    for node in members:
        if node.tag == "boundaryEvent":
            following[node.element.get("attachedToRef", "")].append(node.id)
        elif node.tag == "intermediateThrowEvent" and _link_name(node) is not None:
            following[node.id].extend(links[_link_name(node)])
    return following


def _roots(diagram: _Diagram, container: str, members: list[_Node]) -> list[str]:
    roots = [
        n.id
        for n in members
        if n.tag == "startEvent"
        or n.element.get("triggeredByEvent") == "true"
        or n.element.get("isForCompensation") == "true"
    ]
    if diagram.containers.get(container) == "adHocSubProcess" or not roots:
        # Without a start event, BPMN starts every node that no sequence flow leads to.
        targets = {f.get("targetRef") for f in diagram.flows.get(container, [])}
        roots += [n.id for n in members if n.tag != "boundaryEvent" and n.id not in targets]
    return roots


def _reachability_problems(diagram: _Diagram) -> Iterator[Problem]:
    for container, members in _by(diagram.nodes, "container").items():
        following = _successors(diagram, container, members)
        reached: set[str] = set()
        todo = _roots(diagram, container, members)
        while todo:
            current = todo.pop()
            if current not in reached:
                reached.add(current)
                todo.extend(following.get(current, ()))
        for node in members:
            if node.id not in reached:
                message = _(
                    "%(element)s cannot be reached from a start event", element=what(node.element)
                )
                yield diagram.problem(node, message, "unreachable")


def _label_problems(diagram: _Diagram) -> Iterator[Problem]:
    for node in diagram.nodes:
        if not (node.element.get("name") or "").strip():
            message = _("%(kind)s has no label (name)", kind=words(node.tag))
            yield diagram.problem(node, message, "no_label", warning=True)


def _layout_problems(tree: etree._ElementTree, diagram: _Diagram) -> Iterator[Problem]:
    root = tree.getroot()
    if next(root.iterchildren(BPMNDI + "BPMNDiagram"), None) is None:
        for process in root.iterchildren(BPMN + "process"):
            message = _("diagram has no layout (bpmndi:BPMNDiagram)")
            yield Problem(
                diagram.file, message, process.get("id"), line_of(process), "warning", "no_layout"
            )
        return
    drawn = {e.get("bpmnElement") for e in root.iter(BPMNDI + "BPMNShape", BPMNDI + "BPMNEdge")}
    for node in diagram.nodes:
        if node.id not in drawn:
            message = _(
                "%(kind)s has no shape in the diagram layout (bpmndi)", kind=words(node.tag)
            )
            yield diagram.problem(node, message, "no_layout", warning=True)
    for flows in diagram.flows.values():
        for flow in flows:
            if flow.get("id") not in drawn:
                message = _("sequence flow has no edge in the diagram layout (bpmndi)")
                yield Problem(
                    diagram.file, message, flow.get("id"), line_of(flow), "warning", "no_layout"
                )


def rule_problems(tree: etree._ElementTree, filename: str) -> Iterator[Problem]:
    diagram = _index(tree, filename)
    yield from _property_problems(diagram)
    yield from _stage_problems(diagram)
    yield from _terminal_problems(diagram)
    yield from _reachability_problems(diagram)
    yield from _label_problems(diagram)
    yield from _layout_problems(tree, diagram)


# --------------------------------------------------------------------------------------------
# Information from the deals: a win rate far from what the closed deals say (calibration)
# --------------------------------------------------------------------------------------------


def calibration_notes(
    tree: etree._ElementTree,
    filename: str,
    process: str,
    observed: Mapping[str, StageCalibration],
) -> Iterator[Problem]:
    """An `info` beside each stage of `process` whose stage_win_rate in this diagram lies outside
    the 95 % interval of the rate its closed deals show, when enough deals are behind it
    (domain/calibration.py). `observed` is by stage key; the diagram's own rate is compared, so
    a rate the designer has just corrected is no longer flagged."""
    diagram = _index(tree, filename)
    for stage in diagram.nodes:
        if stage.kind != "stage" or stage.process != process:
            continue
        seen = observed.get(_stage_key(stage))
        rate = _number(stage.values.get("stage_win_rate"))
        if seen is None or rate is None or seen.observed is None or not seen.enough:
            continue
        assert seen.interval is not None  # there are closed deals
        low, high = seen.interval
        if low <= rate <= high:
            continue
        message = _(
            "win rate %(rate)s %% is outside what the deals show: %(won)s of %(closed)s deals "
            "that reached the stage were won (%(observed)s %%, 95 %% interval %(low)s to "
            "%(high)s %%); suggested %(suggested)s %%",
            rate=f"{rate:g}",
            won=seen.won,
            closed=seen.closed,
            observed=seen.observed,
            low=low,
            high=high,
            suggested=rounded_to_step(seen.observed),
        )
        line = stage.propertyline_of("stage_win_rate")
        yield Problem(filename, message, stage.id, line, "info", "win_rate_calibration")


def calibration_problems(
    files: Mapping[str, bytes], process: str, observed: Mapping[str, StageCalibration]
) -> list[Problem]:
    """`calibration_notes` over the diagram files of an upload or a draft; a file that does not
    parse gives none (the lint names its problem)."""
    notes: list[Problem] = []
    for filename, data in files.items():
        if is_form_file(filename):
            continue
        try:
            tree = parse_xml(data, filename)
        except DiagramError:
            continue
        notes.extend(calibration_notes(tree, filename, process, observed))
    return notes
