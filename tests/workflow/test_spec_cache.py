"""The engine's cache of compiled versions: one load per version, however many threads ask."""

from __future__ import annotations

import threading
import time

from bpmn_sales.engine import CompiledProcess, ProcessEngine
from bpmn_sales.tasks import SERVICE_TASKS


def test_threads_asking_for_a_version_not_loaded_yet_load_it_once(
    compiled: dict[str, CompiledProcess],
) -> None:
    engine = ProcessEngine(SERVICE_TASKS)  # a cold cache, as after a restart
    spec_json = compiled["sales_process"].spec_json
    reads: list[int] = []
    start = threading.Barrier(8)

    def read() -> str:
        reads.append(1)
        time.sleep(0.05)  # a slow read: the others arrive while it runs
        return spec_json

    found: list[str] = []

    def ask() -> None:
        start.wait()
        found.append(engine.info("v1", read).key)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == ["sales_process"] * 8
    assert len(reads) == 1
    engine.info("v2", read)  # another version is loaded on its own
    assert len(reads) == 2
