"""Parse diagram XML safely: no DTDs, no entity expansion, no network."""

from __future__ import annotations

import codecs
import re

from lxml import etree

from bpmn_sales.errors import DiagramError
from bpmn_sales.i18n import _

MAX_DIAGRAM_BYTES = 5 * 1024 * 1024
# Refused before parsing, so an entity bomb never reaches the parser at all. Searched in the
# text the bytes stand for: in UTF-16 "<!DOCTYPE" has a zero byte between its letters.
DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
BOMS = (  # UTF-32 first: its little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
UNMARKED = ((b"<\0?\0", "utf-16-le"), (b"\0<\0?", "utf-16-be"))  # UTF-16 without a mark
DECLARED = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")


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
        raise DiagramError(
            _("diagram is larger than %(most)s bytes", most=MAX_DIAGRAM_BYTES), file=filename
        )
    text = _text(data, filename)
    doctype = DOCTYPE.search(text)
    if doctype is not None:
        raise DiagramError(
            _("DOCTYPE declarations (and so entities) are not allowed in diagrams"),
            file=filename,
            line=text[: doctype.start()].count("\n") + 1,
        )
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise DiagramError(
            _("malformed XML: %(error)s", error=exc.msg), file=filename, line=line
        ) from None
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise DiagramError(
            _("DOCTYPE declarations (and so entities) are not allowed in diagrams"),
            file=filename,
            line=1,
        )
    return tree


def _text(data: bytes, filename: str) -> str:
    """The characters the bytes stand for, by their byte-order mark or declared encoding."""
    codec = next((c for mark, c in BOMS if data.startswith(mark)), None)
    codec = codec or next((c for start, c in UNMARKED if data.startswith(start)), None)
    if codec is None:
        declared = DECLARED.match(data)
        codec = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return data.decode(codec, errors="replace")
    except LookupError:
        message = _("unknown encoding %(codec)r in the XML declaration", codec=codec)
        raise DiagramError(message, file=filename) from None


def element_line(tree: etree._ElementTree, element_id: str) -> int | None:
    """Return the source line of the element with this id, if there is one."""
    found = tree.xpath("//*[@id=$id]", id=element_id)
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        line = found[0].sourceline
        return line if isinstance(line, int) else None
    return None
