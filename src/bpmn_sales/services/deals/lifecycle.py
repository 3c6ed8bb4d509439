"""Use cases for opportunities (deals): start, develop through stages, move, close, reopen."""

from __future__ import annotations

from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import (
    Actor,
    DealStatus,
    DealView,
    HistoryView,
    TaskView,
    optional_text,
    required_text,
)
from bpmn_sales.domain.paging import Page
from bpmn_sales.errors import DiagramError, InvalidInput, InvalidState, RuleViolation
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import (
    Deal,
    ProcessVersion,
    User,
)
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals.start import (
    deal_fields,
    resolve_owner,
    start_deal,
)
from bpmn_sales.services.deals.steps import apply_step, refuse
from bpmn_sales.services.deals.views import deal_facts, deal_view
from bpmn_sales.services.people.preferences import company_preferences
from bpmn_sales.tasks import closing
from bpmn_sales.tasks.requirements import (
    win_unmet,
)

CLOSE_MESSAGE = "deal_close"
MOVE_MESSAGE = "deal_move"


def create_deal(
    ctx: Context,
    actor: Actor,
    name: object,
    customer: object = None,
    value: object = None,
    currency_code: object = None,
    owner: str | None = None,
    process: object = None,
    expected_close_date: object = None,
) -> DealView:
    """Start an opportunity directly, skipping the lead step."""
    company = company_preferences(ctx)
    fields = deal_fields(
        name, customer, value, currency_code, expected_close_date, company.currency
    )
    key = optional_text(process, "process")
    with ctx.uow() as store:
        owner_user = resolve_owner(store, actor, owner)
        deal = start_deal(
            ctx, store, actor, owner_user, fields, process=key, detail={"source": "direct"}
        )
        store.commit()
        return deal_view(ctx, store, deal)


def load_deal(store: Store, actor: Actor, deal_id: int, expected_version: int | None) -> Deal:
    deal = store.get(Deal, deal_id, "deal")
    common.require_subject_access(store, actor, deal)
    common.check_version(deal, expected_version)
    return deal


def _open_deal(store: Store, actor: Actor, deal_id: int, expected_version: int | None) -> Deal:
    deal = load_deal(store, actor, deal_id, expected_version)
    if deal.status != DealStatus.OPEN:
        raise InvalidState(
            _("deal %(deal)s is %(status)s, not open", deal=deal_id, status=deal.status),
            status=deal.status,
        )
    return deal


# -- working a deal -------------------------------------------------------------------------
def move_deal(
    ctx: Context,
    actor: Actor,
    deal_id: int,
    stage: object,
    expected_version: int | None = None,
) -> DealView:
    """Move an open deal to another stage where the process allows free moves.

    Moving forward enforces the requirements of the stage left and of every stage passed over
    (unless optional); moving back is always allowed.
    """
    target_key = required_text(stage, "stage", 100)
    with ctx.uow() as store:
        deal = _open_deal(store, actor, deal_id, expected_version)
        instance = common.restore(ctx, store, deal)
        rules = instance.rules
        target = rules.stage(target_key)
        if target is None:
            known = ", ".join(s.key for s in rules.stages) or _("none")
            raise InvalidInput(
                _("stage '%(stage)s' does not exist (%(known)s)", stage=target_key, known=known),
                field="stage",
            )
        if target.post_sale:
            raise RuleViolation(
                _("stage '%(stage)s' is post-sale: win the deal first", stage=target.name)
            )
        before = instance.running_stage()
        if before is not None and before.key == target.key:
            raise InvalidState(
                _("deal %(deal)s is already at stage '%(stage)s'", deal=deal_id, stage=target.name)
            )
        if rules.free_moves and MOVE_MESSAGE not in instance.waiting_messages():
            raise InvalidState(
                _(
                    "deal %(deal)s is not in a stage it can be moved from (it is past its stages)",
                    deal=deal_id,
                )
            )
        if not rules.free_moves:
            raise RuleViolation(
                _(
                    "this process does not allow moving deal %(deal)s freely between stages; "
                    "complete the current stage's activities to advance",
                    deal=deal_id,
                )
            )
        instance.send_message(MOVE_MESSAGE, {"stage": target.key})
        snap = apply_step(
            ctx,
            store,
            deal,
            instance,
            actor,
            "moved",
            {"from": before.key if before else None, "to": target.key},
            before,
        )
        if snap.running_stage is None or snap.running_stage.key != target.key:
            raise DiagramError(
                _("the process did not route the move to stage '%(stage)s'", stage=target.name),
                element_id=target.element_id,
            )
        store.commit()
        return deal_view(ctx, store, deal)


def check_close(
    ctx: Context,
    actor: Actor,
    deal_id: int,
    outcome: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> DealView:
    """What the confirmation of a close shows: the open deal, once the request is one
    `close_deal` would accept (an outcome of the process, its lost reason, the win rules)."""
    with ctx.uow() as store:
        deal = _open_deal(store, actor, deal_id, expected_version)
        rules = common.rules_for(ctx, store, deal)
        payload = closing.close_request(rules, outcome, reason)
        if payload["outcome"] == DealStatus.WON:
            unmet = win_unmet(rules, deal_facts(store, deal, []))
            if unmet:
                raise refuse(deal, unmet)
        return deal_view(ctx, store, deal)


def close_deal(
    ctx: Context,
    actor: Actor,
    deal_id: int,
    outcome: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> DealView:
    """Close an open deal with one of the outcomes its process defines (won, lost, invalid)."""
    with ctx.uow() as store:
        deal = _open_deal(store, actor, deal_id, expected_version)
        instance = common.restore(ctx, store, deal)
        payload = closing.close_request(instance.rules, outcome, reason)
        if payload["outcome"] == DealStatus.WON:
            unmet = win_unmet(instance.rules, deal_facts(store, deal, []))
            if unmet:
                raise refuse(deal, unmet)
        before = instance.running_stage()
        if CLOSE_MESSAGE not in instance.waiting_messages():
            raise InvalidState(_("deal %(deal)s cannot be closed where it is now", deal=deal_id))
        instance.send_message(CLOSE_MESSAGE, payload)
        snap = apply_step(ctx, store, deal, instance, actor, "closed", dict(payload), before)
        if deal.status == DealStatus.OPEN:
            raise DiagramError(
                _("the process did not reach an outcome after the close request"),
                element_id=snap.end_event,
            )
        store.commit()
        return deal_view(ctx, store, deal)


def reopen_deal(ctx: Context, actor: Actor, deal_id: int) -> DealView:
    """Create a new opportunity linked to a closed one, which stays closed and unchanged."""
    with ctx.uow() as store:
        old = store.get(Deal, deal_id, "deal")
        common.require_subject_access(store, actor, old)
        if old.status == DealStatus.OPEN:
            raise InvalidState(
                _("deal %(deal)s is open; only a closed deal can be reopened", deal=deal_id)
            )
        already = store.reopened_as(old.id)
        if already is not None:
            raise InvalidState(
                _(
                    "deal %(deal)s was already reopened as deal %(reopened)s",
                    deal=deal_id,
                    reopened=already,
                ),
                reopened_as_id=already,
            )
        owner = store.get(User, old.owner_id, "user")
        pv = store.get(ProcessVersion, old.process_version_id, "process version")
        fields = {
            "name": old.name,
            "customer": old.customer,
            "value": old.value,
            "currency": old.currency,
            "expected_close_date": old.expected_close_date,
            "fields": dict(old.fields or {}),
        }
        deal = start_deal(
            ctx,
            store,
            actor,
            owner,
            fields,
            process=pv.process.key,
            lead_id=old.lead_id,
            reopened_from_id=old.id,
            detail={"reopened_from": old.id},
        )
        store.commit()
        return deal_view(ctx, store, deal)


# -- reading --------------------------------------------------------------------------------
def get_deal(ctx: Context, actor: Actor, deal_id: int) -> DealView:
    with ctx.uow() as store:
        deal = store.deal_for_reading(deal_id)
        common.require_subject_access(store, actor, deal)
        return deal_view(ctx, store, deal, detail=True)


def deal_diagram(ctx: Context, actor: Actor, deal_id: int) -> dict[str, Any]:
    """The diagram of the deal's process version, with the element ids to mark on it."""
    with ctx.uow() as store:
        deal = store.get(Deal, deal_id, "deal")
        common.require_subject_access(store, actor, deal)
        instance = common.restore(ctx, store, deal)
        position = instance.position()
        # Reading changes nothing: the instance goes back to the cache under the same version.
        ctx.live.put(("deal", deal.id, deal.version), instance)
        return {
            "deal_id": deal.id,
            "version": deal.version,
            "xml": store.version_diagram(deal.process_version_id),
            "current": position.current,
            "completed": position.completed,
        }


def deal_history(
    ctx: Context,
    actor: Actor,
    deal_id: int,
    *,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[HistoryView]:
    """A page of the deal's history, oldest first (or newest first)."""
    with ctx.uow() as store:
        deal = store.session.get(Deal, deal_id)
        stages = common.rules_for(ctx, store, deal).stages if deal is not None else ()
        names = {stage.key: stage.name for stage in stages}
        return common.history_page(store, actor, "deal", deal_id, sort, cursor, limit, names)


def deal_tasks(ctx: Context, actor: Actor, deal_id: int) -> list[TaskView]:
    with ctx.uow() as store:
        deal = store.get(Deal, deal_id, "deal")
        common.require_subject_access(store, actor, deal)
        return common.subject_tasks(ctx, store, deal)
