"""Use cases for process definitions: lint, deploy, list, describe."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bpmn_sales.context import BUNDLED_DIAGRAMS, Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.engine import Problem
from bpmn_sales.errors import InvalidInput, NotFound
from bpmn_sales.persistence.models import Process, ProcessVersion
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_files(paths: list[Path]) -> dict[str, bytes]:
    """Read diagram files, refusing missing ones with their path."""
    files = {}
    for path in paths:
        try:
            files[path.name] = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="file") from None
    if not files:
        raise InvalidInput("no diagram files given", field="file")
    return files


def lint_diagrams(ctx: Context, files: Mapping[str, bytes]) -> list[Problem]:
    """Return every problem in the diagrams, errors and warnings."""
    return ctx.engine.lint(files)


def deploy_process(
    ctx: Context, actor: Actor | None, files: Mapping[str, bytes]
) -> list[DeployResult]:
    """Check and store the processes in the files; an unchanged diagram keeps its version."""
    if actor is not None:
        require_admin(actor, "deploy processes")
    compiled = ctx.engine.compile(files)
    results = []
    with ctx.uow() as store:
        for proc in compiled:
            results.append(
                _store_version(
                    ctx,
                    store,
                    actor,
                    proc.key,
                    proc.name,
                    proc.file,
                    files[proc.file],
                    proc.spec_json,
                )
            )
        store.commit()
    return results


def _store_version(
    ctx: Context,
    store: Store,
    actor: Actor | None,
    key: str,
    name: str,
    filename: str,
    xml: bytes,
    spec_json: str,
) -> DeployResult:
    digest = hashlib.sha256(spec_json.encode()).hexdigest()
    now = ctx.clock()
    process = store.process_by_key(key)
    if process is None:
        process = Process(key=key, name=name, created_at=now)
        store.add(process)
        store.flush()
    latest = store.latest_version(process.id, enabled_only=False)
    if latest is not None and latest.digest == digest:
        return DeployResult(key, process.name, latest.version, created=False)
    process.name = name
    version = ProcessVersion(
        process_id=process.id,
        version=(latest.version + 1) if latest else 1,
        filename=filename,
        bpmn_xml=xml.decode("utf-8"),
        spec_json=spec_json,
        digest=digest,
        enabled=True,
        deployed_at=now,
        deployed_by_id=actor.id if actor else None,
    )
    store.add(version)
    store.flush()
    return DeployResult(key, name, version.version, created=True)


def deploy_bundled(ctx: Context) -> list[DeployResult]:
    """Deploy the diagrams shipped in bpmn/ (what `init` does)."""
    paths = sorted(BUNDLED_DIAGRAMS.glob("*.bpmn"))
    return deploy_process(ctx, None, read_files(paths))


def current_version(store: Store, key: str) -> ProcessVersion:
    process = store.process_by_key(key)
    if process is None:
        raise NotFound(f"process '{key}' is not deployed (run `bpmn-sales init`)", process=key)
    version = store.latest_version(process.id)
    if version is None:
        raise NotFound(f"process '{key}' has no enabled version", process=key)
    return version


def _view(ctx: Context, store: Store, process: Process) -> ProcessView | None:
    version = store.latest_version(process.id, enabled_only=False)
    if version is None:
        return None
    info = ctx.engine.info(*spec_loader(store, version))
    return ProcessView(
        key=process.key,
        name=process.name,
        version=version.version,
        versions=len(process.versions),
        enabled=version.enabled,
        deployed_at=version.deployed_at,
        stages=[asdict(s) for s in info.stages],
        messages=info.messages,
        lost_reasons=info.lost_reasons,
        in_use=sum(store.version_usage(v.id) for v in process.versions),
    )


def list_processes(ctx: Context) -> list[ProcessView]:
    with ctx.uow() as store:
        views = [_view(ctx, store, p) for p in store.processes()]
    return [v for v in views if v is not None]


def get_process(ctx: Context, key: str) -> ProcessView:
    with ctx.uow() as store:
        process = store.process_by_key(key)
        view = _view(ctx, store, process) if process else None
    if view is None:
        raise NotFound(f"process '{key}' is not deployed", process=key)
    return view
