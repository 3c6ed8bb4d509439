"""Closing a deal: the outcome must be one the diagram defines, with a reason it accepts."""

from __future__ import annotations

from typing import Any

from bpmn_sales.domain.rules import ProcessRules
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _

OUTCOMES = ("won", "lost", "invalid")
MAX_REASON = 200


def validate_close(outcome: str | None, reason: str | None = None) -> dict[str, Any]:
    """Service task: normalise a close request the use case has already checked."""
    if outcome not in OUTCOMES:
        raise InvalidInput(
            _(
                "outcome must be one of %(outcomes)s, not %(value)r",
                outcomes=", ".join(OUTCOMES),
                value=outcome,
            ),
            field="outcome",
        )
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput(_("the reason must be text"), field="reason")
    return {"outcome": outcome, "reason": (reason or "").strip() or None}


def close_request(rules: ProcessRules, outcome: object, reason: object) -> dict[str, Any]:
    """Check a close against the process's terminal states; return the message payload."""
    outcomes = rules.outcomes()
    if outcome not in outcomes:
        raise InvalidInput(
            _(
                "outcome must be one of %(outcomes)s, not %(value)r",
                outcomes=", ".join(outcomes) or _("(none defined)"),
                value=outcome,
            ),
            field="outcome",
        )
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput(_("the reason must be text"), field="reason")
    text = (reason or "").strip() or None
    if text is not None and len(text) > MAX_REASON:
        raise InvalidInput(
            _("the reason is longer than %(most)s characters", most=MAX_REASON), field="reason"
        )
    if outcome == "lost":
        allowed = rules.lost_reasons
        if allowed and text is None:
            raise InvalidInput(
                _("a lost deal needs a reason, one of: %(reasons)s", reasons="; ".join(allowed)),
                field="reason",
            )
        if allowed and text not in allowed:
            raise InvalidInput(
                _(
                    "lost reason %(value)r is not one of the configured reasons: %(reasons)s",
                    value=text,
                    reasons="; ".join(allowed),
                ),
                field="reason",
            )
        if not allowed and text is None:
            raise InvalidInput(_("a lost deal needs a reason"), field="reason")
    return {"outcome": outcome, "reason": text}


SERVICE_TASKS = (validate_close,)
