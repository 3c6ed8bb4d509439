"""Diagram surgery for clones: give processes new ids (keys) and names, rewrite what names them.

A process id is named by `bpmn:process/@id`, a pool's `participant/@processRef`, a call
activity's `calledElement` and a layout plane's or shape's `bpmnElement`. The rewrite edits
those attribute values in the start tags of the text as uploaded, so every other byte of the
diagram stays as it was; the result is parsed again and checked, and only if that check fails
(an unusual way of writing the XML) is the tree rewritten and serialized instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import quoteattr

from lxml import etree

from bpmn_sales.engine.diagrams.problems import BPMN, BPMNDI
from bpmn_sales.engine.diagrams.xml import parse_xml
from bpmn_sales.errors import DiagramError
from bpmn_sales.i18n import _

# A process key: an XML id (NCName) that is also safe in a URL path and a file name.
PROCESS_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,99}$")
# Which attribute of which element names a process, and whether the element carries its name.
_REFERENCES = {
    "process": ("id", True),
    "participant": ("processRef", True),
    "callActivity": ("calledElement", False),
    "BPMNPlane": ("bpmnElement", False),
    "BPMNShape": ("bpmnElement", False),
    "BPMNEdge": ("bpmnElement", False),
}
_TAG = re.compile(
    rb"<(?P<prefix>[A-Za-z_][\w.-]*:)?(?P<local>"
    + b"|".join(name.encode() for name in _REFERENCES)
    + rb")(?=[\s/>])(?P<attrs>[^<>]*?)(?P<end>/?>)"
)


def _attribute(name: str) -> re.Pattern[bytes]:
    return re.compile(rb"(?P<lead>\s" + name.encode() + rb"\s*=\s*)(?P<q>[\"'])(?P<v>.*?)(?P=q)")


def process_ids(xml: bytes, filename: str) -> list[str]:
    """The ids of the processes a diagram file defines, in document order."""
    root = parse_xml(xml, filename).getroot()
    return [p.get("id", "") for p in root.iterchildren(BPMN + "process")]


def called_elements(xml: bytes, filename: str) -> dict[str, set[str]]:
    """For each process of the file, the process ids its call activities call."""
    root = parse_xml(xml, filename).getroot()
    calls: dict[str, set[str]] = {}
    for process in root.iterchildren(BPMN + "process"):
        found = {c.get("calledElement", "") for c in process.iter(BPMN + "callActivity")}
        calls[process.get("id", "")] = {c for c in found if c}
    return calls


def sub_key(new_key: str, old_key: str, old_sub: str) -> str:
    """The key a cloned sub-process gets: the clone's key in place of the template's key
    where the sub-process key starts with it (`sales_process_review` cloned as `field` ->
    `field_review`), else the clone's key, '_', and the old key (`field_review_quote`)."""
    if old_sub.startswith(old_key) and old_sub != old_key:
        return new_key + old_sub[len(old_key) :]
    return f"{new_key}_{old_sub}"


def rewrite(
    xml: bytes, filename: str, keys: Mapping[str, str], names: Mapping[str, str] | None = None
) -> bytes:
    """The diagram with process ids renamed by `keys` (old -> new) and, for the old ids in
    `names`, the process's (and its pool's) name set; everything else byte for byte."""
    names = dict(names or {})
    tree = parse_xml(xml, filename)
    if not keys and not names:
        return xml
    for new in keys.values():
        if not PROCESS_KEY.match(new):
            raise DiagramError(_("'%(key)s' is not a valid process key", key=new), file=filename)
    result = _rewrite_text(xml, keys, names)
    if not _rewritten_correctly(result, filename, tree, keys, names):
        result = _rewrite_tree(tree, keys, names)
    return result


def _set_attribute(attrs: bytes, name: str, value: str, add: bool) -> bytes:
    pattern = _attribute(name)
    found = pattern.search(attrs)
    if found is None:
        return attrs + f" {name}={quoteattr(value)}".encode() if add else attrs
    quoted = quoteattr(value).encode() if found["q"] == b'"' else _single(value)
    return attrs[: found.start()] + found["lead"] + quoted + attrs[found.end() :]


def _single(value: str) -> bytes:
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&apos;")
    return f"'{escaped}'".encode()


def _value(attrs: bytes, name: str) -> str | None:
    found = _attribute(name).search(attrs)
    return found["v"].decode("utf-8") if found else None


def _rewrite_text(xml: bytes, keys: Mapping[str, str], names: Mapping[str, str]) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        local = match["local"].decode()
        attribute, named = _REFERENCES[local]
        attrs = match["attrs"]
        old = _value(attrs, attribute)
        if old is None:
            return match[0]
        if old in keys:
            attrs = _set_attribute(attrs, attribute, keys[old], add=False)
        if named and old in names:
            attrs = _set_attribute(attrs, "name", names[old], add=local == "process")
        prefix = match["prefix"] or b""
        return b"<" + prefix + match["local"] + attrs + match["end"]

    return _TAG.sub(replace, xml)


def _references(root: etree._Element) -> Iterable[tuple[etree._Element, str, bool]]:
    for local, (attribute, named) in _REFERENCES.items():
        namespace = BPMNDI if local.startswith("BPMN") else BPMN
        for element in root.iter(namespace + local):
            yield element, attribute, named


def _rewrite_tree(
    tree: etree._ElementTree, keys: Mapping[str, str], names: Mapping[str, str]
) -> bytes:
    for element, attribute, named in _references(tree.getroot()):
        old = element.get(attribute)
        if old is None:
            continue
        if named and old in names:
            element.set("name", names[old])
        if old in keys:
            element.set(attribute, keys[old])
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def _rewritten_correctly(
    result: bytes,
    filename: str,
    before: etree._ElementTree,
    keys: Mapping[str, str],
    names: Mapping[str, str],
) -> bool:
    """Every reference renamed and named as the tree rewrite would have done, nothing else."""
    try:
        after = parse_xml(result, filename)
    except DiagramError:
        return False
    old = list(_references(before.getroot()))
    new = list(_references(after.getroot()))
    if len(old) != len(new):
        return False
    for (was, attribute, named), (now, _attribute, _named) in zip(old, new, strict=True):
        value = was.get(attribute)
        if value is None:
            continue
        if now.get(attribute) != keys.get(value, value):
            return False
        if named and value in names and now.get("name") != names[value]:
            return False
    return True
