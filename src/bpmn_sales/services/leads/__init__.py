"""Leads: create one, qualify it into an opportunity, disqualify it, renew it; read them."""

from bpmn_sales.services.leads.lifecycle import (
    apply_step,
    create_lead,
    disqualify_lead,
    lead_fields,
    qualify_lead,
    renew_lead,
    set_lead_status,
)
from bpmn_sales.services.leads.views import get_lead, lead_history, list_leads

__all__ = [
    "apply_step",
    "create_lead",
    "disqualify_lead",
    "get_lead",
    "lead_fields",
    "lead_history",
    "list_leads",
    "qualify_lead",
    "renew_lead",
    "set_lead_status",
]
