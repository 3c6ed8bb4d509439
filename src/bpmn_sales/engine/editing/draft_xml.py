"""What the modeler's XML defines, read with the safe parser before a draft is stored."""

from __future__ import annotations

from bpmn_sales.engine.diagrams.problems import BPMN, NS
from bpmn_sales.engine.diagrams.xml import parse_xml
from bpmn_sales.errors import DiagramError
from bpmn_sales.i18n import _


def process_ids(data: bytes, filename: str) -> list[str]:
    """The ids of the processes in a BPMN file; refuses malformed XML, DOCTYPEs, non-BPMN."""
    root = parse_xml(data, filename).getroot()
    tag = str(root.tag)
    if tag != BPMN + "definitions":
        raise DiagramError(
            _(
                "the root element is <%(tag)s>, not <bpmn:definitions> (%(namespace)s)",
                tag=tag,
                namespace=NS["bpmn"],
            ),
            file=filename,
            line=root.sourceline if isinstance(root.sourceline, int) else None,
        )
    return [p.get("id", "") for p in root.iterchildren(BPMN + "process")]
