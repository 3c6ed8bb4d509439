"""References that name nothing: a flow from or to a deleted element, a boundary event on a
missing activity, an event definition naming no message, a default flow that is not the
element's. SpiffWorkflow ignores some of these silently (a flow from nowhere just leaves the
rest unreachable) and words others for its own developers, so lint names them first.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from bpmn_sales.engine.diagrams.problems import BPMN, FLOW_NODE_TAGS, NS, SUBPROCESS_TAGS, Problem
from bpmn_sales.engine.diagrams.problems import line_of as line
from bpmn_sales.engine.diagrams.wording import DEFINITIONS, what, words
from bpmn_sales.i18n import _

CODE = "dangling_reference"
_CONTAINERS = ("process", *SUBPROCESS_TAGS)
_EVENT_REFS = ("message", "signal", "error", "escalation")


@dataclass
class References:
    """The problems found, and the ids named that do not exist (so other checks keep quiet)."""

    problems: list[Problem] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _hint(wanted: str, known: list[str]) -> str:
    close = difflib.get_close_matches(wanted, known, n=1)
    return _(" (did you mean '%(name)s'?)", name=close[0]) if close else ""


def check(tree: etree._ElementTree, filename: str) -> References:
    """Every reference in the file that names no element of the right kind and place."""
    found = References()
    root = tree.getroot()
    ids = {
        e.get("id", ""): e
        for e in root.iter()
        if isinstance(e.tag, str) and e.tag.startswith(BPMN) and e.get("id")
    }
    for container in root.iter(*(BPMN + tag for tag in _CONTAINERS)):
        for problem, missing in _flow_problems(container, ids, filename):
            found.problems.append(problem)
            if missing:
                found.missing.add(missing)
    for problem, missing in _definition_problems(root, ids, filename):
        found.problems.append(problem)
        found.missing.add(missing)
    return found


def _members(container: etree._Element) -> dict[str, etree._Element]:
    return {
        child.get("id", ""): child
        for child in container
        if isinstance(child.tag, str)
        and child.tag.startswith(BPMN)
        and _local(child) in FLOW_NODE_TAGS
    }


def _flow_problems(
    container: etree._Element, ids: dict[str, etree._Element], filename: str
) -> Iterator[tuple[Problem, str | None]]:
    members = _members(container)
    where = what(container) if _local(container) != "process" else _("this process")
    flows = [c for c in container if isinstance(c.tag, str) and c.tag == BPMN + "sequenceFlow"]
    for flow in flows:
        for attribute in ("sourceRef", "targetRef"):
            ref = flow.get(attribute, "")
            if ref in members:
                continue
            subject = (
                _("%(flow)s starts at '%(ref)s'", flow=what(flow), ref=ref)
                if attribute == "sourceRef"
                else _("%(flow)s leads to '%(ref)s'", flow=what(flow), ref=ref)
            )
            message = _(
                "%(subject)s, %(reason)s",
                subject=subject,
                reason=_absent(ref, ids, where, list(members)),
            )
            problem = Problem(filename, message, flow.get("id"), line(flow), code=CODE)
            yield problem, ref
    for node in members.values():
        if _local(node) == "boundaryEvent":
            host = node.get("attachedToRef", "")
            if host not in members:
                message = _(
                    "%(subject)s, %(reason)s",
                    subject=_("%(event)s is attached to '%(ref)s'", event=what(node), ref=host),
                    reason=_absent(host, ids, where, list(members)),
                )
                yield Problem(filename, message, node.get("id"), line(node), code=CODE), host
        default = node.get("default")
        if default and not any(
            f.get("id") == default and f.get("sourceRef") == node.get("id") for f in flows
        ):
            message = _(
                "%(element)s names '%(flow)s' as its default flow, which is not one of its "
                "outgoing sequence flows: pick one of them, or remove the default",
                element=what(node),
                flow=default,
            )
            yield Problem(filename, message, node.get("id"), line(node), code=CODE), None


def _absent(ref: str, ids: dict[str, etree._Element], where: str, members: list[str]) -> str:
    """Why `ref` is not a node beside the reference: missing, elsewhere, or not a flow node."""
    if not ref:
        return _("which names nothing: connect it to an element")
    element = ids.get(ref)
    if element is None:
        return _(
            "which is no element of this diagram%(hint)s: it may have been deleted or renamed; "
            "connect it to an element of %(where)s",
            hint=_hint(ref, members),
            where=where,
        )
    parent = element.getparent()
    if _local(element) in FLOW_NODE_TAGS and parent is not None:
        return _(
            "which is inside %(parent)s, not in %(where)s: sequence flows and boundary events "
            "cannot cross a sub-process's border",
            parent=what(parent),
            where=where,
        )
    return _(
        "which is a %(tag)s, not a task, event or gateway of %(where)s",
        tag=_local(element),
        where=where,
    )


def _definition_problems(
    root: etree._Element, ids: dict[str, etree._Element], filename: str
) -> Iterator[tuple[Problem, str]]:
    for name in _EVENT_REFS:
        known = [e.get("id", "") for e in root.iterfind(f"bpmn:{name}", NS) if e.get("id")]
        for definition in root.iter(f"{BPMN}{name}EventDefinition"):
            ref = definition.get(f"{name}Ref")
            if ref is None or (ref in ids and _local(ids[ref]) == name):
                continue
            event = definition.getparent()
            listed = ", ".join(known) or _("none")
            message = _(
                "%(element)s refers to %(kind)s '%(ref)s', which this diagram does not define "
                "(%(kinds)s: %(known)s)%(hint)s: add a bpmn:%(tag)s with that id, or pick one",
                element=what(event),
                kind=words(name),
                ref=ref,
                kinds=DEFINITIONS[name],
                known=listed,
                hint=_hint(ref, known),
                tag=name,
            )
            owner = event.get("id") if event is not None else None
            yield Problem(filename, message, owner, line(definition), code=CODE), ref
