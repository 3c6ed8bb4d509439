"""Approval tasks: the owner's direct manager approves or rejects a stage, with a comment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _

DECISIONS = ("approve", "reject")
MAX_COMMENT = 2000


def decision(data: Mapping[str, Any]) -> tuple[str, str]:
    """The (decision, comment) an approval task was completed with; a reject needs a comment."""
    choice = data.get("decision")
    if choice not in DECISIONS:
        raise InvalidInput(
            _("decision must be approve or reject, not %(value)r", value=choice),
            field="data.decision",
        )
    comment = data.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise InvalidInput(_("the comment must be text"), field="data.comment")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(
            _("the comment is longer than %(most)s characters", most=MAX_COMMENT),
            field="data.comment",
        )
    if choice == "reject" and not comment:
        raise InvalidInput(_("a rejection needs a comment saying why"), field="data.comment")
    extra = sorted(set(data) - {"decision", "comment"})
    if extra:
        raise InvalidInput(
            _("an approval takes only decision and comment, not %(names)s", names=", ".join(extra)),
            field=f"data.{extra[0]}",
        )
    return str(choice), comment


def task_data(choice: str, comment: str, by: str) -> dict[str, Any]:
    """What the diagram sees: gateways after an approval test `approval['decision']`."""
    return {"approval": {"decision": choice, "comment": comment, "by": by}}
