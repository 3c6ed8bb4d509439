"""Applying a migration: move open deals to the target version in batches, one per transaction.

Each deal is planned again and moved in its own transaction (state on the new version, work
items and timers re-projected, one "migrated" history entry), so a deal someone changed since
the preview is planned from what it is now, and a crash loses at most the deal in hand. A run
row keeps the counts and the refused deals; the next batch of the run (or a new run after an
interruption) takes the deals still on the older versions. Closed deals keep their version.
"""

from __future__ import annotations

from collections.abc import Callable

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, DealStatus
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import (
    Conflict,
    DiagramError,
    InvalidInput,
    InvalidState,
    RuleViolation,
)
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Deal, MigrationRun
from bpmn_sales.services.deals.steps import apply_step
from bpmn_sales.services.processes.definitions import find_process
from bpmn_sales.services.processes.migration.plan import Movers
from bpmn_sales.services.processes.migration.run_state import (
    progress_of,
    run_for,
    run_views,
    version_number,
)
from bpmn_sales.services.processes.migration.views import (
    MigrationProgress,
    RunView,
)

MAX_BATCH = 500


def _move_one(
    ctx: Context, actor: Actor, movers: Movers, run_id: int, deal_id: int
) -> tuple[str, list[str]] | None:
    """Move one deal in its own transaction; (name, reasons) when it stays where it is."""
    target = movers.target
    try:
        with ctx.uow() as store:
            deal = store.get(Deal, deal_id, "deal")
            if deal.status != DealStatus.OPEN or deal.process_version_id not in target.from_ids:
                return None  # closed or moved by someone since the batch was chosen
            plan, reasons = movers.plan(store, deal)
            if reasons or plan.instance is None or plan.after is None:
                return deal.name, reasons
            before, after = plan.before, plan.after
            detail = {
                "run": run_id,
                "from_version": target.from_ids[deal.process_version_id],
                "to_version": target.to_version,
                "stage_before": before.stage.key if before.stage else None,
                "stage_after": after.stage.key if after.stage else None,
                "tasks_before": list(before.tasks),
                "tasks_after": list(after.tasks),
            }
            snap = apply_step(
                ctx,
                store,
                deal,
                plan.instance,
                actor,
                "migrated",
                detail,
                before.stage,
                {"process_version_id": target.to_id},
            )
            store.relabel_work_items(
                {
                    item.task_id: {
                        "element_id": item.element_id,
                        "title": item.title,
                        "lane": item.lane,
                        "role": item.role,
                        "stage_key": item.stage.key if item.stage else None,
                    }
                    for item in snap.ready
                }
            )
            if after.stage is not None and deal.stage_key == after.stage.key:
                deal.stage_name = after.stage.name  # a stage renamed by the new version
            store.count_moved(run_id)
            store.commit()
            return None
    except Conflict:
        return None  # changed meanwhile: still on its version, the next batch plans it again
    except (RuleViolation, DiagramError, InvalidState) as exc:
        return "", [exc.message]


def apply_batch(
    ctx: Context,
    actor: Actor,
    key: object,
    from_version: object = None,
    to_version: object = None,
    limit: object = 50,
    run_id: object = None,
) -> MigrationProgress:
    """Move the next `limit` open deals of a run (a new run without `run_id`)."""
    require_admin(actor, _("migrate running deals"))
    size = version_number(limit, "batch")
    if size is None or size > MAX_BATCH:
        raise InvalidInput(
            _("batch must be a number from 1 to %(most)s", most=MAX_BATCH), field="batch"
        )
    with ctx.uow() as store:
        run, target = run_for(store, actor, key, from_version, to_version, run_id, ctx.clock())
        refused = dict(run.refused_deals or {})
        skip = [int(k) for k in refused]
        todo = [d.id for d in store.deals_on_versions(target.from_ids, skip=skip, limit=size)]
        run_key = run.id
        store.commit()
    movers = Movers(ctx, target)
    for deal_id in todo:
        stayed = _move_one(ctx, actor, movers, run_key, deal_id)
        if stayed is not None:
            refused[str(deal_id)] = {"name": stayed[0], "reasons": stayed[1]}
    with ctx.uow() as store:
        run = store.get(MigrationRun, run_key, "migration run")
        skip = [int(k) for k in refused]
        run.refused_deals = refused
        run.refused = len(refused)
        run.remaining = store.count_on_versions(target.from_ids, skip=skip)
        run.updated_at = ctx.clock()
        if run.remaining == 0 and run.finished_at is None:
            run.finished_at = run.updated_at
        store.commit()
        return progress_of(run, target.key)


def apply_all(
    ctx: Context,
    actor: Actor,
    key: object,
    from_version: object = None,
    to_version: object = None,
    batch: object = 50,
    progress: Callable[[MigrationProgress], None] | None = None,
    run_id: object = None,
) -> MigrationProgress:
    """Apply batches until no open deal is left on the older versions (or none can move)."""
    result = apply_batch(ctx, actor, key, from_version, to_version, batch, run_id)
    while True:
        if progress is not None:
            progress(result)
        if result.finished:
            return result
        following = apply_batch(ctx, actor, key, None, None, batch, result.run_id)
        if following.done == result.done and following.remaining == result.remaining:
            if progress is not None:
                progress(following)
            return following  # every deal left conflicted this time: stop, the run stays open
        result = following


def runs(ctx: Context, actor: Actor, key: object) -> list[RunView]:
    """A process's migration runs, newest first."""
    require_admin(actor, _("see migration runs"))
    with ctx.uow() as store:
        return run_views(store, find_process(store, key).id)
