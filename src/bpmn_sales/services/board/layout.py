"""What a board is laid out from: the process shown, its stages in board order, whose deals."""

from __future__ import annotations

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, Role
from bpmn_sales.domain.rules import StageRule
from bpmn_sales.errors import Forbidden, InvalidInput, InvalidState, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import BoardColumn, Process, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.processes.choice import version_for


def can_configure(actor: Actor) -> bool:
    return actor.role in (Role.MANAGER, Role.ADMIN)


def require_configure(actor: Actor) -> None:
    if not can_configure(actor):
        raise Forbidden(_("only a manager or an admin may change the board's columns"))


def stages_of(ctx: Context, store: Store, process: Process) -> list[StageRule]:
    version = store.latest_version(process.id) or store.latest_version(process.id, False)
    if version is None:
        return []
    return list(common.info_for(ctx, store, version.id).rules.stages)


def pick_process(
    ctx: Context,
    store: Store,
    key: str | None,
    actor: Actor | None = None,
    owners: list[int] | None = None,
) -> tuple[Process, list[StageRule], list[dict[str, str]]]:
    """The process to show and the choices. By default the actor's own: the enabled one most
    of their (or their team's; with an owner or team filter, those `owners'`) open deals run
    on, else the one their new deals start on, else the first enabled one with stages."""
    choices = []
    staged: dict[str, tuple[Process, list[StageRule]]] = {}
    for process in store.processes():
        stages = stages_of(ctx, store, process)
        if stages:
            staged[process.key] = (process, stages)
            choices.append({"key": process.key, "name": process.name})
    if key:
        if key not in staged:
            if store.process_by_key(key) is None:
                raise NotFound(_("process '%(process)s' is not deployed", process=key), process=key)
            raise InvalidInput(
                _("process '%(process)s' has no stages to show", process=key), field="process"
            )
        return (*staged[key], choices)
    enabled = [p for p, _stages in staged.values() if p.enabled]
    own = _own_process(ctx, store, actor, enabled, owners)
    if own is not None:
        return (*staged[own.key], choices)
    for process, stages in staged.values():
        if process.enabled:
            return process, stages, choices
    if staged:
        return (*next(iter(staged.values())), choices)
    raise NotFound(_("no deployed process has stages (run `bpmn-sales init`)"))


def _own_process(
    ctx: Context,
    store: Store,
    actor: Actor | None,
    enabled: list[Process],
    owners: list[int] | None = None,
) -> Process | None:
    """The process most of the actor's (and their team's) open deals run on, else the one a
    new deal of theirs would start on (services/processes/choice.py)."""
    if actor is None or not enabled:
        return None
    by_id = {p.id: p for p in enabled}
    whose = owners if owners is not None else [actor.id, *store.report_ids(actor.id)]
    for process_id in store.own_process_ids(whose):
        if process_id in by_id:
            return by_id[process_id]
    user = store.session.get(User, actor.id)
    try:
        version = version_for(ctx, store, user, "deal") if user else None
    except InvalidState:
        return None
    return by_id.get(version.process_id) if version else None


def ordered(stages: list[StageRule], rows: list[BoardColumn]) -> list[tuple[StageRule, str, int]]:
    """Stages in board order with their labels: saved positions first, diagram order after."""
    saved = {row.stage_key: row for row in rows}
    keyed = []
    for index, stage in enumerate(stages):
        row = saved.get(stage.key)
        position = row.position if row and row.position is not None else len(stages) + index
        keyed.append((position, index, stage, (row.label if row else None) or stage.name))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [(stage, label, n + 1) for n, (_, _, stage, label) in enumerate(keyed)]


def owner_filter(
    store: Store, actor: Actor, owner: str | None, team: str | None
) -> tuple[list[int] | None, list[User]]:
    """Owner ids the board shows, and the users the actor may filter by."""
    visible = common.visible_owner_ids(store, actor)
    people = [u for u in store.users() if visible is None or u.id in visible]
    ids = visible
    if owner:
        user = next((u for u in people if u.username == owner), None)
        if user is None:
            raise InvalidInput(
                _("owner '%(owner)s' is not someone whose deals you can see", owner=owner),
                field="owner",
            )
        ids = [user.id]
    if team:
        boss = store.user_by_username(team)
        if boss is None or boss.role not in (Role.MANAGER, Role.ADMIN):
            raise InvalidInput(
                _("team '%(team)s' must be a manager's user name", team=team), field="team"
            )
        members = {boss.id, *store.report_ids(boss.id)}
        ids = [i for i in (ids if ids is not None else members) if i in members]
    return ids, people


def configurable(
    ctx: Context, store: Store, actor: Actor, process_key: object
) -> tuple[Process, list[StageRule]]:
    require_configure(actor)
    if not isinstance(process_key, str) or not process_key:
        raise InvalidInput(
            _("process is required: the key of the board's process"), field="process"
        )
    process = store.process_by_key(process_key)
    if process is None:
        raise NotFound(
            _("process '%(process)s' is not deployed", process=process_key), process=process_key
        )
    return process, stages_of(ctx, store, process)


def unknown(key: str, stages: list[StageRule]) -> str:
    known = ", ".join(s.key for s in stages) or _("none")
    return _("stage '%(stage)s' is not a stage of this process (%(known)s)", stage=key, known=known)
