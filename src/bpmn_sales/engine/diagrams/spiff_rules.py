"""The rules that turn one SpiffWorkflow message into a designer's sentence (`RULES`).

Each rule gets what SpiffWorkflow raised (`Raised`) and the match of its pattern, and returns
the sentence with the element it is about; `spiff_errors.translate` runs them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from lxml import etree

from bpmn_sales.engine.diagrams.problems import NS, line_of
from bpmn_sales.engine.diagrams.wording import by_id, first, what, words

# Which spiffworkflow elements need which attribute, and what to write.
_ATTRIBUTES = {
    ("parameter", "type"): 'write type="any"',
    ("parameter", "id"): "give the parameter's name as its id",
    ("serviceTaskOperator", "id"): "give the name of the function to call as its id",
    ("property", "name"): "give the property its name",
    ("property", "value"): "give the property a value",
    ("taskMetadataValue", "name"): "give it a name",
    ("unitTest", "id"): "give it an id",
}
# What lint already reports (a property without name or value, an operation without name).
_LINTED = {("property", "name"), ("property", "value"), ("serviceTaskOperator", "id")}


@dataclass(frozen=True)
class Raised:
    """What SpiffWorkflow said, and the element it was about (when it said or we can find it)."""

    message: str
    element: etree._Element | None
    tree: etree._ElementTree | None
    services: Collection[str]
    reported: Collection[str]  # the dangling references lint already names
    trees: Mapping[str, etree._ElementTree]  # every file read with this one

    def about(self, sentence: str, element: etree._Element | None = None) -> Found:
        return sentence, element if element is not None else self.element


# (sentence, the element it is about); an empty sentence drops a repeat of what lint reported.
Found = tuple[str, "etree._Element | None"]
Rule = Callable[[Raised, "re.Match[str]"], "Found | None"]


# --------------------------------------------------------------------------------------------
# Events and references
# --------------------------------------------------------------------------------------------


def _no_definition(raised: Raised, _: re.Match[str]) -> Found:
    return raised.about(
        f"{what(raised.element)} has no event definition, so it catches nothing: give it a "
        "message, timer, signal, error or escalation definition, or delete it"
    )


def _dangling_event_ref(raised: Raised, match: re.Match[str]) -> Found | None:
    element = raised.element
    if element is None:
        return None
    for name in ("message", "signal", "error", "escalation"):
        if match["kind"] and match["kind"].lower() != name:
            continue
        for definition in element.iterfind(f"bpmn:{name}EventDefinition", NS):
            ref = definition.get(f"{name}Ref", "")
            if by_id(raised.tree, ref) is not None:
                continue
            if ref in raised.reported:
                return raised.about("")
            return raised.about(
                f"{what(element)} refers to {name} '{ref}', which this diagram does not define "
                f"({name}s: {_ids(raised.tree, name)}): add a bpmn:{name} with that id"
            )
    return None


def _ids(tree: etree._ElementTree | None, tag: str) -> str:
    found = [e.get("id", "") for e in tree.getroot().iterfind(f"bpmn:{tag}", NS)] if tree else []
    return ", ".join(f for f in found if f) or "none"


def _missing_target(raised: Raised, match: re.Match[str]) -> Found:
    target = match["target"]
    if target in raised.reported:
        return raised.about("")
    source = raised.element.get("id", "") if raised.element is not None else ""
    flow = first(
        raised.tree,
        "//bpmn:sequenceFlow[@sourceRef=$source and @targetRef=$target]",
        source=source,
        target=target,
    )
    return raised.about(
        f"{what(flow)} from {what(raised.element)} leads to '{target}', which is not an "
        "element beside it (deleted, renamed, or inside another sub-process): point the flow at "
        "an element of the same process or sub-process",
        flow,
    )


def _decision_table(raised: Raised, match: re.Match[str]) -> Found:
    named = match["id"]
    table = "no decision table" if named in ("None", "") else f"the decision table '{named}'"
    return raised.about(
        f"{what(raised.element)} calls {table}: bpmn-sales runs no DMN decision tables; decide "
        "with an exclusive gateway's conditions, or compute the value in a script task"
    )


def _calling(raised: Raised, called: str) -> etree._Element | None:
    return first(raised.tree, "//bpmn:callActivity[@calledElement=$called]", called=called)


def _process_not_found(raised: Raised, match: re.Match[str]) -> Found:
    call = _calling(raised, match["process"])
    return raised.about(
        f"{what(call)} calls process '{match['process']}', which is not in the files deployed "
        f"together (processes: {match['known']}): deploy its diagram with this one, or fix "
        "calledElement",
        call,
    )


def _not_executable(raised: Raised, match: re.Match[str]) -> Found:
    call = _calling(raised, match["process"])
    return raised.about(
        f"{what(call)} calls process '{match['process']}', which is not executable: set "
        'isExecutable="true" on it (the "Executable" switch of the process in a modeler)',
        call,
    )


def _no_called_element(raised: Raised, _: re.Match[str]) -> Found:
    return raised.about(
        f"{what(raised.element)} names no process to call: set calledElement to a process id"
    )


# --------------------------------------------------------------------------------------------
# Flow and structure
# --------------------------------------------------------------------------------------------


def _unsupported(raised: Raised, _: re.Match[str]) -> Found:
    tag = etree.QName(raised.element).localname if raised.element is not None else "element"
    instead = (
        "use an exclusive, inclusive, parallel or event-based gateway"
        if tag.endswith("Gateway")
        else "use a user, service, script or manual task, a sub-process or an event"
    )
    return raised.about(f"{what(raised.element)}: the engine cannot run a {words(tag)}; {instead}")


def _many_outgoing(raised: Raised, _: re.Match[str]) -> Found:
    count = len(raised.element.findall("bpmn:outgoing", NS)) if raised.element is not None else 0
    flows = f"{count} outgoing sequence flows" if count > 1 else "several outgoing sequence flows"
    return raised.about(
        f"{what(raised.element)} has {flows}; a task may have only one: put a parallel gateway "
        "after it to run paths side by side, or an exclusive gateway to choose one"
    )


def _no_condition(raised: Raised, _: re.Match[str]) -> Found:
    flow = raised.element
    gateway = by_id(raised.tree, flow.get("sourceRef")) if flow is not None else None
    return raised.about(
        f"{what(flow)} leaves {what(gateway)} without a condition: give it a condition, or "
        "make it the gateway's default flow"
    )


def _start_events(raised: Raised, match: re.Match[str]) -> Found:
    count = int(match["count"])
    found = "no start event" if count == 0 else f"{count} start events"
    return raised.about(f"{what(raised.element)} has {found}; a sub-process needs exactly one")


def _no_end(raised: Raised, _: re.Match[str]) -> Found:
    return raised.about(f"{what(raised.element)} has no end event: a sub-process needs one")


def _no_start(raised: Raised, _: re.Match[str]) -> Found:
    return raised.about(
        f"{what(raised.element)} has no start event: a process needs one where it begins"
    )


def _cancel(raised: Raised, _: re.Match[str]) -> Found:
    host = raised.element.get("id", "") if raised.element is not None else ""
    event = first(
        raised.tree,
        "//bpmn:boundaryEvent[@attachedToRef=$host][bpmn:cancelEventDefinition]",
        host=host,
    )
    return raised.about(
        f"{what(event)} on {what(raised.element)} is a cancel event, which works only on a "
        "transaction sub-process: use an error or message boundary event",
        event,
    )


def _ad_hoc(raised: Raised, _: re.Match[str]) -> Found:
    return raised.about(
        f"{what(raised.element)} is an ad hoc sub-process with a start or end event: its tasks "
        "start on their own, so remove the events"
    )


def _duplicate_process(raised: Raised, match: re.Match[str]) -> Found:
    ident = match["id"]
    others = [
        name
        for name, tree in raised.trees.items()
        if tree is not raised.tree and by_id(tree, ident) is not None
    ]
    where = f" in {', '.join(others)}" if others else " in another file deployed with it"
    return raised.about(
        f"{what(raised.element)}: the id '{ident}' is also the id of a process or sub-process"
        f"{where}; ids of processes and sub-processes must be unique across the files "
        "deployed together"
    )


# --------------------------------------------------------------------------------------------
# Tasks: service operators, extension attributes, timers, loops, data
# --------------------------------------------------------------------------------------------


def _no_operator(raised: Raised, _: re.Match[str]) -> Found:
    known = ", ".join(sorted(raised.services)) or "none"
    return raised.about(
        f"{what(raised.element)} names no operation: add a spiffworkflow:serviceTaskOperator "
        f"whose id is the function to call ({known})"
    )


def _missing_attribute(raised: Raised, match: re.Match[str]) -> Found:
    name, element = match["name"], raised.element
    for child in element.iter() if element is not None else ():
        if not isinstance(child.tag, str) or child.get(name) is not None:
            continue
        local = etree.QName(child).localname
        advice = _ATTRIBUTES.get((local, name))
        if etree.QName(child).namespace == NS["spiffworkflow"] and advice:
            if (local, name) in _LINTED:
                return raised.about("")  # lint's own checks say it, at the element's line
            return raised.about(
                f"{what(element)}: spiffworkflow:{local} on line {line_of(child)} has no {name} "
                f"attribute: {advice}"
            )
    return raised.about(
        f"{what(element)}: one of its spiffworkflow elements has no {name} attribute"
    )


def _timer(raised: Raised, match: re.Match[str]) -> Found:
    detail = (match["detail"] or "").strip(" .")
    if not detail or detail.startswith("Unknown Time Specification"):
        return raised.about(
            f"{what(raised.element)} has a timer without a time: give it a duration "
            "(timeDuration, e.g. 'P7D'), a date (timeDate) or a cycle (timeCycle)"
        )
    return raised.about(f"{what(raised.element)}: its timer cannot be read ({plain(detail)})")


def _loop(raised: Raised, _: re.Match[str]) -> Found:
    return raised.about(
        f"{what(raised.element)} loops without a limit: give its loop a loopMaximum or a "
        "loopCondition"
    )


def _multi_instance(raised: Raised, match: re.Match[str]) -> Found:
    if match["both"]:
        return raised.about(
            f"{what(raised.element)} is multi-instance with both a loopCardinality and a "
            "loopDataInputRef: keep one"
        )
    return raised.about(
        f"{what(raised.element)} is multi-instance without saying how many times: give it a "
        "loopCardinality or a loopDataInputRef"
    )


def _loop_reference(raised: Raised, match: re.Match[str]) -> Found:
    return raised.about(
        f"{what(raised.element)}: its multi-instance loop {match['which']} names data its "
        "ioSpecification does not declare"
    )


def _data_association(raised: Raised, match: re.Match[str]) -> Found:
    verb, end = ("reads", "sourceRef") if match["which"] == "Input" else ("writes", "targetRef")
    element = raised.element
    refs = (
        element.iterfind(f"bpmn:data{match['which']}Association/bpmn:{end}", NS)
        if (element is not None)
        else ()
    )
    names = [r.text or "" for r in refs if by_id(raised.tree, r.text) is None]
    named = f" '{names[0]}'" if names else ""
    return raised.about(
        f"{what(element)} {verb} the data reference{named}, which this process does not define: "
        "add the data object (or data store) reference, or remove the association"
    )


# --------------------------------------------------------------------------------------------
# Definitions: messages, signals, errors, escalations, correlations, data stores
# --------------------------------------------------------------------------------------------


def _no_identifier(raised: Raised, match: re.Match[str]) -> Found:
    tag = match["tag"].lower()
    element = first(raised.tree, f"//bpmn:{tag}[not(@id)]")
    name = element.get("name") if element is not None else None
    called = f" '{name}'" if name else ""
    return raised.about(
        f"bpmn:{tag}{called} has no id: give it one (events refer to {_a(tag)} by its id)",
        element,
    )


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _correlation(raised: Raised, match: re.Match[str]) -> Found:
    ident = match["id"]
    return raised.about(
        f"correlation property '{ident}' needs a correlationPropertyRetrievalExpression with a "
        "messageRef for each message it correlates",
        by_id(raised.tree, ident),
    )


def _data_store(raised: Raised, match: re.Match[str]) -> Found:
    name = match["name"]
    element = (
        first(raised.tree, "//bpmn:dataStore[@name=$name]", name=name)
        if name
        else first(raised.tree, "//bpmn:dataStore")
    )
    return raised.about(
        f"data store{f' {name!r}' if name else ''}: bpmn-sales provides no data stores; keep the "
        "data in the task data or on the deal",
        element,
    )


RULES: tuple[tuple[re.Pattern[str], Rule], ...] = (
    (re.compile(r"Unsupported Catch Event"), _no_definition),
    (
        re.compile(
            r"Expected an? (?P<kind>Message|Signal|Error|Escalation) node|"
            r"raise_validation_exception\(\) got an unexpected keyword argument 'node'"
        ),
        _dangling_event_ref,
    ),
    (re.compile(r"When looking for a task spec.*\((?P<target>[^)]*)\)$", re.S), _missing_target),
    (re.compile(r'No DMN Diagram available with id "(?P<id>[^"]*)"'), _decision_table),
    (
        re.compile(
            r"The process '(?P<process>[^']*)' was not found\. "
            r"Did you mean one of the following: (?P<known>.*)\?$"
        ),
        _process_not_found,
    ),
    (re.compile(r"^Process (?P<process>\S+) is not executable"), _not_executable),
    (re.compile(r'No "calledElement" attribute'), _no_called_element),
    (re.compile(r"There is no support implemented for this task type"), _unsupported),
    (re.compile(r"Multiple outgoing flows are not supported"), _many_outgoing),
    (re.compile(r"Non-default exclusive outgoing sequence flow without condition"), _no_condition),
    (re.compile(r"Exactly one start event is required .*found (?P<count>\d+)"), _start_events),
    (re.compile(r"A SubWorkflow Must contain an End event"), _no_end),
    (re.compile(r"^No start event found"), _no_start),
    (re.compile(r"Cancel Events may only be used with transactions"), _cancel),
    (re.compile(r"Ad hoc subprocesses may not contain start or end events"), _ad_hoc),
    (re.compile(r"^Duplicate process ID: (?P<id>\S+)"), _duplicate_process),
    (re.compile(r"A Service Task must have an operator"), _no_operator),
    (re.compile(r"^KeyError: '(?P<name>\w+)'$"), _missing_attribute),
    (
        re.compile(
            r"(?:Time Specification Error\.?|^Unknown Time Specification)(?P<detail>.*)", re.S
        ),
        _timer,
    ),
    (re.compile(r"A loopMaximum or loopCondition must be specified"), _loop),
    (re.compile(r"A multiinstance task must specify (?P<both>exactly one of )?"), _multi_instance),
    (re.compile(r"The loop (?P<which>input|output) data reference is missing"), _loop_reference),
    (re.compile(r"Cannot resolve data(?P<which>Input|Output)Association"), _data_association),
    (
        re.compile(r"^(?P<tag>Message|Signal|Error|Escalation|Correlation) identifier is missing"),
        _no_identifier,
    ),
    (
        re.compile(
            r"(?:missing correlation property retrieval expressions|Message identifier is "
            r"missing from correlation property): (?P<id>\S+)"
        ),
        _correlation,
    ),
    (
        re.compile(
            r"^Data Store (?:with name (?P<name>\S+) has no implementation|"
            r"(?:identifier|name) is missing)"
        ),
        _data_store,
    ),
)


def plain(text: str) -> str:
    """A message without XML dumps, byte strings or format marks, at most 200 characters."""
    text = re.sub(r",?\s*b'<.*", "", text, flags=re.S)
    text = re.sub(r"<[^>]{40,}>", "(XML)", text)
    text = text.replace("%r", "").strip(" ,:'\"")
    return text if len(text) <= 200 else text[:197] + "..."
