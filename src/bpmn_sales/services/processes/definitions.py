"""Use cases for process definitions: lint, deploy, list, describe, enable, scope."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bpmn_sales.context import BUNDLED_DIAGRAMS, Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.engine import Problem
from bpmn_sales.engine.diagrams.forms import is_form_file, referenced_files
from bpmn_sales.errors import InvalidInput, InvalidState, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Process, ProcessVersion
from bpmn_sales.persistence.queries.library import DEAL_STATUSES
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.common import spec_loader


@dataclass(frozen=True)
class ProcessView:
    key: str
    name: str
    version: int
    versions: int
    enabled: bool
    deployed_at: datetime
    stages: list[dict[str, Any]]
    messages: list[str]
    lost_reasons: list[str]
    in_use: int

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "deployed_at": self.deployed_at.isoformat()}


@dataclass(frozen=True)
class DeployResult:
    key: str
    name: str
    version: int
    created: bool
    # The version that was newest before this deploy (None for a new process).
    previous: int | None = None
    # Versions switched off for new deals by `disable_previous`.
    disabled: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_files(paths: list[Path]) -> dict[str, bytes]:
    """Read diagram files, refusing missing ones with their path."""
    files = {}
    for path in paths:
        try:
            files[path.name] = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(
                _("cannot read %(path)s: %(reason)s", path=path, reason=exc.strerror), field="file"
            ) from None
    if not files:
        raise InvalidInput(_("no diagram files given"), field="file")
    return files


def collect_files(paths: list[Path], by_path: bool = False) -> dict[str, bytes]:
    """Read diagrams and the JSON form files their user tasks name, found next to them.

    Keys are file names, or with `by_path` the paths as given (lint reports those).
    """
    files: dict[str, bytes] = {}
    for path in paths:
        data = read_files([path])[path.name]
        files[str(path) if by_path else path.name] = data
        if is_form_file(path.name):
            continue
        for name in sorted(referenced_files(data, path.name)):
            form = path.parent / name
            key = str(form) if by_path else name
            if key not in files and form.is_file():
                files[key] = read_files([form])[name]
    return files


def lint_diagrams(ctx: Context, files: Mapping[str, bytes]) -> list[Problem]:
    """Return every problem in the diagrams, errors and warnings."""
    return ctx.engine.lint(files)


def deploy_process(
    ctx: Context,
    actor: Actor | None,
    files: Mapping[str, bytes],
    *,
    disable_previous: bool = False,
) -> list[DeployResult]:
    """Check and store the processes in the files; an unchanged diagram keeps its version.

    Running deals stay on their version. With `disable_previous`, the older versions of a
    process that got a new one start no new deals (they start on the newest enabled one
    anyway; this keeps an operator from switching back to them by mistake).
    """
    if actor is not None:
        require_admin(actor, _("deploy processes"))
    with ctx.uow() as store:
        results = deploy_in(ctx, store, actor, files, disable_previous=disable_previous)
        store.commit()
    return results


def deploy_in(
    ctx: Context,
    store: Store,
    actor: Actor | None,
    files: Mapping[str, bytes],
    *,
    disable_previous: bool = False,
) -> list[DeployResult]:
    """Compile and store the processes in `store`'s transaction (the caller commits)."""
    results = []
    for proc in ctx.engine.compile(files):
        result = _store_version(
            ctx,
            store,
            actor,
            proc.key,
            proc.name,
            proc.file,
            files[proc.file],
            proc.spec_json,
            proc.forms,
        )
        if disable_previous and result.created:
            result = replace(result, disabled=_disable_older(store, proc.key, result.version))
        results.append(result)
    return results


def _disable_older(store: Store, key: str, newest: int) -> tuple[int, ...]:
    process = store.process_by_key(key)
    older = [v for v in process.versions if v.version < newest and v.enabled] if process else []
    for version in older:
        version.enabled = False
    return tuple(v.version for v in older)


def version_files(version: ProcessVersion) -> dict[str, bytes]:
    """A stored version's diagram and form files, as they would be uploaded again."""
    files = {version.filename: version.bpmn_xml.encode("utf-8")}
    for name, form in (version.forms or {}).items():
        files[name] = json.dumps(form, indent=2).encode("utf-8")
    return files


def _store_version(
    ctx: Context,
    store: Store,
    actor: Actor | None,
    key: str,
    name: str,
    filename: str,
    xml: bytes,
    spec_json: str,
    forms: dict[str, Any],
) -> DeployResult:
    content = spec_json
    if forms:  # a changed form is a new version; a diagram without forms keeps its digest
        content += "\n" + json.dumps(forms, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(content.encode()).hexdigest()
    now = ctx.clock()
    process = store.process_by_key(key)
    if process is None:
        process = Process(key=key, name=name, created_at=now)
        store.add(process)
        store.flush()
    latest = store.latest_version(process.id, enabled_only=False)
    previous = latest.version if latest else None
    if latest is not None and latest.digest == digest:
        return DeployResult(key, process.name, latest.version, created=False, previous=previous)
    process.name = name
    version = ProcessVersion(
        id=store.next_version_id(),
        process_id=process.id,
        version=(latest.version + 1) if latest else 1,
        filename=filename,
        bpmn_xml=xml.decode("utf-8"),
        spec_json=spec_json,
        digest=digest,
        forms=forms,
        enabled=True,
        deployed_at=now,
        deployed_by_id=actor.id if actor else None,
    )
    store.add(version)
    store.flush()
    return DeployResult(key, name, version.version, created=True, previous=previous)


def deploy_bundled(ctx: Context) -> list[DeployResult]:
    """Deploy the diagrams shipped in bpmn/ (what `init` does)."""
    paths = sorted(BUNDLED_DIAGRAMS.glob("*.bpmn"))
    if not paths:
        raise NotFound(
            _(
                "the bundled diagrams are missing: no .bpmn file in %(folder)s (reinstall "
                "bpmn-sales; in a checkout, bpmn_sales/bundled links to bpmn/)",
                folder=BUNDLED_DIAGRAMS,
            )
        )
    return deploy_process(ctx, None, collect_files(paths))


def startable_version(store: Store, key: str) -> ProcessVersion:
    """The version new leads and deals start on; refused while the process is disabled."""
    version = current_version(store, key)
    if not version.process.enabled:
        raise InvalidState(
            _("process '%(process)s' is disabled: no new leads or deals start on it", process=key),
            process=key,
        )
    return version


def current_version(store: Store, key: str) -> ProcessVersion:
    process = store.process_by_key(key)
    if process is None:
        raise NotFound(
            _("process '%(process)s' is not deployed (run `bpmn-sales init`)", process=key),
            process=key,
        )
    version = store.latest_version(process.id)
    if version is None:
        raise NotFound(_("process '%(process)s' has no enabled version", process=key), process=key)
    return version


def _view(ctx: Context, store: Store, process: Process, in_use: int) -> ProcessView | None:
    """The process as its newest version (enabled or not) describes it; `in_use` counts the
    deals and leads on its versions."""
    version = max(process.versions, key=lambda v: v.version, default=None)
    if version is None:
        return None
    info = ctx.engine.info(*spec_loader(store, version))
    return ProcessView(
        key=process.key,
        name=process.name,
        version=version.version,
        versions=len(process.versions),
        enabled=version.enabled and process.enabled,
        deployed_at=version.deployed_at,
        stages=[asdict(s) for s in info.stages],
        messages=info.messages,
        lost_reasons=info.lost_reasons,
        in_use=in_use,
    )


def _views(ctx: Context, store: Store, found: Sequence[Process]) -> list[ProcessView]:
    # Each version's deals and leads counted up to COUNT_CAP + 1 (an index range each), all
    # versions of all processes in one statement.
    usage = store.version_usage_counts([v.id for p in found for v in p.versions])
    views = [_view(ctx, store, p, sum(usage[v.id].total for v in p.versions)) for p in found]
    return [v for v in views if v is not None]


@dataclass(frozen=True)
class ProcessChoice:
    """A process as a list's filter offers it: its key, name and newest version's stages."""

    key: str
    name: str
    enabled: bool
    stages: list[dict[str, Any]]


def process_choices(ctx: Context) -> list[ProcessChoice]:
    """Every deployed process with its newest version's stages, in two queries (the lists'
    filters; `list_processes` also counts what runs on each)."""
    with ctx.uow() as store:
        found = store.processes()
        latest = store.latest_versions([p.id for p in found])
        choices = []
        for process in found:
            version = latest.get(process.id)
            if version is None:
                continue
            info = ctx.engine.info(*spec_loader(store, version))
            choices.append(
                ProcessChoice(
                    process.key,
                    process.name,
                    version.enabled and process.enabled,
                    [asdict(s) for s in info.stages],
                )
            )
        return choices


def list_processes(ctx: Context) -> list[ProcessView]:
    with ctx.uow() as store:
        return _views(ctx, store, store.processes_with_versions())


def get_process(ctx: Context, key: str) -> ProcessView:
    with ctx.uow() as store:
        process = store.process_by_key(key)
        views = _views(ctx, store, [process]) if process else []
    if not views:
        raise NotFound(_("process '%(process)s' is not deployed", process=key), process=key)
    return views[0]


@dataclass(frozen=True)
class ProcessAdminView:
    """A process as the admin page lists it."""

    key: str
    name: str
    version: int
    versions: int
    enabled: bool
    departments: list[str]
    stages: int
    open_deals: int
    total_deals: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _admin_views(ctx: Context, store: Store, found: Sequence[Process]) -> list[ProcessAdminView]:
    # Counted up to COUNT_CAP + 1 each, every process in one statement: a list of processes
    # never reads every deal, nor a process at a time.
    counts = store.status_counts_of(
        {p.id: [v.id for v in p.versions] for p in found}, DEAL_STATUSES
    )
    views = []
    for process in found:
        latest = max(process.versions, key=lambda v: v.version, default=None)
        stages = len(ctx.engine.info(*spec_loader(store, latest)).stages) if latest else 0
        views.append(
            ProcessAdminView(
                key=process.key,
                name=process.name,
                version=latest.version if latest else 0,
                versions=len(process.versions),
                enabled=process.enabled,
                departments=[d.name for d in process.departments],
                stages=stages,
                open_deals=counts[process.id].get("open", 0),
                total_deals=sum(counts[process.id].values()),
            )
        )
    return views


def list_for_admin(ctx: Context, actor: Actor | None) -> list[ProcessAdminView]:
    """Every process with its switch, departments and how many deals use it (admin)."""
    if actor is not None:
        require_admin(actor, _("manage processes"))
    with ctx.uow() as store:
        return _admin_views(ctx, store, store.processes_with_versions())


def process_for_admin(ctx: Context, actor: Actor | None, key: str) -> ProcessAdminView:
    """One process with its switch, departments and how many deals use it (admin)."""
    if actor is not None:
        require_admin(actor, _("manage processes"))
    with ctx.uow() as store:
        return _admin_views(ctx, store, [find_process(store, key)])[0]


def department_names(ctx: Context) -> list[str]:
    with ctx.uow() as store:
        return [d.name for d in store.departments()]


def find_process(store: Store, key: object) -> Process:
    """The process with this key; a missing or malformed key is a 404 naming it."""
    process = store.process_by_key(key) if isinstance(key, str) and key else None
    if process is None:
        raise NotFound(_("process '%(process)s' is not deployed", process=key), process=str(key))
    return process


def set_enabled(ctx: Context, actor: Actor | None, key: str, enabled: bool) -> ProcessAdminView:
    """Enable or disable a process: a disabled one starts no new leads or deals."""
    if actor is not None:
        require_admin(actor, _("enable or disable processes"))
    if not isinstance(enabled, bool):
        raise InvalidInput(_("enabled must be true or false"), field="enabled")
    with ctx.uow() as store:
        process = find_process(store, key)
        process.enabled = enabled
        store.commit()
        return _admin_views(ctx, store, [process])[0]


def set_departments(ctx: Context, actor: Actor | None, key: str, names: object) -> ProcessAdminView:
    """Set the departments a process applies to (existing departments only; [] clears)."""
    if actor is not None:
        require_admin(actor, _("set the departments of processes"))
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidInput(_("departments must be a list of department names"), field="departments")
    with ctx.uow() as store:
        process = find_process(store, key)
        known = {d.name: d for d in store.departments()}
        chosen = []
        for name in dict.fromkeys(n.strip() for n in names if n.strip()):
            if name not in known:
                listed = ", ".join(known) or _("none yet")
                raise InvalidInput(
                    _(
                        "department '%(department)s' does not exist (known: %(known)s)",
                        department=name,
                        known=listed,
                    ),
                    field="departments",
                )
            chosen.append(known[name])
        process.departments = chosen
        store.commit()
        return _admin_views(ctx, store, [process])[0]
