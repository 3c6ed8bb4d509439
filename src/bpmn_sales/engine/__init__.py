"""Engine glue: the only package that imports SpiffWorkflow."""

from bpmn_sales.engine.diagrams.problems import Problem
from bpmn_sales.engine.running.copies import InstanceCopies, placeholders
from bpmn_sales.engine.running.instance import Instance, Position, Snapshot, StageRef, WorkItem
from bpmn_sales.engine.running.placing import place_at_stage
from bpmn_sales.engine.running.runtime import (
    CompiledProcess,
    ProcessEngine,
    ProcessInfo,
    SavedState,
)

__all__ = [
    "CompiledProcess",
    "Instance",
    "InstanceCopies",
    "Position",
    "Problem",
    "ProcessEngine",
    "ProcessInfo",
    "SavedState",
    "Snapshot",
    "StageRef",
    "WorkItem",
    "place_at_stage",
    "placeholders",
]
