"""How problems name diagram elements: by kind and label, found by id or by line."""

from __future__ import annotations

import re

from lxml import etree

from bpmn_sales.engine.diagrams.problems import NS, SUBPROCESS_TAGS, line_of
from bpmn_sales.i18n import _, lazy_gettext

_QUALIFIED = re.compile(r"\{(?P<ns>[^}]*)\}(?P<name>\w+)")
_PREFIXES = {uri: prefix for prefix, uri in NS.items()}
_STAGE_ORDER = (
    "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='stage_order']"
)


# The kinds of element a designer meets, in the designer's words of each language.
_KINDS = {
    "task": lazy_gettext("task"),
    "userTask": lazy_gettext("user task"),
    "serviceTask": lazy_gettext("service task"),
    "scriptTask": lazy_gettext("script task"),
    "manualTask": lazy_gettext("manual task"),
    "sendTask": lazy_gettext("send task"),
    "receiveTask": lazy_gettext("receive task"),
    "businessRuleTask": lazy_gettext("business rule task"),
    "callActivity": lazy_gettext("call activity"),
    "subProcess": lazy_gettext("sub-process"),
    "transaction": lazy_gettext("transaction"),
    "adHocSubProcess": lazy_gettext("ad hoc sub-process"),
    "startEvent": lazy_gettext("start event"),
    "endEvent": lazy_gettext("end event"),
    "intermediateCatchEvent": lazy_gettext("intermediate catch event"),
    "intermediateThrowEvent": lazy_gettext("intermediate throw event"),
    "boundaryEvent": lazy_gettext("boundary event"),
    "exclusiveGateway": lazy_gettext("exclusive gateway"),
    "parallelGateway": lazy_gettext("parallel gateway"),
    "inclusiveGateway": lazy_gettext("inclusive gateway"),
    "eventBasedGateway": lazy_gettext("event-based gateway"),
    "complexGateway": lazy_gettext("complex gateway"),
    "sequenceFlow": lazy_gettext("sequence flow"),
    "process": lazy_gettext("process"),
    "lane": lazy_gettext("lane"),
    "participant": lazy_gettext("pool"),
    "message": lazy_gettext("message"),
    "signal": lazy_gettext("signal"),
    "error": lazy_gettext("error"),
    "escalation": lazy_gettext("escalation"),
    "dataStore": lazy_gettext("data store"),
    "dataObject": lazy_gettext("data object"),
    "stage": lazy_gettext("stage"),
}

# The definitions events refer to by id, as a list of them is headed.
DEFINITIONS = {
    "message": lazy_gettext("messages"),
    "signal": lazy_gettext("signals"),
    "error": lazy_gettext("errors"),
    "escalation": lazy_gettext("escalations"),
}


def words(tag: str) -> str:
    """'intermediateCatchEvent' -> 'intermediate catch event' (in the language in force for the
    kinds a designer meets; other tags split into English words)."""
    if tag in _KINDS:
        return str(_KINDS[tag])
    return re.sub(r"(?<!^)(?=[A-Z])", " ", tag).lower().replace("sub process", "sub-process")


def what(element: etree._Element | None) -> str:
    """An element as a designer reads it: its kind and label ("boundary event 'Close early'")."""
    if element is None:
        return _("an element")
    tag = etree.QName(element).localname
    kind = words(tag)
    if tag in SUBPROCESS_TAGS and element.xpath(_STAGE_ORDER, namespaces=NS):
        kind = words("stage")
    label = " ".join((element.get("name") or "").split())
    if label:
        return _("%(kind)s '%(label)s'", kind=kind, label=label)
    if element.get("id"):
        return _("%(kind)s %(id)s", kind=kind, id=element.get("id"))
    return _("%(kind)s (without id)", kind=kind)


def by_id(tree: etree._ElementTree | None, element_id: str | None) -> etree._Element | None:
    """The BPMN element with this id, if there is one."""
    if tree is None or not element_id:
        return None
    return first(tree, "//bpmn:*[@id=$id]", id=element_id)


def first(tree: etree._ElementTree | None, xpath: str, **values: str) -> etree._Element | None:
    if tree is None:
        return None
    found = etree.XPath(xpath, namespaces=NS)(tree, **values)
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0]
    return None


def identified(element: etree._Element | None) -> etree._Element | None:
    """The element, or its nearest BPMN ancestor with an id (the one a designer can find)."""
    while element is not None:
        if etree.QName(element).namespace == NS["bpmn"] and element.get("id"):
            return element
        element = element.getparent()
    return None


def at_line(tree: etree._ElementTree | None, line: int | None) -> etree._Element | None:
    """The first element written on this line."""
    if tree is None or line is None:
        return None
    for element in tree.getroot().iter():
        if isinstance(element.tag, str) and element.sourceline == line:
            return element
    return None


def short_names(text: str) -> str:
    """'{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask' -> 'bpmn:userTask'."""
    return _QUALIFIED.sub(lambda m: f"{_PREFIXES.get(m['ns'], m['ns'])}:{m['name']}", text)


_DUPLICATE_ID = re.compile(
    r"attribute 'id': '(?P<id>[^']*)' is not a valid value of the atomic type 'xs:ID'"
)
_EXPECTED = re.compile(r"Expected is(?: one of)? \( (?P<names>.*?) \)")
_ELEMENT = re.compile(r"^Element '(?P<tag>[^']+)'")


def schema_sentence(
    message: str, tree: etree._ElementTree | None, line: int | None, about: etree._Element | None
) -> str:
    """An XML schema (XSD) error from lxml, in the diagram's prefixes and fewer words; `about`
    is the element written on that line (or the nearest one with an id around it)."""
    text = short_names(message).strip().rstrip(".")
    subject = what(about) if about is not None and line_of(about) == line else None
    around = what(about) if about is not None and subject is None else None
    duplicate = _DUPLICATE_ID.search(text)
    if duplicate:
        ident = duplicate["id"]
        others = [
            str(line_of(e))
            for e in (tree.getroot().iter() if tree is not None else ())
            if isinstance(e.tag, str) and e.get("id") == ident and line_of(e) != line
        ]
        if others:
            return _(
                "%(element)s: the id '%(id)s' is also the id of another element on line "
                "%(lines)s: ids must be unique",
                element=subject or _("an element"),
                id=ident,
                lines=", ".join(others),
            )
        return _(
            "%(element)s: the id '%(id)s' is also the id of another element: ids must be unique",
            element=subject or _("an element"),
            id=ident,
        )
    element = _ELEMENT.match(text)
    expected = _EXPECTED.search(text)
    names = [n for n in (expected["names"].split(", ") if expected else []) if n]
    listed = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
    named = (
        f"{subject} ({element['tag']})"
        if element and subject
        else (element["tag"] if element else "")
    )
    if around is not None:
        named = _("%(element)s (inside %(around)s)", element=named, around=around)
    if element and "This element is not expected" in text:
        if names:
            return _(
                "%(element)s is not allowed here by the BPMN 2.0 schema; expected here: "
                "%(expected)s",
                element=named,
                expected=listed,
            )
        return _("%(element)s is not allowed here by the BPMN 2.0 schema", element=named)
    if element and "Missing child element" in text:
        return _(
            "%(element)s is missing a child element, one of: %(expected)s",
            element=named,
            expected=listed,
        )
    if around is not None:
        return _("BPMN 2.0 schema (inside %(around)s): %(error)s", around=around, error=text)
    return _("BPMN 2.0 schema: %(error)s", error=text)
