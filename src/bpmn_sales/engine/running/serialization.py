"""Serialize specs once per process version and instances as state only (no embedded spec)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

STATE_FORMAT = "bpmn-sales-state/1"


class InstanceStateConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Like Spiff's workflow converter, but the spec is handed in rather than stored."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(
        self,
        dct: dict[str, Any],
        spec: BpmnProcessSpec | None = None,
        subprocess_specs: dict[str, BpmnProcessSpec] | None = None,
    ) -> BpmnWorkflow:
        if spec is None:
            return super().from_dict(dct)
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        self._restore_tree(dct, workflow)
        return workflow

    def _restore_tree(self, dct: dict[str, Any], workflow: BpmnWorkflow) -> None:
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))


class Serializer:
    """Spec and state (de)serialization; one instance is shared by the whole process."""

    def __init__(self) -> None:
        registry = BpmnWorkflowSerializer.configure(
            {**SPIFF_CONFIG, BpmnWorkflow: InstanceStateConverter}
        )
        self.registry = registry

    def dump_spec(self, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> str:
        return json.dumps(
            {
                "spec": self.registry.convert(spec),
                "subprocess_specs": {
                    name: self.registry.convert(sub) for name, sub in subprocess_specs.items()
                },
            },
            separators=(",", ":"),
        )

    def load_spec(self, text: str) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
        dct = json.loads(text)
        spec = self.registry.restore(dct["spec"])
        subs = {name: self.registry.restore(sub) for name, sub in dct["subprocess_specs"].items()}
        return spec, subs

    def dump_state(self, workflow: BpmnWorkflow) -> str:
        dct: dict[str, Any] = self.registry.convert(workflow)
        dct["format"] = STATE_FORMAT
        return orjson.dumps(dct).decode()

    def load_state(
        self,
        text: str,
        spec: BpmnProcessSpec,
        subprocess_specs: dict[str, BpmnProcessSpec],
    ) -> BpmnWorkflow:
        dct = orjson.loads(text)
        if dct.pop("format", None) != STATE_FORMAT:
            raise ValueError("not a bpmn-sales instance state")
        workflow: BpmnWorkflow = self.registry.restore(
            dct, spec=spec, subprocess_specs=subprocess_specs
        )
        return workflow
