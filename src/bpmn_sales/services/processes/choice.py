"""Which process a new lead or deal starts on: the enabled one that applies to its owner.

A process applies to the departments it lists, or to every department when it lists none.
Among the enabled processes of the right kind (a sales process has stages, a lead process
has none), one that names the owner's department wins over one that applies everywhere;
within a tier the default process (sales_process, lead_qualification) wins, then the oldest.
A process named explicitly must be enabled and apply to the owner's department.
"""

from __future__ import annotations

from typing import Literal

from bpmn_sales.context import Context
from bpmn_sales.errors import InvalidInput, InvalidState
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Process, ProcessVersion, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.common import spec_loader
from bpmn_sales.services.processes.definitions import startable_version

Kind = Literal["deal", "lead"]
DEFAULT_KEYS: dict[Kind, str] = {"deal": "sales_process", "lead": "lead_qualification"}


def version_for(
    ctx: Context, store: Store, owner: User, kind: Kind, key: str | None = None
) -> ProcessVersion:
    """The version a new lead or deal owned by `owner` starts on (the newest enabled one)."""
    if key:
        named = startable_version(store, key)
        _check_applies(store, named.process, owner)
        return named
    department = owner.department_id
    tiers: tuple[list[ProcessVersion], list[ProcessVersion]] = ([], [])
    for process in store.processes():
        latest = store.latest_version(process.id) if process.enabled else None
        if latest is None or _kind(ctx, store, latest) != kind:
            continue
        listed = {d.id for d in process.departments}
        if department is not None and department in listed:
            tiers[0].append(latest)
        elif not listed:
            tiers[1].append(latest)
    for tier in tiers:
        if tier:
            return min(tier, key=lambda v: (v.process.key != DEFAULT_KEYS[kind], v.process_id))
    raise InvalidState(
        _no_process(kind, _department_name(store, owner) if department else None, owner.username),
        owner=owner.username,
    )


def _no_process(kind: Kind, department: str | None, owner: str) -> str:
    """Why no process can start a record of `kind` for `owner` (of `department`, if any)."""
    hint = "(or with bpmn-sales process departments KEY --set ...)"
    if kind == "deal" and department is not None:
        return _(
            "no enabled sales process applies to department '%(department)s' (owner %(owner)s): "
            "enable one or add the department to one on /processes %(hint)s",
            department=department,
            owner=owner,
            hint=hint,
        )
    if kind == "deal":
        return _(
            "no enabled sales process applies to every department (owner %(owner)s): "
            "enable one or add the department to one on /processes %(hint)s",
            owner=owner,
            hint=hint,
        )
    if department is not None:
        return _(
            "no enabled lead process applies to department '%(department)s' (owner %(owner)s): "
            "enable one or add the department to one on /processes %(hint)s",
            department=department,
            owner=owner,
            hint=hint,
        )
    return _(
        "no enabled lead process applies to every department (owner %(owner)s): "
        "enable one or add the department to one on /processes %(hint)s",
        owner=owner,
        hint=hint,
    )


def _kind(ctx: Context, store: Store, version: ProcessVersion) -> Kind:
    return "deal" if ctx.engine.info(*spec_loader(store, version)).rules.stages else "lead"


def _check_applies(store: Store, process: Process, owner: User) -> None:
    listed = {d.id: d.name for d in process.departments}
    if not listed or owner.department_id in listed:
        return
    raise InvalidInput(
        _(
            "process '%(process)s' applies to %(departments)s, not to %(owner)s's department "
            "(%(department)s)",
            process=process.key,
            departments=", ".join(sorted(listed.values())),
            owner=owner.username,
            department=_department_name(store, owner) or _("none"),
        ),
        field="process",
    )


def _department_name(store: Store, owner: User) -> str | None:
    if owner.department_id is None:
        return None
    return next((d.name for d in store.departments() if d.id == owner.department_id), None)
