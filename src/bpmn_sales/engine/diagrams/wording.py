"""How problems name diagram elements: by kind and label, found by id or by line."""

from __future__ import annotations

import re

from lxml import etree

from bpmn_sales.engine.diagrams.problems import NS, SUBPROCESS_TAGS, line_of

_QUALIFIED = re.compile(r"\{(?P<ns>[^}]*)\}(?P<name>\w+)")
_PREFIXES = {uri: prefix for prefix, uri in NS.items()}
_STAGE_ORDER = (
    "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='stage_order']"
)


def words(tag: str) -> str:
    """'intermediateCatchEvent' -> 'intermediate catch event'; 'subProcess' -> 'sub-process'."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", tag).lower().replace("sub process", "sub-process")


def what(element: etree._Element | None) -> str:
    """An element as a designer reads it: its kind and label ("boundary event 'Close early'")."""
    if element is None:
        return "an element"
    tag = etree.QName(element).localname
    kind = words(tag)
    if tag in SUBPROCESS_TAGS and element.xpath(_STAGE_ORDER, namespaces=NS):
        kind = "stage"
    label = " ".join((element.get("name") or "").split())
    return f"{kind} '{label}'" if label else f"{kind} {element.get('id') or '(without id)'}"


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
    inside = f" (inside {what(about)})" if about is not None and subject is None else ""
    duplicate = _DUPLICATE_ID.search(text)
    if duplicate:
        ident = duplicate["id"]
        others = [
            str(line_of(e))
            for e in (tree.getroot().iter() if tree is not None else ())
            if isinstance(e.tag, str) and e.get("id") == ident and line_of(e) != line
        ]
        also = f" on line {', '.join(others)}" if others else ""
        return (
            f"{subject or 'an element'}: the id '{ident}' is also the id of another element"
            f"{also}: ids must be unique"
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
    if element and "This element is not expected" in text:
        where = f"; expected here: {listed}" if names else ""
        return f"{named}{inside} is not allowed here by the BPMN 2.0 schema{where}"
    if element and "Missing child element" in text:
        return f"{named}{inside} is missing a child element, one of: {listed}"
    return f"BPMN 2.0 schema{inside}: {text}"
