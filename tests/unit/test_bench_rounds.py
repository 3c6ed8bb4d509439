"""bench/roundtrip.py's turns: every contender's tasks run once, warm-ups untimed, in turns."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench" / "roundtrip.py"


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_roundtrip", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_contenders_take_turns_and_each_task_is_timed_once() -> None:
    roundtrip = bench()
    ran: list[tuple[str, int, Any]] = []

    def steps(name: str, count: int) -> list[Any]:
        return [
            (lambda i=i: i * 10, lambda prepared, i=i: ran.append((name, i, prepared)))
            for i in range(count)
        ]

    results = roundtrip.in_rounds({"a": steps("a", 9), "b": steps("b", 9)}, 2, 3)
    # Warm-ups first and untimed; then 7 timed tasks each, what `prepare` gave handed to `act`.
    assert ran[:4] == [("a", 0, 0), ("a", 1, 10), ("b", 0, 0), ("b", 1, 10)]
    assert [len(results[n].times) for n in "ab"] == [7, 7] == [len(results[n].cpu) for n in "ab"]
    timed = ran[4:]
    assert sorted(timed) == sorted((n, i, i * 10) for n in "ab" for i in range(2, 9))
    # Three turns (tasks 2-3, 4-5, 6-8), the first contender of each turn rotating.
    assert [(n, i) for n, i, _ in timed] == [
        ("a", 2), ("a", 3), ("b", 2), ("b", 3),
        ("b", 4), ("b", 5), ("a", 4), ("a", 5),
        ("a", 6), ("a", 7), ("a", 8), ("b", 6), ("b", 7), ("b", 8),
    ]  # fmt: skip
    # One round: each contender alone, in order (the old way).
    ran.clear()
    roundtrip.in_rounds({"a": steps("a", 4), "b": steps("b", 4)}, 1, 1)
    assert [n for n, *_ in ran[2:]] == ["a"] * 3 + ["b"] * 3
