"""Lead qualification: turning a lead into an opportunity, recording a disqualification."""

from __future__ import annotations

from typing import Any

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _

MAX_REASON_LENGTH = 500


def open_opportunity(lead: dict[str, Any]) -> dict[str, Any]:
    """Propose the opportunity a qualified lead becomes."""
    company = (lead.get("company") or "").strip()
    contact = (lead.get("name") or "").strip()
    title = (
        _("%(company)s opportunity", company=company)
        if company
        else _("Opportunity with %(contact)s", contact=contact)
    )
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
        raise InvalidInput(_("the reason must be text"), field="reason")
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(_("a reason is required to disqualify a lead"), field="reason")
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidInput(
            _("the reason is longer than %(most)s characters", most=MAX_REASON_LENGTH),
            field="reason",
        )
    return {"reason": text}


SERVICE_TASKS = (open_opportunity, check_disqualification)
