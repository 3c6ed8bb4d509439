"""Closing a deal: the outcome must be known and a lost deal needs a listed reason."""

from __future__ import annotations

from typing import Any

from bpmn_sales.errors import InvalidInput

OUTCOME_PROBABILITY = {"won": 100, "lost": 0}


def validate_close(
    outcome: str | None, reason: str | None, lost_reasons: list[str]
) -> dict[str, Any]:
    """Check a close request against the diagram's list of lost reasons."""
    if outcome not in OUTCOME_PROBABILITY:
        raise InvalidInput(
            f"outcome must be one of {', '.join(OUTCOME_PROBABILITY)}, not {outcome!r}",
            field="outcome",
        )
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput("the reason must be text", field="reason")
    if outcome == "lost":
        if reason not in lost_reasons:
            allowed = "; ".join(lost_reasons)
            raise InvalidInput(
                f"lost reason {reason!r} is not one of the configured reasons: {allowed}",
                field="reason",
            )
    else:
        reason = (reason or "").strip() or None
    return {"outcome": outcome, "reason": reason, "probability": OUTCOME_PROBABILITY[outcome]}


SERVICE_TASKS = (validate_close,)
