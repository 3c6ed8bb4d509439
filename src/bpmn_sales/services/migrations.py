"""Use cases for moving running deals to a newer process version: preview, then apply.

The preview plans every open deal on the older versions against the target version and saves
nothing. Applying works in batches: each deal is planned again and moved in its own
transaction (state on the new version, work items and timers re-projected, one "migrated"
history entry), so a deal someone changed since the preview is planned from what it is now,
and a crash loses at most the deal in hand. A run row keeps the counts and the refused deals;
the next batch of the run (or a new run after an interruption) takes the deals still on the
older versions. Closed deals keep their version.
"""

from __future__ import annotations

from collections.abc import Callable

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, DealStatus
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.engine.running.migration import Plan, VersionMove
from bpmn_sales.errors import (
    Conflict,
    DiagramError,
    InvalidInput,
    InvalidState,
    RuleViolation,
)
from bpmn_sales.persistence.models import Deal, MigrationRun, Process, ProcessVersion
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deal_steps import apply_step
from bpmn_sales.services.deal_views import deal_facts
from bpmn_sales.services.migration_policy import (
    added_requirements,
    stages_to_check,
    unmet_on_arrival,
)
from bpmn_sales.services.migration_runs import (
    Target,
    progress_of,
    resolve,
    run_for,
    run_views,
    version_number,
)
from bpmn_sales.services.migration_views import (
    MigrationPreview,
    MigrationProgress,
    MigrationRow,
    RunView,
    VersionChoice,
)
from bpmn_sales.services.processes import find_process

MAX_BATCH = 500
ACTION = "migrate running deals"


class Movers:
    """The engine's version moves of one migration, built once per source version."""

    def __init__(self, ctx: Context, target: Target) -> None:
        self.ctx = ctx
        self.target = target
        self._moves: dict[int, tuple[VersionMove, bool]] = {}

    def get(self, store: Store, version_id: int) -> tuple[VersionMove, bool]:
        """The move from `version_id` and whether the target adds sales requirements."""
        found = self._moves.get(version_id)
        if found is None:
            old = store.get(ProcessVersion, version_id, "process version")
            new = store.get(ProcessVersion, self.target.to_id, "process version")
            move = VersionMove(
                self.ctx.engine,
                common.spec_loader(store, old),
                common.spec_loader(store, new),
                f"version {self.target.to_version}",
            )
            adds = added_requirements(move.old_info.rules, move.new_info.rules)
            found = self._moves[version_id] = (move, adds)
        return found

    def plan(self, store: Store, deal: Deal) -> tuple[Plan, list[str]]:
        """The engine's plan for the deal and every reason (engine and sales rules) it stays."""
        move, adds = self.get(store, deal.process_version_id)
        plan = move.plan(deal.state)
        reasons = list(plan.reasons)
        if plan.movable and adds and plan.after is not None and plan.after.stage is not None:
            new = move.new_info.rules
            stages = stages_to_check(new, plan.after.stage.key, deal.stages_reached)
            facts = deal_facts(store, deal, stages, orders=False)
            reasons += unmet_on_arrival(move.old_info.rules, new, stages, facts, move.label)
        return plan, reasons


def _row(
    deal: Deal, owner: str | None, version: int, plan: Plan, reasons: list[str]
) -> MigrationRow:
    before, after = plan.before, plan.after if not reasons else None
    return MigrationRow(
        deal_id=deal.id,
        name=deal.name,
        owner=owner,
        from_version=version,
        stage=before.stage.key if before.stage else deal.stage_key,
        stage_name=before.stage.name if before.stage else deal.stage_name,
        tasks=list(before.tasks),
        to_stage=after.stage.key if after and after.stage else None,
        to_stage_name=after.stage.name if after and after.stage else None,
        to_tasks=list(after.tasks) if after else [],
        movable=not reasons,
        reasons=reasons,
    )


def preview(
    ctx: Context,
    actor: Actor,
    key: object,
    from_version: object = None,
    to_version: object = None,
) -> MigrationPreview:
    """Where each open deal on the older versions would land, or why it cannot move."""
    require_admin(actor, ACTION)
    with ctx.uow() as store:
        target = resolve(store, key, from_version, to_version)
        deals = store.deals_on_versions(target.from_ids)
        owners = store.usernames(d.owner_id for d in deals)
        movers = Movers(ctx, target)
        rows = []
        for deal in deals:
            plan, reasons = movers.plan(store, deal)
            version = target.from_ids[deal.process_version_id]
            rows.append(_row(deal, owners.get(deal.owner_id), version, plan, reasons))
        process = store.get(Process, target.process_id, "process")
        choices = [
            VersionChoice(v.version, v.enabled, store.count_on_versions([v.id]))
            for v in process.versions
        ]
        return MigrationPreview(
            target.key,
            target.name,
            target.from_version,
            target.to_version,
            rows,
            store.count_on_versions(target.from_ids, open_deals=False),
            choices,
        )


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
            deal.process_version_id = target.to_id
            snap = apply_step(
                ctx, store, deal, plan.instance, actor, "migrated", detail, before.stage
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
    require_admin(actor, ACTION)
    size = version_number(limit, "batch")
    if size is None or size > MAX_BATCH:
        raise InvalidInput(f"batch must be a number from 1 to {MAX_BATCH}", field="batch")
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
    require_admin(actor, "see migration runs")
    with ctx.uow() as store:
        return run_views(store, find_process(store, key).id)
