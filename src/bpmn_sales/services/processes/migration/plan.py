"""Planning a migration: where each open deal on the older versions would land, or why not.

The preview counts where every open deal on the older versions is, and plans one page of them
(oldest first) against the target version; it saves nothing. Applying (`apply.py`) plans each
deal again, just before it moves.
"""

from __future__ import annotations

from collections.abc import Sequence

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.paging import checked_limit, decode_cursor
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.engine.running.migration import Plan, VersionMove
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Deal, Process, ProcessVersion
from bpmn_sales.persistence.queries.migration_runs import PREVIEW_SORT
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals.views import RuleRecords, deal_facts, rule_records
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
    Position,
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
        self,
        store: Store,
        deal: Deal,
        stored: tuple[str, list[str]] | None = None,
        known: RuleRecords | None = None,
    ) -> tuple[Plan, list[str]]:
        """The engine's plan for the deal and every reason (engine and sales rules) it stays.

        `stored` is the deal's snapshot and journal and `known` its records the sales rules
        read, when already read (the preview reads a page's at once)."""
        move, adds = self.get(store, deal.process_version_id)
        snapshot, journal = stored or store.instance_state(deal)
        plan = move.plan(self.ctx.engine.compose(snapshot, journal))
        reasons = list(plan.reasons)
        if plan.movable and adds and plan.after is not None and plan.after.stage is not None:
            new = move.new_info.rules
            stages = stages_to_check(new, plan.after.stage.key, deal.stages_reached)
            facts = deal_facts(store, deal, stages, orders=False, known=known)
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
    limit: object = None,
    cursor: str | None = None,
) -> MigrationPreview:
    """Where the open deals on the older versions are (all of them, counted) and where a page
    of them, oldest first, would land or why it cannot move (planned)."""
    require_admin(actor, _("migrate running deals"))
    size = checked_limit(limit)
    at = decode_cursor(cursor, PREVIEW_SORT.name)
    with ctx.uow() as store:
        target = resolve(store, key, from_version, to_version)
        positions: list[tuple[int, int, str, Position]] = []
        for v, stage, n in store.open_positions(target.from_ids):
            named = {s.key: s for s in common.info_for(ctx, store, v).stages}
            known = named.get(stage or "")
            order = known.order if known else len(named)
            place = Position(target.from_ids[v], stage, known.name if known else stage, n)
            positions.append((target.from_ids[v], order, stage or "", place))
        positions.sort(key=lambda p: p[:3])
        total = sum(p[3].deals for p in positions)
        page = store.open_deal_page(target.from_ids, at, size, total)
        owners = store.usernames(d.owner_id for d in page)
        movers = Movers(ctx, target)
        stored = store.instance_states(page.items)
        versions = {d.process_version_id for d in page}
        # Sales rules added by the target read each deal's records: read the page's at once.
        checks = any(movers.get(store, v)[1] for v in sorted(versions))
        records = rule_records(store, page.items) if checks else None

        def planned(deals: Sequence[Deal]) -> list[MigrationRow]:
            rows = []
            for deal in deals:
                plan, reasons = movers.plan(store, deal, stored[deal.id], records)
                version = target.from_ids[deal.process_version_id]
                rows.append(row(deal, owners.get(deal.owner_id), version, plan, reasons))
            return rows

        process = store.get(Process, target.process_id, "process")
        open_deals = store.open_by_version(process.id)
        choices = [
            VersionChoice(v.version, v.enabled, open_deals.get(v.id, 0)) for v in process.versions
        ]
        return MigrationPreview(
            target.key,
            target.name,
            target.from_version,
            target.to_version,
            page.map(planned),
            store.count_on_versions(target.from_ids, open_deals=False),
            choices,
            [p[3] for p in positions],
        )
