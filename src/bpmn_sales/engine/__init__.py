"""Engine glue: the only package that imports SpiffWorkflow."""

from bpmn_sales.engine.instance import Instance, Position, Snapshot, StageRef, WorkItem
from bpmn_sales.engine.problems import Problem
from bpmn_sales.engine.runtime import CompiledProcess, ProcessEngine, ProcessInfo

__all__ = [
    "CompiledProcess",
    "Instance",
    "Position",
    "Problem",
    "ProcessEngine",
    "ProcessInfo",
    "Snapshot",
    "StageRef",
    "WorkItem",
]
