"""A person's work across leads and deals: tasks to list, claim and complete, their forms,
follow-ups and the approvals inbox."""

from bpmn_sales.services.worklist.forms import task_form
from bpmn_sales.services.worklist.tasks import claim_task, complete_task, count_tasks, list_tasks

__all__ = ["claim_task", "complete_task", "count_tasks", "list_tasks", "task_form"]
