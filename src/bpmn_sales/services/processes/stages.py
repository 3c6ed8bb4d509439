"""Use cases for a process's stages from the board: add one, delete one.

Each edit changes the latest version's diagram (engine/editing/stage_edit.py), lints it and deploys
it as a new version in one transaction: running deals stay on the version they started on, new deals
start on the new one. A stage that any deal (open or closed, on any version) is at cannot be
deleted; the refusal says how many.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.keys import stage_key
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.engine.editing.stage_edit import NewStage, add_stage, delete_stage
from bpmn_sales.errors import InvalidInput, InvalidState, NotFound
from bpmn_sales.i18n import _, ngettext
from bpmn_sales.persistence.models import Process
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.processes import definitions
from bpmn_sales.services.processes.definitions import find_process


@dataclass(frozen=True)
class StageChange:
    """What an edit did: the process, the version it made, the stage added or deleted."""

    process: str
    version: int
    stage: str
    action: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _text(value: object, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s must be text", field=field), field=field)
    return value.strip()


def _win_rate(value: object) -> float | None:
    if value is None or value == "":
        return None
    wrong = InvalidInput(_("the win rate must be a number from 0 to 100"), field="win_rate")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise wrong
    try:
        rate = float(value)
    except ValueError:
        raise wrong from None
    if not 0 <= rate <= 100:
        raise wrong
    return rate


def _edit(
    ctx: Context, store: Store, actor: Actor, process: Process, change: Callable[..., bytes]
) -> int:
    """Apply `change` to the latest version's diagram, lint it and store the new version."""
    version = store.latest_version(process.id, enabled_only=False)
    if version is None:
        raise NotFound(
            _("process '%(process)s' has no version", process=process.key), process=process.key
        )
    files = definitions.version_files(version)
    files[version.filename] = change(files[version.filename], version.filename)
    errors = [p for p in ctx.engine.lint(files) if p.severity == "error"]
    if errors:
        raise InvalidState(
            _(
                "the edited diagram does not pass lint: %(problem)s; edit it in a modeler instead",
                problem=errors[0],
            ),
            problems=[str(p) for p in errors],
        )
    deployed = definitions.deploy_in(ctx, store, actor, files)
    return next(r.version for r in deployed if r.key == process.key)


def add(
    ctx: Context,
    actor: Actor,
    process_key: object,
    after: object,
    name: object,
    key: object = None,
    win_rate: object = None,
    description: object = None,
    activity: object = None,
) -> StageChange:
    """Add a stage after the stage `after`, as a new version of the process (admins)."""
    require_admin(actor, _("add stages to a process"))
    title = _text(name, "name")
    if not title:
        raise InvalidInput(_("the stage needs a name"), field="name")
    chosen = _text(key, "key")
    if not _text(after, "after"):
        raise InvalidInput(_("say after which stage the new one goes"), field="after")
    rate = _win_rate(win_rate)
    with ctx.uow() as store:
        process = find_process(store, process_key)
        new = NewStage(
            after=_text(after, "after"),
            key=chosen or _key_for(title, _stage_names(ctx, store, process)),
            name=title,
            win_rate=rate,
            description=_text(description, "description"),
            activity=_text(activity, "activity"),
        )
        version = _edit(ctx, store, actor, process, lambda xml, f: add_stage(xml, f, new))
        _place_column(store, process, new.after, new.key, ctx)
        store.commit()
    return StageChange(process.key, version, new.key, "added")


def _stage_names(ctx: Context, store: Store, process: Process) -> dict[str, str]:
    """The latest version's stages, key to name."""
    version = store.latest_version(process.id, enabled_only=False)
    if version is None:
        return {}
    return {s.key: s.name for s in common.info_for(ctx, store, version.id).rules.stages}


def _key_for(name: str, stages: dict[str, str]) -> str:
    """The key made from `name`, numbered when another stage has it (`Negociation` beside
    `Négociation`); a stage of the same name keeps the key, so the edit refuses it as taken."""
    key = stage_key(name)
    if key in stages and stages[key].casefold() == name.casefold():
        return key
    return stage_key(name, stages)


def delete(ctx: Context, actor: Actor, process_key: object, stage_key: object) -> StageChange:
    """Delete a stage no deal is at, as a new version of the process (admins)."""
    require_admin(actor, _("delete stages from a process"))
    key = _text(stage_key, "stage")
    with ctx.uow() as store:
        process = find_process(store, process_key)
        counts = store.process_deal_counts(process.id, None, key)
        total = sum(counts.values())
        if total:
            open_deals = counts.get("open", 0)
            raise InvalidState(
                _held(key, open_deals, total - open_deals),
                stage=key,
                deals=total,
                open_deals=open_deals,
                closed_deals=total - open_deals,
            )
        version = _edit(ctx, store, actor, process, lambda xml, f: delete_stage(xml, f, key))
        store.delete_board_column(process.id, key)
        store.commit()
    return StageChange(process.key, version, key, "deleted")


def _held(key: str, open_deals: int, closed: int) -> str:
    """Why a stage with deals cannot go, and what can be done: open deals can be moved away,
    closed ones keep the stage they ended at for good."""
    if not closed:
        return ngettext(
            "stage '%(stage)s' cannot be deleted: %(num)s open deal(s) are at it; move them to "
            "another stage first",
            "stage '%(stage)s' cannot be deleted: %(num)s open deal(s) are at it; move them to "
            "another stage first",
            open_deals,
            stage=key,
        )
    if open_deals:
        return _(
            "stage '%(stage)s' cannot be deleted: %(open)s open deal(s) are at it, and %(closed)s "
            "closed deal(s) ended at it and keep it in their history, so it stays; fold its "
            "column on the board to hide it, or clone the process and delete the stage in the "
            "clone",
            stage=key,
            open=open_deals,
            closed=closed,
        )
    return ngettext(
        "stage '%(stage)s' cannot be deleted: %(num)s closed deal(s) ended at it and keep it in "
        "their history, so it stays; fold its column on the board to hide it, or clone the "
        "process and delete the stage in the clone",
        "stage '%(stage)s' cannot be deleted: %(num)s closed deal(s) ended at it and keep it in "
        "their history, so it stays; fold its column on the board to hide it, or clone the "
        "process and delete the stage in the clone",
        closed,
        stage=key,
    )


def _place_column(store: Store, process: Process, after: str, key: str, ctx: Context) -> None:
    """Where columns have saved positions, the new one goes right after `after`'s column."""
    rows = sorted(
        (r for r in store.board_columns(process.id) if r.position is not None),
        key=lambda r: r.position or 0,
    )
    anchor = next((r for r in rows if r.stage_key == after), None)
    if anchor is None or anchor.position is None:
        return
    for row in rows:
        if row.position is not None and row.position > anchor.position:
            row.position += 1
    store.add_board_column(process.id, key, anchor.position + 1, ctx.clock())
