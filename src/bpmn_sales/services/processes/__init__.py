"""Process definitions and their lifecycle: lint, deploy, versions, clone, transfer, stage
edits, modeler drafts, and migrating running deals (`migration/`)."""

from bpmn_sales.services.processes.definitions import (
    DeployResult,
    ProcessAdminView,
    ProcessView,
    collect_files,
    department_names,
    deploy_bundled,
    deploy_process,
    get_process,
    lint_diagrams,
    list_for_admin,
    list_processes,
    process_choices,
    process_for_admin,
    set_departments,
    set_enabled,
)
from bpmn_sales.services.processes.scaffolding import Scaffold, create_process, scaffold_process

__all__ = [
    "DeployResult",
    "ProcessAdminView",
    "ProcessView",
    "Scaffold",
    "collect_files",
    "create_process",
    "department_names",
    "deploy_bundled",
    "deploy_process",
    "get_process",
    "lint_diagrams",
    "list_for_admin",
    "list_processes",
    "process_choices",
    "process_for_admin",
    "scaffold_process",
    "set_departments",
    "set_enabled",
]
