"""Process definitions over HTTP: list, deploy, lint, switch on and off, departments, stages."""

from __future__ import annotations

from typing import Any

from flask import request

from bpmn_sales.errors import InvalidInput
from bpmn_sales.services import processes
from bpmn_sales.services.processes import stages
from bpmn_sales.web.api.base import actor, ctx
from bpmn_sales.web.api.operation import delete, get, post, put
from bpmn_sales.web.schemas.processes import (
    DIAGRAM_UPLOAD,
    Departments,
    DeployQuery,
    DeployResult,
    LintReport,
    NewStage,
    Process,
    ProcessAdmin,
    StageChange,
    UploadQuery,
)

KEY = {"key": {"description": "The process key"}}
STAGE = {**KEY, "stage": {"description": "A stage key"}}


def uploaded_files(filename: str) -> dict[str, bytes]:
    """The multipart 'file' fields, or the body as one diagram named `filename`."""
    files = {f.filename or "diagram.bpmn": f.read() for f in request.files.getlist("file")}
    if not files and request.data:
        files = {filename: request.get_data()}
    if not files:
        raise InvalidInput(
            "upload diagrams as multipart 'file' fields or an XML body", field="file"
        )
    return files


@get("/processes", responses={200: list[Process]})
def list_processes() -> Any:
    """List deployed processes."""
    return [p.to_dict() for p in processes.list_processes(ctx())]


@get("/processes/<key:key>", path=KEY, responses={200: Process})
def get_process(key: str) -> Any:
    """One process."""
    return processes.get_process(ctx(), key).to_dict()


@post(
    "/processes",
    query=DeployQuery,
    upload=DIAGRAM_UPLOAD,
    responses={201: list[DeployResult]},
    errors=(403,),
)
def deploy_process(query: DeployQuery) -> Any:
    """Deploy diagrams (admin); a changed diagram becomes a new version."""
    files = uploaded_files(query.filename)
    results = processes.deploy_process(
        ctx(), actor(), files, disable_previous=query.disable_previous
    )
    return [r.to_dict() for r in results], 201


@post("/processes/lint", query=UploadQuery, upload=DIAGRAM_UPLOAD, responses={200: LintReport})
def lint_diagrams(query: UploadQuery) -> Any:
    """Lint diagrams."""
    problems = processes.lint_diagrams(ctx(), uploaded_files(query.filename))
    errors = sum(1 for p in problems if p.severity == "error")
    return {
        "ok": errors == 0,
        "problems": [p.to_dict() for p in problems],
        "errors": errors,
        "warnings": len(problems) - errors,
    }


@post("/processes/<key:key>/enable", path=KEY, responses={200: ProcessAdmin}, errors=(403,))
def enable_process(key: str) -> Any:
    """Enable a process: new leads and deals may start on it again (admin)."""
    return processes.set_enabled(ctx(), actor(), key, True).to_dict()


@post("/processes/<key:key>/disable", path=KEY, responses={200: ProcessAdmin}, errors=(403,))
def disable_process(key: str) -> Any:
    """Disable a process: no new leads or deals start on it; running ones go on (admin)."""
    return processes.set_enabled(ctx(), actor(), key, False).to_dict()


@put(
    "/processes/<key:key>/departments",
    path=KEY,
    body=Departments,
    responses={200: ProcessAdmin},
    errors=(403,),
)
def set_process_departments(key: str, body: Departments) -> Any:
    """Set the departments a process applies to (existing ones; [] for all) (admin)."""
    return processes.set_departments(ctx(), actor(), key, body.departments).to_dict()


@post(
    "/processes/<key:key>/stages",
    path=KEY,
    body=NewStage,
    responses={201: StageChange},
    errors=(403, 409),
)
def add_stage(key: str, body: NewStage) -> Any:
    """Add a stage after another (admin): the changed diagram is a new version."""
    change = stages.add(
        ctx(),
        actor(),
        key,
        body.after,
        body.name,
        key=body.key,
        win_rate=body.win_rate,
        description=body.description,
        activity=body.activity,
    )
    return change.to_dict(), 201


@delete(
    "/processes/<key:key>/stages/<stage>",
    path=STAGE,
    responses={200: StageChange},
    errors=(400, 403, 409),
)
def delete_stage(key: str, stage: str) -> Any:
    """Delete a stage no deal is at (admin): a new version without it.

    409 with the count while deals (open or closed) are at it.
    """
    return stages.delete(ctx(), actor(), key, stage).to_dict()
