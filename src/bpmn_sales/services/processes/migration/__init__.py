"""Moving running deals to a newer process version: plan (preview), apply, runs kept."""

from bpmn_sales.services.processes.migration.apply import apply_all, apply_batch, runs
from bpmn_sales.services.processes.migration.plan import preview

__all__ = ["apply_all", "apply_batch", "preview", "runs"]
