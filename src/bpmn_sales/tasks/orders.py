"""Orders on a deal: where the process allows creating them."""

from __future__ import annotations

from bpmn_sales.domain.rules import ProcessRules
from bpmn_sales.i18n import _


def order_refusal(
    rules: ProcessRules, status: str, stage_key: str | None, past_stage: bool = False
) -> str | None:
    """Why no order may be created on a deal in this status and stage, or None.

    `orders_from_stage` lets orders in once the deal has reached that stage; `orders_after_stage`
    once it has completed it: it is at a later stage, or `past_stage` (it finished its stage and
    waits for a close). A won deal may always have orders.
    """
    if status not in ("open", "won"):
        return _("orders cannot be created on a %(status)s deal", status=status)
    if status == "won":
        return None
    here = rules.stage(stage_key)
    where = _("'%(stage)s'", stage=here.name) if here else _("no stage yet")
    first = rules.stage(rules.orders_from_stage)
    if first is not None and (here is None or here.order < first.order):
        return _(
            "orders may be created only from stage '%(stage)s' on; the deal is at %(where)s",
            stage=first.name,
            where=where,
        )
    after = rules.stage(rules.orders_after_stage)
    done = (
        here is not None
        and after is not None
        and (here.order > after.order or (here.order == after.order and past_stage))
    )
    if after is not None and not done:
        return _(
            "orders may be created only once stage '%(stage)s' is completed; the deal is at "
            "%(where)s",
            stage=after.name,
            where=where,
        )
    return None
