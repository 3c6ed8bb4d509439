"""Use cases of the process library: a process's versions, switching one, describing, deleting.

Cloning and the diff against a template are in `process_clone.py`, export and import in
`process_transfer.py`. A process or version that any deal or lead (open or closed) runs on
cannot be deleted; the refusal counts them. Deleting a process's last version deletes the
process. A template can be deleted: its clones keep running and lose the link.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.engine.editing.cloning import rewrite
from bpmn_sales.errors import InvalidInput, InvalidState, NotFound
from bpmn_sales.i18n import _, ngettext
from bpmn_sales.persistence.models import Process, ProcessVersion
from bpmn_sales.persistence.queries.library import Usage
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.processes import definitions
from bpmn_sales.services.processes.definitions import find_process

MAX_DESCRIPTION = 2000


@dataclass(frozen=True)
class VersionView:
    version: int
    filename: str
    enabled: bool
    deployed_at: datetime
    deployed_by: str | None
    deals_open: int
    deals_closed: int
    leads_open: int
    leads_closed: int
    # The version new deals and leads start on (the newest enabled one).
    current: bool = False

    @property
    def in_use(self) -> int:
        return self.deals_open + self.deals_closed + self.leads_open + self.leads_closed

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "deployed_at": self.deployed_at.isoformat(), "in_use": self.in_use}


@dataclass(frozen=True)
class ProcessDetail:
    key: str
    name: str
    description: str
    enabled: bool
    departments: list[str]
    template: str | None
    template_version: int | None
    clones: list[str]
    versions: list[VersionView] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "versions": [v.to_dict() for v in self.versions]}


@dataclass(frozen=True)
class Deleted:
    key: str
    versions: list[int]
    process_deleted: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def version_number(value: object) -> int:
    """A version number from a path, form or option: a positive integer."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 1:
        raise InvalidInput(
            _("version %(version)s is not a version number (1, 2, ...)", version=repr(value)),
            "version",
        )
    return value


def find_version(store: Store, process: Process, number: object) -> ProcessVersion:
    wanted = version_number(number)
    version = store.version_by_number(process.id, wanted)
    if version is None:
        have = ", ".join(f"v{v.version}" for v in process.versions) or _("none")
        raise NotFound(
            _(
                "process '%(process)s' has no version %(version)s (it has %(known)s)",
                process=process.key,
                version=wanted,
                known=have,
            ),
            process=process.key,
            version=wanted,
        )
    return version


def _detail(store: Store, process: Process) -> ProcessDetail:
    usage = store.version_usage_counts([v.id for v in process.versions])
    names = store.usernames(v.deployed_by_id for v in process.versions)
    current = store.latest_version(process.id)
    template = store.process_by_id(process.template_id)
    versions = [
        VersionView(
            version=v.version,
            filename=v.filename,
            enabled=v.enabled,
            deployed_at=v.deployed_at,
            deployed_by=names.get(v.deployed_by_id) if v.deployed_by_id else None,
            current=current is not None and v.id == current.id,
            **asdict(usage[v.id]),
        )
        for v in sorted(process.versions, key=lambda v: -v.version)
    ]
    return ProcessDetail(
        key=process.key,
        name=process.name,
        description=process.description or "",
        enabled=process.enabled,
        departments=[d.name for d in process.departments],
        template=template.key if template else None,
        template_version=process.template_version if template else None,
        clones=[c.key for c in store.clones_of(process.id)],
        versions=versions,
    )


def process_detail(ctx: Context, actor: Actor | None, key: str) -> ProcessDetail:
    """A process with its versions (who deployed each, when, switch, deals and leads on it)."""
    if actor is not None:
        require_admin(actor, _("see the versions of processes"))
    with ctx.uow() as store:
        return _detail(store, find_process(store, key))


def set_version_enabled(
    ctx: Context, actor: Actor | None, key: str, number: object, enabled: bool
) -> ProcessDetail:
    """Let one version start new deals and leads again, or stop it (running ones go on).

    New deals start on the newest enabled version; the last enabled version cannot be switched
    off (disable the process instead)."""
    if actor is not None:
        require_admin(actor, _("enable or disable process versions"))
    with ctx.uow() as store:
        process = find_process(store, key)
        version = find_version(store, process, number)
        others = [v for v in process.versions if v.enabled and v.id != version.id]
        if not enabled and version.enabled and not others:
            raise InvalidState(
                _(
                    "v%(version)s is the only enabled version of '%(process)s': disable the "
                    "process instead",
                    version=version.version,
                    process=process.key,
                ),
                process=process.key,
                version=version.version,
            )
        version.enabled = enabled
        store.commit()
        return _detail(store, process)


def description_text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(_("the description must be text"), field="description")
    if len(value.strip()) > MAX_DESCRIPTION:
        raise InvalidInput(
            _("the description is longer than %(most)s characters", most=MAX_DESCRIPTION),
            field="description",
        )
    return value.strip()


def describe(
    ctx: Context,
    actor: Actor | None,
    key: str,
    description: object = None,
    name: object = None,
) -> ProcessDetail:
    """Set a process's description; a new name is written into its diagram as a new version
    (the diagram is the source of the name: every deploy reads it from there)."""
    if actor is not None:
        require_admin(actor, _("describe processes"))
    text = description_text(description)
    title = _name(name)
    with ctx.uow() as store:
        process = find_process(store, key)
        if text is not None:
            process.description = text or None
        if title is not None and title != process.name:
            _rename(ctx, store, actor, process, title)
        store.commit()
        return _detail(store, process)


def _name(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 200:
        raise InvalidInput(_("the name must be 1 to 200 characters"), field="name")
    return value.strip()


def _rename(ctx: Context, store: Store, actor: Actor | None, process: Process, title: str) -> None:
    latest = store.latest_version(process.id, enabled_only=False)
    if latest is None:
        raise NotFound(
            _("process '%(process)s' has no version", process=process.key), process=process.key
        )
    files = definitions.version_files(latest)
    files[latest.filename] = rewrite(
        files[latest.filename], latest.filename, {}, {process.key: title}
    )
    definitions.deploy_in(ctx, store, actor, files)


def usage_message(usage: Usage, process: str, version: int | None = None) -> str:
    """Why a process (or one version of it) that deals or leads ran on cannot be deleted."""
    counts = {
        "deals": ngettext("%(num)s deal(s)", "%(num)s deal(s)", usage.deals),
        "open": usage.deals_open,
        "closed": usage.deals_closed,
        "leads": ngettext("%(num)s lead(s)", "%(num)s lead(s)", usage.leads),
    }
    if version is None:
        return _(
            "process '%(process)s' is used by %(deals)s (%(open)s open, %(closed)s closed) and "
            "%(leads)s; it cannot be deleted (disable it instead)",
            process=process,
            **counts,
        )
    return _(
        "version %(version)s of process '%(process)s' is used by %(deals)s (%(open)s open, "
        "%(closed)s closed) and %(leads)s; it cannot be deleted (disable it instead)",
        version=version,
        process=process,
        **counts,
    )


def _refuse_if_used(usage: Usage, process: Process, version: int | None = None) -> None:
    if usage.total:
        raise InvalidState(
            usage_message(usage, process.key, version),
            process=process.key,
            deals_open=usage.deals_open,
            deals_closed=usage.deals_closed,
            leads=usage.leads,
        )


def delete_process(ctx: Context, actor: Actor | None, key: str) -> Deleted:
    """Delete a process no deal or lead ever ran on, with every version of it."""
    if actor is not None:
        require_admin(actor, _("delete processes"))
    with ctx.uow() as store:
        process = find_process(store, key)
        ids = {v.id: v.version for v in process.versions}
        counts = store.version_usage_counts(list(ids))
        _refuse_if_used(sum(counts.values(), Usage()), process)
        store.remove_versions(process.id, list(ids), whole=True)
        store.commit()
    _forget(ctx, ids)
    return Deleted(key, sorted(ids.values()), True)


def delete_version(ctx: Context, actor: Actor | None, key: str, number: object) -> Deleted:
    """Delete one version no deal or lead ever ran on; the last one takes the process along."""
    if actor is not None:
        require_admin(actor, _("delete process versions"))
    with ctx.uow() as store:
        process = find_process(store, key)
        version = find_version(store, process, number)
        usage = store.version_usage_counts([version.id])[version.id]
        _refuse_if_used(usage, process, version.version)
        whole = len(process.versions) == 1
        ids = {version.id: version.version}
        store.remove_versions(process.id, list(ids), whole=whole)
        store.commit()
    _forget(ctx, ids)
    return Deleted(key, list(ids.values()), whole)


def _forget(ctx: Context, ids: dict[int, int]) -> None:
    """Drop the cached digests of deleted versions (their ids are never handed out again)."""
    for version_id in ids:
        ctx.digests.pop(version_id, None)
