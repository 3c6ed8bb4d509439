"""Approvals that can be approved: an approval task waits, out of every task list, while its
stage still misses what only the rep can give (required fields, contacts, obligatory
activities), and the rep is told what is missing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bpmn_sales.context import Context
from bpmn_sales.domain.rules import ProcessRules, StageRule
from bpmn_sales.engine import Snapshot
from bpmn_sales.errors import RuleViolation
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Deal
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals.views import deal_facts
from bpmn_sales.tasks.requirements import approval_waits_for, without_approval


@dataclass(frozen=True)
class Wait:
    """An approval task and what it waits for ([] when the manager may decide it)."""

    task_id: str
    stage: StageRule
    unmet: list[str]

    def sentence(self) -> str:
        return _(
            "The approval of stage '%(stage)s' waits for: %(unmet)s",
            stage=self.stage.name,
            unmet="; ".join(self.unmet),
        )


def waits(
    store: Store, deal: Deal, rules: ProcessRules, items: Iterable[tuple[str, str | None]]
) -> list[Wait]:
    """What each approval task (task id, stage key) of the deal waits for."""
    stages = [(task_id, rules.stage(key)) for task_id, key in items]
    wanted = [(task_id, s) for task_id, s in stages if s is not None and s.approval]
    if not wanted:
        return []
    facts = deal_facts(store, deal, [without_approval(s) for _t, s in wanted], orders=False)
    return [Wait(task_id, s, approval_waits_for(s, facts)) for task_id, s in wanted]


def mark_step(store: Store, deal: Deal, rules: ProcessRules, snapshot: Snapshot) -> list[Wait]:
    """After a step: mark the deal's ready approval tasks waiting or offered."""
    ready = [
        (i.task_id, i.stage.key if i.stage else None) for i in snapshot.ready if i.rule.approval
    ]
    found = waits(store, deal, rules, ready)
    _store_marks(store, found)
    return found


def mark_deals(ctx: Context, store: Store, deals: Iterable[Deal]) -> None:
    """After an edit of fields or contacts: check again the approval tasks of these deals."""
    for deal in deals:
        items = [i for i in store.work_items_for("deal", deal.id) if i.role == "manager"]
        if items:
            rules = common.rules_for(ctx, store, deal)
            found = waits(store, deal, rules, [(i.task_id, i.stage_key) for i in items])
            _store_marks(store, found)


def mark_customer(ctx: Context, store: Store, deal: Deal) -> None:
    """After a change of the deal's customer (fields, contacts): check again the approval
    tasks of every deal of that customer, this one included."""
    others = store.deals_awaiting_approval(deal.customer_id) if deal.customer_id else []
    mark_deals(ctx, store, [deal, *(d for d in others if d.id != deal.id)])


def _store_marks(store: Store, found: list[Wait]) -> None:
    if found:
        store.mark_waiting(
            [w.task_id for w in found if w.unmet], [w.task_id for w in found if not w.unmet]
        )


def refuse_waiting(
    store: Store, deal: Deal, rules: ProcessRules, task_id: str, stage_key: str | None, title: str
) -> None:
    """Refuse deciding an approval that still waits, naming what it waits for."""
    for wait in waits(store, deal, rules, [(task_id, stage_key)]):
        if wait.unmet:
            raise RuleViolation(
                _(
                    "'%(task)s' cannot be decided yet: stage '%(stage)s' still needs: %(unmet)s",
                    task=title,
                    stage=wait.stage.name,
                    unmet="; ".join(wait.unmet),
                ),
                unmet=wait.unmet,
                task_id=task_id,
            )
