"""Parse diagram XML safely: no DTDs, no entity expansion, no network."""

from __future__ import annotations

import re

from lxml import etree

from bpmn_sales.errors import DiagramError

MAX_DIAGRAM_BYTES = 5 * 1024 * 1024
# Refused before parsing, so an entity bomb never reaches the parser at all.
DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(data: bytes, filename: str) -> etree._ElementTree:
    """Parse `data` as XML, refusing DOCTYPEs (XXE, billion laughs) and oversized input."""
    if len(data) > MAX_DIAGRAM_BYTES:
        raise DiagramError(f"diagram is larger than {MAX_DIAGRAM_BYTES} bytes", file=filename)
    doctype = DOCTYPE.search(data)
    if doctype is not None:
        raise DiagramError(
            "DOCTYPE declarations (and so entities) are not allowed in diagrams",
            file=filename,
            line=data[: doctype.start()].count(b"\n") + 1,
        )
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise DiagramError(f"malformed XML: {exc.msg}", file=filename, line=line) from None
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise DiagramError(
            "DOCTYPE declarations (and so entities) are not allowed in diagrams",
            file=filename,
            line=1,
        )
    return tree


def element_line(tree: etree._ElementTree, element_id: str) -> int | None:
    """Return the source line of the element with this id, if there is one."""
    found = tree.xpath("//*[@id=$id]", id=element_id)
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        line = found[0].sourceline
        return line if isinstance(line, int) else None
    return None
