"""One instance's stored state copied for many records that stand in the same place (an import).

Starting, placing and closing an instance takes the engine milliseconds; thousands of imported
deals in the same situation (process version, stage, outcome) would each do it again and give
the same tree. So the engine does it once, with a placeholder text for each of the record's
own values, and each copy is that state text with fresh task ids (every id in a state is a task
id or a sub-process's task id, and work items are keyed by task id) and the record's values
written where the placeholders were. Nothing else in a state is the record's own.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from bpmn_sales.engine.running.instance import Instance
from bpmn_sales.engine.running.projection import Snapshot

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _random_ids(count: int) -> list[str]:
    """`count` random ids in the UUID form (one read of the system's randomness for all; a
    version 4 UUID each, as `uuid.uuid4` makes them one by one, more slowly)."""
    digits = os.urandom(16 * count).hex()
    ids = []
    for at in range(0, 32 * count, 32):
        h = digits[at : at + 32]
        variant = "89ab"[int(h[16], 16) & 3]
        ids.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}")
    return ids


def placeholders(names: tuple[str, ...]) -> dict[str, str]:
    """A text per name that no real value holds, to start the shared instance with."""
    token = uuid.uuid4().hex
    return {name: f"@@copy:{name}:{token}@@" for name in names}


@dataclass(frozen=True)
class Copy:
    """One record's state text, and its task ids by the shared instance's."""

    state: str
    ids: dict[str, str]


class InstanceCopies:
    """The state of `instance` (started with `marks` for the record's values), ready to copy."""

    def __init__(self, state: str, snapshot: Snapshot, marks: Mapping[str, str]) -> None:
        self.snapshot = snapshot
        by_mark = {orjson.dumps(mark).decode(): name for name, mark in marks.items()}
        pattern = re.compile("|".join([_UUID, *(re.escape(m) for m in by_mark)]))
        # The text between slots, and each slot: ("id", old id) or ("value", name).
        self._parts: list[str] = []
        self._slots: list[tuple[str, str]] = []
        self._ids: list[str] = []
        at = 0
        for found in pattern.finditer(state):
            self._parts.append(state[at : found.start()])
            text = found.group()
            self._slots.append(("value", by_mark[text]) if text in by_mark else ("id", text))
            at = found.end()
        self._parts.append(state[at:])
        self._ids = sorted({text for kind, text in self._slots if kind == "id"})
        quoted = sum(1 for kind, _ in self._slots if kind == "value")
        # A value worked into another text (not only carried as it is) cannot be replaced.
        self.copyable = quoted == sum(state.count(mark) for mark in marks.values())

    @classmethod
    def of(cls, dumped: str, instance: Instance, marks: Mapping[str, str]) -> InstanceCopies:
        return cls(dumped, instance.snapshot(), marks)

    def copy(self, values: Mapping[str, Any]) -> Copy:
        """The state for one record: fresh task ids, its own values (JSON-able)."""
        ids = dict(zip(self._ids, _random_ids(len(self._ids)), strict=True))
        texts = {name: orjson.dumps(value).decode() for name, value in values.items()}
        out = [self._parts[0]]
        for (kind, text), part in zip(self._slots, self._parts[1:], strict=True):
            out.append(ids[text] if kind == "id" else texts[text])
            out.append(part)
        return Copy("".join(out), ids)
