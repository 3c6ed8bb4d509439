"""Unit-test fixtures: the engine and the diagram compiler, one of each per module."""

from __future__ import annotations

import pytest

from bpmn_sales.engine import ProcessEngine
from bpmn_sales.engine.diagrams.compiler import DiagramCompiler
from bpmn_sales.tasks import SERVICE_TASKS


@pytest.fixture(scope="module")
def engine() -> ProcessEngine:
    return ProcessEngine(SERVICE_TASKS)


@pytest.fixture(scope="module")
def compiler() -> DiagramCompiler:
    return DiagramCompiler(set(SERVICE_TASKS))
