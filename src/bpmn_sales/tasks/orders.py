"""Orders on a deal: where the process allows creating them."""

from __future__ import annotations

from bpmn_sales.domain.rules import ProcessRules


def order_refusal(rules: ProcessRules, status: str, stage_key: str | None) -> str | None:
    """Why no order may be created on a deal in this status and stage, or None."""
    if status not in ("open", "won"):
        return f"orders cannot be created on a {status} deal"
    first = rules.stage(rules.orders_from_stage)
    if first is None or status == "won":
        return None
    here = rules.stage(stage_key)
    if here is None or here.order < first.order:
        where = f"'{here.name}'" if here else "no stage yet"
        return f"orders may be created only from stage '{first.name}' on; the deal is at {where}"
    return None
