"""Semantic equality of two BPMN files: same elements, attributes, text and DI, whatever the
namespace prefixes and declarations, attribute order, indentation, number spelling (`100` vs
`100.0`) or the order of elements that carry ids. Those are what a modeler may change on a
round trip without changing the diagram: bpmn-js writes the DI shapes of a plane in drawing
order, marks pools and lanes `isHorizontal="true"` and exclusive gateways
`isMarkerVisible="true"` (the way bpmn.io and Camunda Modeler draw them anyway)."""

from __future__ import annotations

import re

from lxml import etree

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
# Coordinates (dc:Bounds, di:waypoint) are numbers: 100 and 100.0 are the same point.
_GEOMETRY = ("{http://www.omg.org/spec/DD/20100524/DC}", "{http://www.omg.org/spec/DD/20100524/DI}")


def _attributes(element: etree._Element) -> dict[str, str]:
    found = {}
    for key, value in element.attrib.items():
        text = str(value)
        if str(element.tag).startswith(_GEOMETRY) and _NUMBER.match(text):
            text = str(float(text))
        found[str(key)] = text
    if str(element.tag) == _DI + "BPMNShape":
        for drawn in ("isHorizontal", "isMarkerVisible"):
            if found.get(drawn) == "true":
                del found[drawn]
    return found


def _children(element: etree._Element) -> tuple[dict[str, etree._Element], list[etree._Element]]:
    """Children with an id (order does not matter) and the others (in order)."""
    by_id: dict[str, etree._Element] = {}
    rest = []
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.get("id"):
            by_id[str(child.get("id"))] = child
        else:
            rest.append(child)
    return by_id, rest


def differences(before: bytes, after: bytes, limit: int = 10) -> list[str]:
    """Where `after` differs from `before` (empty when they are semantically equal)."""
    found: list[str] = []

    def walk(a: etree._Element, b: etree._Element, where: str) -> None:
        here = f"{where}/{etree.QName(a).localname}[{a.get('id') or a.get('name') or ''}]"
        if len(found) >= limit:
            return
        text_a, text_b = (a.text or "").strip(), (b.text or "").strip()
        if (a.tag, text_a) != (b.tag, text_b):
            found.append(f"{here}: {a.tag} {text_a!r} != {b.tag} {text_b!r}")
            return
        attrs_a, attrs_b = _attributes(a), _attributes(b)
        if attrs_a != attrs_b:
            gone = sorted(set(attrs_a.items()) - set(attrs_b.items()))
            new = sorted(set(attrs_b.items()) - set(attrs_a.items()))
            found.append(f"{here}: attributes {gone} became {new}")
        ids_a, rest_a = _children(a)
        ids_b, rest_b = _children(b)
        if set(ids_a) != set(ids_b):
            found.append(
                f"{here}: lost {sorted(set(ids_a) - set(ids_b))}, "
                f"gained {sorted(set(ids_b) - set(ids_a))}"
            )
        if len(rest_a) != len(rest_b):
            names = [etree.QName(c).localname for c in rest_a]
            other = [etree.QName(c).localname for c in rest_b]
            found.append(f"{here}: children {names} != {other}")
            return
        for key in sorted(set(ids_a) & set(ids_b)):
            walk(ids_a[key], ids_b[key], here)
        for x, y in zip(rest_a, rest_b, strict=True):
            walk(x, y, here)

    walk(etree.fromstring(before), etree.fromstring(after), "")
    return found
