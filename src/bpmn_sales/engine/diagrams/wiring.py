"""The free-move and close wiring of a process that declares free moves (catches `deal_move`).

A move or a close is a message the product sends; whether it lands where it should depends on
how the diagram is drawn (authoring guide 2.4 and 2.6). Without these checks a mistake shows
only when a rep moves or closes a deal ("the process did not route the move to stage 'devis'").
Here each pre-sale stage must catch `deal_move` and be routed to by key, and be closable: a
`deal_close` catch on it or around it, leading to `validate_close` and on to a terminal for
each outcome.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from bpmn_sales.engine.diagrams.problems import BPMN, NS, PROPERTY_XPATH, Problem, line_of
from bpmn_sales.engine.diagrams.wording import what
from bpmn_sales.i18n import _

MOVE, CLOSE = "deal_move", "deal_close"
_GATEWAYS = ("exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway")
_QUOTED = re.compile(r"""['"]([^'"]+)['"]""")
_OUTCOME = re.compile(r"""close\s*\[\s*['"]outcome['"]\s*\]\s*==\s*['"](\w+)['"]""")


@dataclass
class _Process:
    """One process's elements as the wiring checks need them."""

    file: str
    elements: dict[str, etree._Element] = field(default_factory=dict)
    outgoing: dict[str, list[etree._Element]] = field(default_factory=lambda: defaultdict(list))
    stages: list[etree._Element] = field(default_factory=list)
    catches: dict[str, list[etree._Element]] = field(default_factory=lambda: defaultdict(list))

    def problem(self, element: etree._Element | None, message: str, code: str) -> Problem:
        element_id = element.get("id") if element is not None else None
        line = line_of(element) if element is not None else None
        return Problem(self.file, message, element_id, line, code=code)

    def through_gateways(
        self, start: etree._Element
    ) -> Iterator[tuple[etree._Element, str, etree._Element | None]]:
        """Each path out of `start` through gateways: (the first other element it reaches, the
        first condition on the way, the flow that carries that condition)."""
        todo: list[tuple[etree._Element, str, etree._Element | None]] = [
            (f, "", None) for f in self.outgoing[start.get("id", "")]
        ]
        seen: set[tuple[str, str]] = set()
        while todo:
            flow, condition, carrier = todo.pop()
            text = (flow.findtext(BPMN + "conditionExpression") or "").strip()
            if not condition and text:
                condition, carrier = text, flow
            if (flow.get("id", ""), condition) in seen:
                continue
            seen.add((flow.get("id", ""), condition))
            target = self.elements.get(flow.get("targetRef", ""))
            if target is None:
                continue  # a dangling reference; its own check names it
            if etree.QName(target).localname in _GATEWAYS:
                todo += [(f, condition, carrier) for f in self.outgoing[target.get("id", "")]]
            else:
                yield target, condition, carrier


def _props(element: etree._Element) -> dict[str, str]:
    found = element.xpath(PROPERTY_XPATH, namespaces=NS)
    items = found if isinstance(found, list) else []
    return {p.get("name", ""): p.get("value", "") for p in items if isinstance(p, etree._Element)}


def _variable(catch: etree._Element) -> str:
    found = catch.xpath(".//spiffworkflow:messageVariable", namespaces=NS)
    node = found[0] if isinstance(found, list) and found else None
    return (node.text or "").strip() if isinstance(node, etree._Element) else ""


def _index(process: etree._Element, filename: str, messages: dict[str, str]) -> _Process:
    indexed = _Process(filename)
    for element in process.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(BPMN):
            continue
        ident, tag = element.get("id"), etree.QName(element).localname
        if ident:
            indexed.elements[ident] = element
        if tag == "sequenceFlow":
            indexed.outgoing[element.get("sourceRef", "")].append(element)
        elif "stage_order" in _props(element) and _props(element).get("stage_phase") != (
            "post_sale"
        ):
            indexed.stages.append(element)
        elif tag == "messageEventDefinition":
            catch = element.getparent()
            if catch is not None and etree.QName(catch).localname in (
                "boundaryEvent",
                "intermediateCatchEvent",
                "startEvent",
            ):
                indexed.catches[messages.get(element.get("messageRef", ""), "")].append(catch)
    return indexed


def wiring_problems(tree: etree._ElementTree, filename: str) -> Iterator[Problem]:
    """The move and close wiring problems of each process that catches `deal_move`."""
    root = tree.getroot()
    messages = {m.get("id", ""): m.get("name", "") for m in root.iterfind("bpmn:message", NS)}
    for process in root.iterfind("bpmn:process", NS):
        indexed = _index(process, filename, messages)
        if indexed.catches.get(MOVE) and indexed.stages:
            yield from _move_problems(indexed)
            yield from _close_problems(indexed, process)


def _key(stage: etree._Element) -> str:
    return _props(stage).get("stage_key") or stage.get("id") or ""


def _move_problems(process: _Process) -> Iterator[Problem]:
    keys = {_key(s): s for s in process.stages}
    hosts: dict[str, etree._Element] = {}
    routed: set[str] = set()
    checked: set[str] = set()  # the route flows already judged (every catch reaches them)
    for catch in process.catches[MOVE]:
        if etree.QName(catch).localname != "boundaryEvent":
            continue
        hosts[catch.get("attachedToRef", "")] = catch
        if catch.get("cancelActivity") == "false":
            message = _(
                "%(event)s catches deal_move without interrupting, so the deal would stay in its "
                "stage as well: make it interrupting",
                event=what(catch),
            )
            yield process.problem(catch, message, "move_wiring")
        if _variable(catch) != "move_request":
            message = _(
                "%(event)s keeps deal_move in '%(variable)s': the routes read "
                "move_request['stage'], so name its message variable move_request",
                event=what(catch),
                variable=_variable(catch) or _("nothing"),
            )
            yield process.problem(catch, message, "move_wiring")
        for target, condition, carrier in process.through_gateways(catch):
            named = [k for k in _QUOTED.findall(condition) if k != "stage"]
            if "move_request" not in condition or not named or carrier is None:
                continue
            key = named[-1]
            routed.add(key)
            if carrier.get("id") in checked:
                continue
            checked.add(carrier.get("id", ""))
            if key not in keys:
                known = ", ".join(keys)
                message = _(
                    "%(flow)s routes free moves to stage '%(key)s', which is no pre-sale stage of "
                    "this process (%(known)s)",
                    flow=what(carrier),
                    key=key,
                    known=known,
                )
                yield process.problem(carrier, message, "move_wiring")
            elif target is not keys[key]:
                message = _(
                    "%(flow)s routes free moves for '%(key)s' to %(target)s, not to %(stage)s: "
                    "point it at the stage (or at the gateway in front of it)",
                    flow=what(carrier),
                    key=key,
                    target=what(target),
                    stage=what(keys[key]),
                )
                yield process.problem(carrier, message, "move_wiring")
    for key, stage in keys.items():
        if stage.get("id") not in hosts:
            message = _(
                "%(stage)s has no boundary event catching deal_move, so a deal at it cannot be "
                "moved: attach an interrupting message boundary event for deal_move (message "
                "variable move_request), as on the other stages",
                stage=what(stage),
            )
            yield process.problem(stage, message, "move_wiring")
        elif key not in routed:
            message = _(
                "no free-move route leads to %(stage)s: give the router gateway a flow with the "
                "condition move_request['stage'] == '%(key)s' into the stage",
                stage=what(stage),
                key=key,
            )
            yield process.problem(stage, message, "move_wiring")


def _close_problems(process: _Process, root: etree._Element) -> Iterator[Problem]:
    catches = process.catches.get(CLOSE, [])
    if not catches:
        message = _(
            "this process allows free moves but never catches deal_close, so its deals cannot "
            "be closed: add the close pattern (authoring guide 2.4)"
        )
        yield process.problem(root, message, "close_wiring")
        return
    covered = {c.get("attachedToRef", "") for c in catches}
    for stage in process.stages:
        around = [stage, *stage.iterancestors(BPMN + "subProcess")]
        if not any(s.get("id") in covered for s in around):
            message = _(
                "a deal at %(stage)s cannot be closed: attach an interrupting boundary event "
                "catching deal_close to the stage or to a sub-process around it",
                stage=what(stage),
            )
            yield process.problem(stage, message, "close_wiring")
    validators: list[etree._Element] = []
    for catch in catches:
        if _variable(catch) != "close_request":
            message = _(
                "%(event)s keeps deal_close in '%(variable)s': validate_close reads "
                "close_request, so name its message variable close_request",
                event=what(catch),
                variable=_variable(catch) or _("nothing"),
            )
            yield process.problem(catch, message, "close_wiring")
        found = [
            t
            for t, _condition, _carrier in process.through_gateways(catch)
            if _operation(t) == "validate_close"
        ]
        if not found:
            message = _(
                "after %(event)s the flow reaches no validate_close service task: lead it "
                "(through a merge gateway) to the validate_close task",
                event=what(catch),
            )
            yield process.problem(catch, message, "close_wiring")
        validators += [v for v in found if v not in validators]
    for validator in validators:
        yield from _outcome_problems(process, validator)


def _operation(element: etree._Element) -> str | None:
    found = element.xpath(
        "./bpmn:extensionElements/spiffworkflow:serviceTaskOperator", namespaces=NS
    )
    node = found[0] if isinstance(found, list) and found else None
    return node.get("id") if isinstance(node, etree._Element) else None


def _outcome_problems(process: _Process, validator: etree._Element) -> Iterator[Problem]:
    found = validator.xpath(
        "./bpmn:extensionElements/spiffworkflow:serviceTaskOperator/@resultVariable",
        namespaces=NS,
    )
    result = str(found[0]) if isinstance(found, list) and found else ""
    if result != "close":
        message = _(
            "%(task)s keeps its result in '%(variable)s': the product and the outcome routes "
            'read close, so set resultVariable="close"',
            task=what(validator),
            variable=result or _("nothing"),
        )
        yield process.problem(validator, message, "close_wiring")
    outcomes = {
        (_props(e).get("outcome") or "").strip()
        for e in process.elements.values()
        if etree.QName(e).localname in ("endEvent", "intermediateThrowEvent")
    } - {""}
    routed = set()
    for target, condition, carrier in process.through_gateways(validator):
        wanted = _OUTCOME.search(condition)
        if wanted is None:
            continue
        outcome = wanted[1]
        routed.add(outcome)
        if (_props(target).get("outcome") or "").strip() != outcome:
            message = _(
                "%(flow)s routes close['outcome'] == '%(outcome)s' to %(target)s, which is not a "
                "terminal event with outcome %(outcome)s",
                flow=what(carrier),
                outcome=outcome,
                target=what(target),
            )
            yield process.problem(carrier, message, "close_wiring")
    for outcome in sorted(outcomes - routed):
        message = _(
            "no flow after %(task)s routes close['outcome'] == '%(outcome)s' to the terminal "
            "with outcome %(outcome)s, so a close as %(outcome)s would fail",
            task=what(validator),
            outcome=outcome,
        )
        yield process.problem(validator, message, "close_wiring")
