"""Lead qualification: turning a lead into an opportunity, recording a disqualification."""

from __future__ import annotations

from typing import Any

from bpmn_sales.errors import InvalidInput

MAX_REASON_LENGTH = 500


def open_opportunity(lead: dict[str, Any]) -> dict[str, Any]:
    """Propose the opportunity a qualified lead becomes."""
    company = (lead.get("company") or "").strip()
    contact = (lead.get("name") or "").strip()
    title = f"{company} opportunity" if company else f"Opportunity with {contact}"
    return {
        "name": title,
        "customer": company or contact,
        "contact_name": contact,
        "contact_email": lead.get("email"),
        "value": lead.get("estimated_value") or 0,
    }


def check_disqualification(reason: str | None) -> dict[str, Any]:
    """Refuse a disqualification without a reason."""
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput("the reason must be text", field="reason")
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("a reason is required to disqualify a lead", field="reason")
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidInput(
            f"the reason is longer than {MAX_REASON_LENGTH} characters", field="reason"
        )
    return {"reason": text}


SERVICE_TASKS = (open_opportunity, check_disqualification)
