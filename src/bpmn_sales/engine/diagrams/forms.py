"""The JSON form files user tasks name (formJsonSchemaFilename, formUiSchemaFilename).

They are deployed with the diagrams: each reference must name a file given alongside, holding
JSON, and a form schema must be a valid JSON Schema of an object (`domain.forms`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from bpmn_sales.domain.forms import schema_problem, ui_schema_problem
from bpmn_sales.engine.diagrams.problems import NS, Problem, line_of
from bpmn_sales.engine.diagrams.xml import parse_xml
from bpmn_sales.errors import DiagramError
from bpmn_sales.i18n import _

FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")
_XPATH = (
    "//bpmn:userTask/bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
    "[@name='formJsonSchemaFilename' or @name='formUiSchemaFilename']"
)


@dataclass(frozen=True)
class FormRef:
    element_id: str
    prop: str
    filename: str
    line: int | None


def is_form_file(name: str) -> bool:
    return name.lower().endswith(".json")


def base_name(name: str) -> str:
    """A file's name without its folder (lint keys files by the path as given)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def references(tree: etree._ElementTree) -> list[FormRef]:
    found = []
    for node in tree.xpath(_XPATH, namespaces=NS):
        assert isinstance(node, etree._Element)
        task = node.xpath("ancestor::bpmn:userTask[1]", namespaces=NS)
        element_id = task[0].get("id", "") if task and isinstance(task[0], etree._Element) else ""
        value = (node.get("value") or "").strip()
        if value:
            found.append(FormRef(element_id, node.get("name", ""), value, line_of(node)))
    return found


def referenced_files(data: bytes, filename: str) -> set[str]:
    """The form files a diagram's user tasks name (none when the file is not a diagram)."""
    try:
        tree = parse_xml(data, filename)
    except DiagramError:
        return set()
    return {ref.filename for ref in references(tree)}


def _parse(ref: FormRef, forms: Mapping[str, bytes]) -> tuple[Any, str | None]:
    data = forms.get(ref.filename)
    if data is None:
        return (
            None,
            _(
                "form file '%(file)s' (%(property)s) is missing: deploy it with the diagram",
                file=ref.filename,
                property=ref.prop,
            ),
        )
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, _(
            "form file '%(file)s' (%(property)s) is not JSON: %(error)s",
            file=ref.filename,
            property=ref.prop,
            error=exc,
        )
    except RecursionError:
        return None, _(
            "form file '%(file)s' (%(property)s) is nested too deeply",
            file=ref.filename,
            property=ref.prop,
        )
    try:
        problem = (
            schema_problem(parsed) if ref.prop == FORM_PROPERTIES[0] else ui_schema_problem(parsed)
        )
    except RecursionError:
        problem = _("it is nested too deeply")
    if problem is not None:
        return None, _(
            "form file '%(file)s' (%(property)s): %(problem)s",
            file=ref.filename,
            property=ref.prop,
            problem=problem,
        )
    return parsed, None


def form_problems(
    tree: etree._ElementTree, filename: str, forms: Mapping[str, bytes], used: dict[str, Any]
) -> Iterator[Problem]:
    """Check each form a user task names; put the parsed good ones in `used` by file name."""
    for ref in references(tree):
        parsed, problem = _parse(ref, forms)
        if problem is not None:
            yield Problem(filename, problem, ref.element_id, ref.line, code="form")
        else:
            used[ref.filename] = parsed
