"""A migration's target versions and its run row: resolved, started, resumed, reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import InvalidInput, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import MigrationRun, ProcessVersion
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.processes.definitions import find_process
from bpmn_sales.services.processes.migration.views import MigrationProgress, RefusedDeal, RunView


def version_number(value: object, field_name: str) -> int | None:
    """A positive whole number from JSON, a form or the command line (None when absent)."""
    if value is None or value == "":
        return None
    wrong = InvalidInput(
        _("%(field)s must be a whole number from 1 up", field=field_name), field=field_name
    )
    if isinstance(value, bool):
        raise wrong
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise wrong from None
    if not isinstance(value, int) or value < 1:
        raise wrong
    return value


@dataclass
class Target:
    """The process, the version deals move to and the versions they move from."""

    process_id: int
    key: str
    name: str
    to_id: int
    to_version: int
    from_version: int | None
    from_ids: dict[int, int] = field(default_factory=dict)  # version id -> number


def resolve(store: Store, key: object, from_version: object, to_version: object) -> Target:
    """The target of a migration; the newest enabled version and every older one by default."""
    process = find_process(store, key)
    versions = {v.version: v for v in process.versions}
    known = _("it has versions 1 to %(last)s", last=max(versions)) if versions else _("it has none")
    to_n = version_number(to_version, "to")
    target: ProcessVersion | None
    if to_n is None:
        target = store.latest_version(process.id)
        if target is None:
            raise NotFound(
                _("process '%(process)s' has no enabled version", process=process.key),
                process=process.key,
            )
    elif to_n in versions:
        target = versions[to_n]
    else:
        raise InvalidInput(
            _(
                "process '%(process)s' has no version %(version)s (%(known)s)",
                process=process.key,
                version=to_n,
                known=known,
            ),
            "to",
        )
    from_n = version_number(from_version, "from")
    if from_n is not None and from_n not in versions:
        raise InvalidInput(
            _(
                "process '%(process)s' has no version %(version)s (%(known)s)",
                process=process.key,
                version=from_n,
                known=known,
            ),
            "from",
        )
    if from_n is not None and from_n >= target.version:
        raise InvalidInput(
            _(
                "deals move to a newer version: %(version)s is not older than %(target)s",
                version=from_n,
                target=target.version,
            ),
            "from",
        )
    older = [v for v in process.versions if v.version < target.version]
    chosen = [v for v in older if from_n is None or v.version == from_n]
    return Target(
        process.id,
        process.key,
        process.name,
        target.id,
        target.version,
        from_n,
        {v.id: v.version for v in chosen},
    )


def run_for(
    store: Store,
    actor: Actor,
    key: object,
    from_version: object,
    to_version: object,
    run_id: object,
    now: datetime,
) -> tuple[MigrationRun, Target]:
    """A new run (without `run_id`), or the run to go on with and its own versions."""
    number = version_number(run_id, "run")
    if number is None:
        target = resolve(store, key, from_version, to_version)
        run = MigrationRun(
            process_id=target.process_id,
            from_version=target.from_version,
            to_version_id=target.to_id,
            to_version=target.to_version,
            started_by_id=actor.id,
            started_at=now,
            updated_at=now,
            moved=0,
            refused=0,
            remaining=0,
            refused_deals={},
        )
        store.add(run)
        store.flush()
        return run, target
    found = store.session.get(MigrationRun, number)
    process = store.process_by_key(key) if isinstance(key, str) and key else None
    if found is None or process is None or found.process_id != process.id:
        raise NotFound(
            _(
                "migration run %(run)s of process '%(process)s' does not exist",
                run=number,
                process=key,
            ),
            run=number,
        )
    frm = found.from_version if from_version in (None, "") else from_version
    to = found.to_version if to_version in (None, "") else to_version
    target = resolve(store, key, frm, to)
    if (target.from_version, target.to_version) != (found.from_version, found.to_version):
        raise InvalidInput(
            _(
                "run %(run)s moves deals %(span)s to version %(version)s; start a new run for "
                "other versions",
                run=number,
                span=_span(found.from_version),
                version=found.to_version,
            ),
            field="run",
        )
    return found, target


def _span(from_version: int | None) -> str:
    if from_version is None:
        return _("from every older version")
    return _("from version %(version)s", version=from_version)


def progress_of(run: MigrationRun, key: str) -> MigrationProgress:
    refused = [
        RefusedDeal(int(deal_id), str(entry.get("name", "")), list(entry.get("reasons", [])))
        for deal_id, entry in sorted((run.refused_deals or {}).items(), key=lambda e: int(e[0]))
    ]
    return MigrationProgress(
        run_id=run.id,
        process=key,
        from_version=run.from_version,
        to_version=run.to_version,
        moved=run.moved,
        refused=run.refused,
        remaining=run.remaining,
        finished=run.finished_at is not None,
        refused_deals=refused,
    )


def run_views(store: Store, process_id: int) -> list[RunView]:
    rows = store.migration_runs(process_id)
    names = store.usernames(r.started_by_id for r in rows)
    return [
        RunView(
            run_id=r.id,
            from_version=r.from_version,
            to_version=r.to_version,
            started_by=names.get(r.started_by_id) if r.started_by_id else None,
            started_at=r.started_at,
            finished_at=r.finished_at,
            moved=r.moved,
            refused=r.refused,
            remaining=r.remaining,
        )
        for r in rows
    ]
