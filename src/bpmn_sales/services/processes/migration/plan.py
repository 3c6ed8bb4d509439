"""Planning a migration: where each open deal on the older versions would land, or why not.

The preview plans every open deal against the target version and saves nothing; applying
(`apply.py`) plans each deal again, just before it moves.
"""

from __future__ import annotations

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.engine.running.migration import Plan, VersionMove
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Deal, Process, ProcessVersion
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals.views import deal_facts
from bpmn_sales.services.processes.migration.policy import (
    added_requirements,
    stages_to_check,
    unmet_on_arrival,
)
from bpmn_sales.services.processes.migration.run_state import (
    Target,
    resolve,
)
from bpmn_sales.services.processes.migration.views import (
    MigrationPreview,
    MigrationRow,
    VersionChoice,
)


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
                _("version %(version)s", version=self.target.to_version),
            )
            adds = added_requirements(move.old_info.rules, move.new_info.rules)
            found = self._moves[version_id] = (move, adds)
        return found

    def plan(
        self, store: Store, deal: Deal, stored: tuple[str, list[str]] | None = None
    ) -> tuple[Plan, list[str]]:
        """The engine's plan for the deal and every reason (engine and sales rules) it stays.

        `stored` is the deal's snapshot and journal when already read (the preview reads all
        deals' at once)."""
        move, adds = self.get(store, deal.process_version_id)
        snapshot, journal = stored or store.instance_state(deal)
        plan = move.plan(self.ctx.engine.compose(snapshot, journal))
        reasons = list(plan.reasons)
        if plan.movable and adds and plan.after is not None and plan.after.stage is not None:
            new = move.new_info.rules
            stages = stages_to_check(new, plan.after.stage.key, deal.stages_reached)
            facts = deal_facts(store, deal, stages, orders=False)
            reasons += unmet_on_arrival(move.old_info.rules, new, stages, facts, move.label)
        return plan, reasons


def row(
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
    require_admin(actor, _("migrate running deals"))
    with ctx.uow() as store:
        target = resolve(store, key, from_version, to_version)
        deals = store.deals_on_versions(target.from_ids)
        owners = store.usernames(d.owner_id for d in deals)
        movers = Movers(ctx, target)
        stored = store.instance_states(deals)
        rows = []
        for deal in deals:
            plan, reasons = movers.plan(store, deal, stored[deal.id])
            version = target.from_ids[deal.process_version_id]
            rows.append(row(deal, owners.get(deal.owner_id), version, plan, reasons))
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
