"""The sales diff of two versions of a diagram: what a process designer changed, in their terms.

Stages (by stage key), activities and terminal events (by element id) are compared through the
rules the engine read from each compiled version (`ProcessRules`), so a property means here what
it means at run time. Every other BPMN element is compared by id on its attributes, its
`spiffworkflow` properties and its content (sequence-flow conditions, timer durations, ...);
references to flows (`incoming`/`outgoing`) follow from the flows and are left out. The layout
is summed up in one flag.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from bpmn_sales.domain.rules import ActivityRule, ProcessRules, StageRule, TerminalRule
from bpmn_sales.engine.diagrams.problems import BPMN, BPMNDI, NS
from bpmn_sales.engine.diagrams.xml import parse_xml

SPIFF_PROPERTY = "{" + NS["spiffworkflow"] + "}property"
_FLOW_REFS = {BPMN + "incoming", BPMN + "outgoing"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Change:
    """One thing added, removed, renamed, moved (stages) or changed."""

    kind: str
    key: str  # a stage key or an element id
    name: str
    where: str = ""  # an activity's stage, an element's BPMN type
    fields: tuple[FieldChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.name,
            "where": self.where,
            "fields": [f.to_dict() for f in self.fields],
        }


@dataclass(frozen=True)
class SalesDiff:
    process: tuple[FieldChange, ...] = ()
    stages: tuple[Change, ...] = ()
    activities: tuple[Change, ...] = ()
    terminals: tuple[Change, ...] = ()
    elements: tuple[Change, ...] = ()
    layout_changed: bool = False

    @property
    def empty(self) -> bool:
        parts = (self.process, self.stages, self.activities, self.terminals, self.elements)
        return not any(parts) and not self.layout_changed

    def to_dict(self) -> dict[str, Any]:
        return {
            "process": [f.to_dict() for f in self.process],
            "stages": [c.to_dict() for c in self.stages],
            "activities": [c.to_dict() for c in self.activities],
            "terminals": [c.to_dict() for c in self.terminals],
            "elements": [c.to_dict() for c in self.elements],
            "layout_changed": self.layout_changed,
            "empty": self.empty,
        }


def _fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name, old.get(name), new.get(name))
        for name in dict.fromkeys([*old, *new])
        if old.get(name) != new.get(name)
    )


def _compare(
    old: Mapping[str, tuple[str, str, dict[str, Any]]],
    new: Mapping[str, tuple[str, str, dict[str, Any]]],
    moved: Mapping[str, tuple[int, int]] | None = None,
    where_field: str | None = "type",
) -> tuple[Change, ...]:
    """Changes between two {key: (name, where, values)} maps, in the new map's order."""
    changes = []
    for key, (name, where, values) in new.items():
        if key not in old:
            shown = tuple(FieldChange(k, None, v) for k, v in values.items() if v)
            changes.append(Change("added", key, name, where, shown))
            continue
        was_name, was_where, was_values = old[key]
        fields = list(_fields(was_values, values))
        if was_where != where and where_field:
            fields.insert(0, FieldChange(where_field, was_where, where))
        position = (moved or {}).get(key)
        if position is not None:
            fields.insert(0, FieldChange("position", *position))
        if was_name != name:
            fields.insert(0, FieldChange("name", was_name, name))
        if fields:
            kind = "renamed" if was_name != name else "moved" if position else "changed"
            changes.append(Change(kind, key, name, where, tuple(fields)))
    changes += [Change("removed", k, n, w) for k, (n, w, _) in old.items() if k not in new]
    return tuple(changes)


def _stage_values(stage: StageRule) -> dict[str, Any]:
    values = stage.to_dict()
    for name in ("key", "name", "element_id", "order", "activities"):
        values.pop(name)
    values["reminder_after"] = stage.reminder_after
    return values


def _activity_values(activity: ActivityRule) -> dict[str, Any]:
    values = activity.to_dict()
    for name in ("element_id", "name", "stage"):
        values.pop(name)
    return {**values, "form": activity.form, "ui_form": activity.ui_form}


def _terminal_values(terminal: TerminalRule) -> dict[str, Any]:
    values = terminal.to_dict()
    for name in ("element_id", "label"):
        values.pop(name)
    return values


def _positions(old: ProcessRules, new: ProcessRules) -> dict[str, tuple[int, int]]:
    """Stages kept by both whose place among the kept stages changed: key -> (was, is)."""
    kept_old = [s.key for s in old.stages if new.stage(s.key)]
    kept_new = [s.key for s in new.stages if old.stage(s.key)]
    return {
        key: (kept_old.index(key) + 1, kept_new.index(key) + 1)
        for key in kept_new
        if kept_old.index(key) != kept_new.index(key)
    }


def _element_map(root: etree._Element) -> dict[str, etree._Element]:
    """Every BPMN element with an id below the definitions, by id."""
    return {
        el.get("id", ""): el
        for el in root.iter()
        if isinstance(el.tag, str) and el.tag.startswith(BPMN) and el.get("id") and el is not root
    }


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _flatten(el: etree._Element, prefix: str = "") -> Iterator[tuple[str, str]]:
    """An element's attributes, properties and content (not its own id'd children) as pairs."""
    for name, value in sorted(el.attrib.items()):
        local = etree.QName(name).localname
        if not (prefix == "" and local in ("id", "name")):
            yield (f"{prefix}{local}".strip(), value)
    text = (el.text or "").strip()
    if text and prefix:
        yield (prefix.strip(), text)
    seen: dict[str, int] = {}
    for child in el:
        if not isinstance(child.tag, str) or child.tag in _FLOW_REFS:
            continue
        if child.tag.startswith(BPMN) and child.get("id"):
            continue
        if child.tag == SPIFF_PROPERTY:
            yield (f"property {child.get('name', '')}", child.get("value", ""))
            continue
        local = _local(child)
        if local in ("properties", "extensionElements"):
            yield from _flatten_children(child)
            continue
        seen[local] = seen.get(local, 0) + 1
        label = local if seen[local] == 1 else f"{local} {seen[local]}"
        yield from _flatten(child, f"{prefix}{label} ")


def _flatten_children(el: etree._Element) -> Iterator[tuple[str, str]]:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag == SPIFF_PROPERTY:
            yield (f"property {child.get('name', '')}", child.get("value", ""))
        elif _local(child) == "properties":
            yield from _flatten_children(child)
        else:
            yield from _flatten(child, f"{_local(child)} ")


def _elements(root: etree._Element, skip: set[str]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        key: (el.get("name", ""), _local(el), dict(_flatten(el)))
        for key, el in _element_map(root).items()
        if key not in skip and _local(el) != "process"
    }


def _layout(root: etree._Element) -> set[tuple[str, str]]:
    drawn = set()
    for el in root.iter(BPMNDI + "BPMNShape", BPMNDI + "BPMNEdge"):
        geometry = [
            " ".join(f"{k}={v}" for k, v in sorted(part.attrib.items()))
            for part in el.iter()
            if part is not el
            and isinstance(part.tag, str)
            and _local(part) in ("Bounds", "waypoint")
        ]
        drawn.add((el.get("bpmnElement", ""), "|".join(geometry)))
    return drawn


def _process_fields(
    old_root: etree._Element, new_root: etree._Element, old: ProcessRules, new: ProcessRules
) -> tuple[FieldChange, ...]:
    def values(root: etree._Element, rules: ProcessRules) -> dict[str, Any]:
        process = root.find(BPMN + "process[@isExecutable='true']")
        name = process.get("name", "") if process is not None else ""
        return {"name": name, "free_moves": rules.free_moves}

    return _fields(values(old_root, old), values(new_root, new))


def sales_diff(
    old_xml: bytes, new_xml: bytes, old: ProcessRules, new: ProcessRules, filename: str = ""
) -> SalesDiff:
    """What changed from the old diagram (with its rules) to the new one."""
    old_root = parse_xml(old_xml, filename or "old").getroot()
    new_root = parse_xml(new_xml, filename or "new").getroot()
    stages = _compare(
        {s.key: (s.name, "", _stage_values(s)) for s in old.stages},
        {s.key: (s.name, "", _stage_values(s)) for s in new.stages},
        _positions(old, new),
    )
    activities = _compare(
        {k: (a.name, a.stage_key or "", _activity_values(a)) for k, a in old.tasks.items()},
        {k: (a.name, a.stage_key or "", _activity_values(a)) for k, a in new.tasks.items()},
        where_field="stage",
    )
    terminals = _compare(
        {t.element_id: (t.label, t.outcome, _terminal_values(t)) for t in old.terminals},
        {t.element_id: (t.label, t.outcome, _terminal_values(t)) for t in new.terminals},
        where_field=None,
    )
    covered = {s.element_id for s in [*old.stages, *new.stages]}
    covered |= set(old.tasks) | set(new.tasks)
    covered |= {t.element_id for t in [*old.terminals, *new.terminals]}
    elements = _compare(_elements(old_root, covered), _elements(new_root, covered))
    return SalesDiff(
        process=_process_fields(old_root, new_root, old, new),
        stages=stages,
        activities=activities,
        terminals=terminals,
        elements=elements,
        layout_changed=_layout(old_root) != _layout(new_root),
    )
