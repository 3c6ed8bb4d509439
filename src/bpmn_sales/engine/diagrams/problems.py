"""Where a diagram problem is: the BPMN namespaces, the element kinds, and `Problem` itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
BPMN = "{" + NS["bpmn"] + "}"
BPMNDI = "{" + NS["bpmndi"] + "}"
PROPERTY_XPATH = "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"

SUBPROCESS_TAGS = ("subProcess", "transaction", "adHocSubProcess")
FLOW_NODE_TAGS = (
    "task",
    "userTask",
    "serviceTask",
    "scriptTask",
    "manualTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "callActivity",
    *SUBPROCESS_TAGS,
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "complexGateway",
)


@dataclass(frozen=True)
class Problem:
    """One lint finding, located by file, element id and line."""

    file: str
    message: str
    element_id: str | None = None
    line: int | None = None
    severity: str = "error"
    code: str = "diagram_error"

    def __str__(self) -> str:
        """`file:line: element-id: severity: message`, with `-` for an unknown line or element."""
        return (
            f"{self.file}:{self.line or '-'}: {self.element_id or '-'}: "
            f"{self.severity}: {self.message}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "element_id": self.element_id,
            "line": self.line,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


def line_of(node: etree._Element) -> int | None:
    return node.sourceline if isinstance(node.sourceline, int) else None


# Which errors to fix first: a problem of a later rank is often a side effect of an earlier one
# (a misspelt `stage_win_rate` also makes the win rates look mixed; a flow from a deleted
# element leaves the rest unreachable).
_RANKS = {
    "xml": 0,
    "no_process": 0,
    "schema": 1,
    "dangling_reference": 1,
    "unknown_property": 2,
    "duplicate_property": 2,
    "property": 2,
    "unsafe_expression": 2,
    "unknown_operation": 2,
    "form": 2,
    "mixed_win_rates": 4,
    "unreachable": 4,
}


def ranked(problems: list[Problem]) -> list[Problem]:
    """Errors before warnings; among them causes before likely side effects, then by place."""
    return sorted(
        problems,
        key=lambda p: (p.severity != "error", _RANKS.get(p.code, 3), p.file, p.line or 0),
    )
