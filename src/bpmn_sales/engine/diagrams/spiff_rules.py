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
from bpmn_sales.engine.diagrams.wording import DEFINITIONS, by_id, first, what, words
from bpmn_sales.i18n import _, lazy_gettext, ngettext

# Which spiffworkflow elements need which attribute, and what to write.
_ATTRIBUTES = {
    ("parameter", "type"): lazy_gettext('write type="any"'),
    ("parameter", "id"): lazy_gettext("give the parameter's name as its id"),
    ("serviceTaskOperator", "id"): lazy_gettext("give the name of the function to call as its id"),
    ("property", "name"): lazy_gettext("give the property its name"),
    ("property", "value"): lazy_gettext("give the property a value"),
    ("taskMetadataValue", "name"): lazy_gettext("give it a name"),
    ("unitTest", "id"): lazy_gettext("give it an id"),
}
# How one definition events refer to by id is named.
_ONE_OF = {
    "message": lazy_gettext("a message"),
    "signal": lazy_gettext("a signal"),
    "error": lazy_gettext("an error"),
    "escalation": lazy_gettext("an escalation"),
    "correlation": lazy_gettext("a correlation"),
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


def _no_definition(raised: Raised, _match: re.Match[str]) -> Found:
    return raised.about(
        _(
            "%(element)s has no event definition, so it catches nothing: give it a message, "
            "timer, signal, error or escalation definition, or delete it",
            element=what(raised.element),
        )
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
                _(
                    "%(element)s refers to %(kind)s '%(ref)s', which this diagram does not "
                    "define (%(kinds)s: %(known)s): add a bpmn:%(tag)s with that id",
                    element=what(element),
                    kind=words(name),
                    ref=ref,
                    kinds=DEFINITIONS[name],
                    known=_ids(raised.tree, name),
                    tag=name,
                )
            )
    return None


def _ids(tree: etree._ElementTree | None, tag: str) -> str:
    found = [e.get("id", "") for e in tree.getroot().iterfind(f"bpmn:{tag}", NS)] if tree else []
    return ", ".join(f for f in found if f) or _("none")


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
        _(
            "%(flow)s from %(source)s leads to '%(target)s', which is not an element beside it "
            "(deleted, renamed, or inside another sub-process): point the flow at an element of "
            "the same process or sub-process",
            flow=what(flow),
            source=what(raised.element),
            target=target,
        ),
        flow,
    )


def _decision_table(raised: Raised, match: re.Match[str]) -> Found:
    named = match["id"]
    if named in ("None", ""):
        return raised.about(
            _(
                "%(element)s calls no decision table: bpmn-sales runs no DMN decision tables; "
                "decide with an exclusive gateway's conditions, or compute the value in a script "
                "task",
                element=what(raised.element),
            )
        )
    return raised.about(
        _(
            "%(element)s calls the decision table '%(table)s': bpmn-sales runs no DMN decision "
            "tables; decide with an exclusive gateway's conditions, or compute the value in a "
            "script task",
            element=what(raised.element),
            table=named,
        )
    )


def _calling(raised: Raised, called: str) -> etree._Element | None:
    return first(raised.tree, "//bpmn:callActivity[@calledElement=$called]", called=called)


def _process_not_found(raised: Raised, match: re.Match[str]) -> Found:
    call = _calling(raised, match["process"])
    return raised.about(
        _(
            "%(element)s calls process '%(process)s', which is not in the files deployed "
            "together (processes: %(known)s): deploy its diagram with this one, or fix "
            "calledElement",
            element=what(call),
            process=match["process"],
            known=match["known"],
        ),
        call,
    )


def _not_executable(raised: Raised, match: re.Match[str]) -> Found:
    call = _calling(raised, match["process"])
    return raised.about(
        _(
            "%(element)s calls process '%(process)s', which is not executable: set "
            'isExecutable="true" on it (the "Executable" switch of the process in a modeler)',
            element=what(call),
            process=match["process"],
        ),
        call,
    )


def _no_called_element(raised: Raised, _match: re.Match[str]) -> Found:
    return raised.about(
        _(
            "%(element)s names no process to call: set calledElement to a process id",
            element=what(raised.element),
        )
    )


# --------------------------------------------------------------------------------------------
# Flow and structure
# --------------------------------------------------------------------------------------------


def _unsupported(raised: Raised, _match: re.Match[str]) -> Found:
    tag = etree.QName(raised.element).localname if raised.element is not None else "element"
    if tag.endswith("Gateway"):
        return raised.about(
            _(
                "%(element)s: the engine cannot run a %(kind)s; use an exclusive, inclusive, "
                "parallel or event-based gateway",
                element=what(raised.element),
                kind=words(tag),
            )
        )
    return raised.about(
        _(
            "%(element)s: the engine cannot run a %(kind)s; use a user, service, script or "
            "manual task, a sub-process or an event",
            element=what(raised.element),
            kind=words(tag),
        )
    )


def _many_outgoing(raised: Raised, _match: re.Match[str]) -> Found:
    count = len(raised.element.findall("bpmn:outgoing", NS)) if raised.element is not None else 0
    if count > 1:
        return raised.about(
            ngettext(
                "%(element)s has %(num)s outgoing sequence flow; a task may have only one: put a "
                "parallel gateway after it to run paths side by side, or an exclusive gateway to "
                "choose one",
                "%(element)s has %(num)s outgoing sequence flows; a task may have only one: put a "
                "parallel gateway after it to run paths side by side, or an exclusive gateway to "
                "choose one",
                count,
                element=what(raised.element),
            )
        )
    return raised.about(
        _(
            "%(element)s has several outgoing sequence flows; a task may have only one: put a "
            "parallel gateway after it to run paths side by side, or an exclusive gateway to "
            "choose one",
            element=what(raised.element),
        )
    )


def _no_condition(raised: Raised, _match: re.Match[str]) -> Found:
    flow = raised.element
    gateway = by_id(raised.tree, flow.get("sourceRef")) if flow is not None else None
    return raised.about(
        _(
            "%(flow)s leaves %(gateway)s without a condition: give it a condition, or make it "
            "the gateway's default flow",
            flow=what(flow),
            gateway=what(gateway),
        )
    )


def _start_events(raised: Raised, match: re.Match[str]) -> Found:
    count = int(match["count"])
    if count == 0:
        return raised.about(
            _(
                "%(element)s has no start event; a sub-process needs exactly one",
                element=what(raised.element),
            )
        )
    return raised.about(
        ngettext(
            "%(element)s has %(num)s start event; a sub-process needs exactly one",
            "%(element)s has %(num)s start events; a sub-process needs exactly one",
            count,
            element=what(raised.element),
        )
    )


def _no_end(raised: Raised, _match: re.Match[str]) -> Found:
    return raised.about(
        _("%(element)s has no end event: a sub-process needs one", element=what(raised.element))
    )


def _no_start(raised: Raised, _match: re.Match[str]) -> Found:
    return raised.about(
        _(
            "%(element)s has no start event: a process needs one where it begins",
            element=what(raised.element),
        )
    )


def _cancel(raised: Raised, _match: re.Match[str]) -> Found:
    host = raised.element.get("id", "") if raised.element is not None else ""
    event = first(
        raised.tree,
        "//bpmn:boundaryEvent[@attachedToRef=$host][bpmn:cancelEventDefinition]",
        host=host,
    )
    return raised.about(
        _(
            "%(event)s on %(element)s is a cancel event, which works only on a transaction "
            "sub-process: use an error or message boundary event",
            event=what(event),
            element=what(raised.element),
        ),
        event,
    )


def _ad_hoc(raised: Raised, _match: re.Match[str]) -> Found:
    return raised.about(
        _(
            "%(element)s is an ad hoc sub-process with a start or end event: its tasks start on "
            "their own, so remove the events",
            element=what(raised.element),
        )
    )


def _duplicate_process(raised: Raised, match: re.Match[str]) -> Found:
    ident = match["id"]
    others = [
        name
        for name, tree in raised.trees.items()
        if tree is not raised.tree and by_id(tree, ident) is not None
    ]
    if others:
        return raised.about(
            _(
                "%(element)s: the id '%(id)s' is also the id of a process or sub-process in "
                "%(files)s; ids of processes and sub-processes must be unique across the files "
                "deployed together",
                element=what(raised.element),
                id=ident,
                files=", ".join(others),
            )
        )
    return raised.about(
        _(
            "%(element)s: the id '%(id)s' is also the id of a process or sub-process in another "
            "file deployed with it; ids of processes and sub-processes must be unique across the "
            "files deployed together",
            element=what(raised.element),
            id=ident,
        )
    )


# --------------------------------------------------------------------------------------------
# Tasks: service operators, extension attributes, timers, loops, data
# --------------------------------------------------------------------------------------------


def _no_operator(raised: Raised, _match: re.Match[str]) -> Found:
    known = ", ".join(sorted(raised.services)) or _("none")
    return raised.about(
        _(
            "%(element)s names no operation: add a spiffworkflow:serviceTaskOperator whose id is "
            "the function to call (%(known)s)",
            element=what(raised.element),
            known=known,
        )
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
                _(
                    "%(element)s: spiffworkflow:%(tag)s on line %(line)s has no %(attribute)s "
                    "attribute: %(advice)s",
                    element=what(element),
                    tag=local,
                    line=line_of(child),
                    attribute=name,
                    advice=advice,
                )
            )
    return raised.about(
        _(
            "%(element)s: one of its spiffworkflow elements has no %(attribute)s attribute",
            element=what(element),
            attribute=name,
        )
    )


def _timer(raised: Raised, match: re.Match[str]) -> Found:
    detail = (match["detail"] or "").strip(" .")
    if not detail or detail.startswith("Unknown Time Specification"):
        return raised.about(
            _(
                "%(element)s has a timer without a time: give it a duration (timeDuration, e.g. "
                "'P7D'), a date (timeDate) or a cycle (timeCycle)",
                element=what(raised.element),
            )
        )
    return raised.about(
        _(
            "%(element)s: its timer cannot be read (%(detail)s)",
            element=what(raised.element),
            detail=plain(detail),
        )
    )


def _loop(raised: Raised, _match: re.Match[str]) -> Found:
    return raised.about(
        _(
            "%(element)s loops without a limit: give its loop a loopMaximum or a loopCondition",
            element=what(raised.element),
        )
    )


def _multi_instance(raised: Raised, match: re.Match[str]) -> Found:
    if match["both"]:
        return raised.about(
            _(
                "%(element)s is multi-instance with both a loopCardinality and a "
                "loopDataInputRef: keep one",
                element=what(raised.element),
            )
        )
    return raised.about(
        _(
            "%(element)s is multi-instance without saying how many times: give it a "
            "loopCardinality or a loopDataInputRef",
            element=what(raised.element),
        )
    )


def _loop_reference(raised: Raised, match: re.Match[str]) -> Found:
    if match["which"] == "input":
        return raised.about(
            _(
                "%(element)s: its multi-instance loop input names data its ioSpecification does "
                "not declare",
                element=what(raised.element),
            )
        )
    return raised.about(
        _(
            "%(element)s: its multi-instance loop output names data its ioSpecification does not "
            "declare",
            element=what(raised.element),
        )
    )


def _data_association(raised: Raised, match: re.Match[str]) -> Found:
    reads = match["which"] == "Input"
    end = "sourceRef" if reads else "targetRef"
    element = raised.element
    refs = (
        element.iterfind(f"bpmn:data{match['which']}Association/bpmn:{end}", NS)
        if (element is not None)
        else ()
    )
    names = [r.text or "" for r in refs if by_id(raised.tree, r.text) is None]
    named = names[0] if names else "?"
    if reads:
        return raised.about(
            _(
                "%(element)s reads the data reference '%(name)s', which this process does not "
                "define: add the data object (or data store) reference, or remove the association",
                element=what(element),
                name=named,
            )
        )
    return raised.about(
        _(
            "%(element)s writes the data reference '%(name)s', which this process does not "
            "define: add the data object (or data store) reference, or remove the association",
            element=what(element),
            name=named,
        )
    )


# --------------------------------------------------------------------------------------------
# Definitions: messages, signals, errors, escalations, correlations, data stores
# --------------------------------------------------------------------------------------------


def _no_identifier(raised: Raised, match: re.Match[str]) -> Found:
    tag = match["tag"].lower()
    element = first(raised.tree, f"//bpmn:{tag}[not(@id)]")
    name = element.get("name") if element is not None else None
    if name:
        return raised.about(
            _(
                "bpmn:%(tag)s '%(name)s' has no id: give it one (events refer to %(one)s by its "
                "id)",
                tag=tag,
                name=name,
                one=_ONE_OF.get(tag, tag),
            ),
            element,
        )
    return raised.about(
        _(
            "bpmn:%(tag)s has no id: give it one (events refer to %(one)s by its id)",
            tag=tag,
            one=_ONE_OF.get(tag, tag),
        ),
        element,
    )


def _correlation(raised: Raised, match: re.Match[str]) -> Found:
    ident = match["id"]
    return raised.about(
        _(
            "correlation property '%(id)s' needs a correlationPropertyRetrievalExpression with a "
            "messageRef for each message it correlates",
            id=ident,
        ),
        by_id(raised.tree, ident),
    )


def _data_store(raised: Raised, match: re.Match[str]) -> Found:
    name = match["name"]
    element = (
        first(raised.tree, "//bpmn:dataStore[@name=$name]", name=name)
        if name
        else first(raised.tree, "//bpmn:dataStore")
    )
    if name:
        return raised.about(
            _(
                "data store '%(name)s': bpmn-sales provides no data stores; keep the data in the "
                "task data or on the deal",
                name=name,
            ),
            element,
        )
    return raised.about(
        _(
            "data store: bpmn-sales provides no data stores; keep the data in the task data or "
            "on the deal"
        ),
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
