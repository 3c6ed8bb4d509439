"""The layout (bpmndi) side of a stage edit: make room, close it, draw new shapes and edges."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from bpmn_sales.engine.diagrams.problems import BPMNDI

DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"

Box = tuple[float, float, float, float]
Point = tuple[float, float]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


class Layout:
    """The diagram's shapes and edges by element id (empty when the diagram has no layout)."""

    def __init__(self, root: etree._Element) -> None:
        self.plane = next(root.iter(BPMNDI + "BPMNPlane"), None)

    def _drawn(self, element_id: str, tag: str) -> etree._Element | None:
        if self.plane is None:
            return None
        for el in self.plane.iterchildren(BPMNDI + tag):
            if el.get("bpmnElement") == element_id:
                return el
        return None

    def box(self, element_id: str) -> Box | None:
        shape = self._drawn(element_id, "BPMNShape")
        bounds = shape.find(DC + "Bounds") if shape is not None else None
        if bounds is None:
            return None
        x, y, w, h = (float(bounds.get(a, "0")) for a in ("x", "y", "width", "height"))
        return x, y, w, h

    def points(self, element_id: str) -> list[Point]:
        edge = self._drawn(element_id, "BPMNEdge")
        if edge is None:
            return []
        return [
            (float(p.get("x", "0")), float(p.get("y", "0"))) for p in edge.iter(DI + "waypoint")
        ]

    # -- making and closing room -----------------------------------------------------------
    def shift(self, x0: float, dx: float) -> None:
        """Move everything right of x0 by dx; widen (or narrow) what spans x0."""
        if self.plane is None:
            return
        for shape in self.plane.iterchildren(BPMNDI + "BPMNShape"):
            own = shape.find(DC + "Bounds")
            if own is None:
                continue
            x, w = float(own.get("x", "0")), float(own.get("width", "0"))
            if x >= x0:  # the shape moves, and its label with it
                for bounds in shape.iter(DC + "Bounds"):
                    bounds.set("x", _num(float(bounds.get("x", "0")) + dx))
            elif x + w > x0:
                own.set("width", _num(max(w + dx, 10)))
        for edge in self.plane.iterchildren(BPMNDI + "BPMNEdge"):
            for point in [*edge.iter(DI + "waypoint"), *edge.iter(DC + "Bounds")]:
                x = float(point.get("x", "0"))
                if x >= x0:
                    point.set("x", _num(x + dx))

    def forget(self, element_ids: Iterable[str]) -> None:
        if self.plane is None:
            return
        ids = set(element_ids)
        for drawn in list(self.plane):
            if drawn.get("bpmnElement") in ids:
                self.plane.remove(drawn)

    # -- drawing ---------------------------------------------------------------------------
    def add_shape(self, element_id: str, box: Box, expanded: bool = False) -> None:
        if self.plane is None:
            return
        shape = etree.SubElement(
            self.plane, BPMNDI + "BPMNShape", id=f"{element_id}_di", bpmnElement=element_id
        )
        if expanded:
            shape.set("isExpanded", "true")
        x, y, w, h = box
        etree.SubElement(shape, DC + "Bounds", x=_num(x), y=_num(y), width=_num(w), height=_num(h))

    def set_edge(self, element_id: str, points: list[Point]) -> None:
        if self.plane is None:
            return
        edge = self._drawn(element_id, "BPMNEdge")
        if edge is None:
            edge = etree.SubElement(
                self.plane, BPMNDI + "BPMNEdge", id=f"{element_id}_di", bpmnElement=element_id
            )
        for old in list(edge.iter(DI + "waypoint")):
            edge.remove(old)
        for x, y in points:
            etree.SubElement(edge, DI + "waypoint", x=_num(x), y=_num(y))

    def copy_shape(self, source_id: str, element_id: str, dx: float, dy: float = 0) -> None:
        """Draw `element_id` like `source_id`, moved by (dx, dy)."""
        shape = self._drawn(source_id, "BPMNShape")
        if shape is None or self.plane is None:
            return
        clone = etree.fromstring(etree.tostring(shape))
        clone.set("id", f"{element_id}_di")
        clone.set("bpmnElement", element_id)
        for bounds in clone.iter(DC + "Bounds"):
            bounds.set("x", _num(float(bounds.get("x", "0")) + dx))
            bounds.set("y", _num(float(bounds.get("y", "0")) + dy))
        self.plane.append(clone)

    def connect(self, element_id: str, source: str, target: str) -> None:
        """An orthogonal edge from the source's right (or bottom) to the target's left side."""
        start, end = self.box(source), self.box(target)
        if start is None or end is None:
            return
        sx, sy, sw, sh = start
        tx, ty, tw, th = end
        source_mid, target_mid = sy + sh / 2, ty + th / 2
        if tx >= sx + sw:
            a, b = (sx + sw, source_mid), (tx, target_mid)
            if a[1] == b[1]:
                self.set_edge(element_id, [a, b])
            else:
                middle = (a[0] + b[0]) / 2
                self.set_edge(element_id, [a, (middle, a[1]), (middle, b[1]), b])
            return
        # The target is not to the right: leave from below and come up into its bottom.
        a = (sx + sw / 2, sy + sh)
        b = (tx + tw / 2, ty + th)
        low = max(a[1], b[1]) + 30
        self.set_edge(element_id, [a, (a[0], low), (b[0], low), b])
