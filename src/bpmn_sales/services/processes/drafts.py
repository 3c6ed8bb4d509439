"""Use cases of the in-browser modeler: drafts opened, saved, linted, discarded and deployed.

A process has at most one draft. A draft runs nothing: no version or deal changes until it is
deployed, which goes through the same checks as any upload and deletes the draft. Each save
gets a new `revision`; a save or deploy based on an older one is refused with who saved when.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.calibration import StageCalibration
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.engine import Problem
from bpmn_sales.engine.diagrams import vocabulary
from bpmn_sales.engine.diagrams.lint import calibration_problems
from bpmn_sales.engine.editing.draft_xml import process_ids
from bpmn_sales.errors import Conflict, InvalidInput, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Process, ProcessDraft, ProcessVersion
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.analytics.calibration import observed_rates
from bpmn_sales.services.processes.definitions import (
    DeployResult,
    deploy_in,
    find_process,
    version_files,
)

MODES = ("new_version", "migrate")


@dataclass(frozen=True)
class DraftView:
    """What the modeler opens: the draft's XML, or a version's when there is no draft."""

    key: str
    name: str
    filename: str
    xml: str
    source: str  # "draft" or "version"
    version: int | None  # the version shown, or the one the draft is based on
    latest_version: int
    # The stored draft's revision (None: no draft); a save sends it back as base_revision.
    revision: str | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["updated_at"] = self.updated_at.isoformat() if self.updated_at else None
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


@dataclass(frozen=True)
class DraftDeployed:
    result: DeployResult
    # Where to go next: the migration preview for mode "migrate" (when a version was made).
    redirect: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**self.result.to_dict(), "redirect": self.redirect}


def vocabulary_schema() -> dict[str, Any]:
    """The sales-rule vocabulary's JSON Schema, which the modeler's properties panel edits."""
    return vocabulary.schema()


def _latest(store: Store, process: Process) -> ProcessVersion:
    latest = store.latest_version(process.id, enabled_only=False)
    if latest is None:
        raise NotFound(
            _("process '%(process)s' has no version to edit", process=process.key),
            process=process.key,
        )
    return latest


def _base(store: Store, process: Process, draft: ProcessDraft | None) -> ProcessVersion:
    """The version a draft takes its file name and forms from (the newest once it is gone)."""
    if draft is not None and draft.based_on is not None:
        return draft.based_on
    return _latest(store, process)


def _view(store: Store, process: Process, source: ProcessVersion | ProcessDraft) -> DraftView:
    draft = store.draft_for(process.id)
    base = _base(store, process, draft) if isinstance(source, ProcessDraft) else source
    return DraftView(
        key=process.key,
        name=process.name,
        filename=base.filename,
        xml=source.xml if isinstance(source, ProcessDraft) else source.bpmn_xml,
        source="draft" if isinstance(source, ProcessDraft) else "version",
        version=base.version if isinstance(source, ProcessVersion) or source.based_on else None,
        latest_version=_latest(store, process).version,
        revision=draft.revision if draft else None,
        updated_by=draft.updated_by.username if draft and draft.updated_by else None,
        updated_at=draft.updated_at if draft else None,
    )


def open_draft(
    ctx: Context, actor: Actor | None, key: str, version: int | None = None
) -> DraftView:
    """The draft if there is one (and no `version` is asked for), else a version's diagram."""
    if actor is not None:
        require_admin(actor, _("edit process diagrams"))
    with ctx.uow() as store:
        process = find_process(store, key)
        draft = store.draft_for(process.id)
        if version is None and draft is not None:
            return _view(store, process, draft)
        if version is None:
            return _view(store, process, _latest(store, process))
        found = store.process_version(process.id, version)
        if found is None:
            raise NotFound(
                _("process '%(process)s' has no version %(version)s", process=key, version=version),
                process=key,
            )
        return _view(store, process, found)


def _xml_bytes(xml: object, filename: str, key: str) -> bytes:
    if not isinstance(xml, str) or not xml.strip():
        raise InvalidInput(_("xml must be the diagram's BPMN XML as a string"), field="xml")
    data = xml.encode("utf-8")
    ids = process_ids(data, filename)
    if key not in ids:
        found = ", ".join(ids) or _("none")
        raise InvalidInput(
            _(
                "the diagram defines no process with id '%(process)s' (it defines: %(found)s); "
                "keep the process id: it names the process",
                process=key,
                found=found,
            ),
            field="xml",
        )
    return data


def _check_revision(draft: ProcessDraft | None, base_revision: object) -> None:
    if base_revision is not None and not isinstance(base_revision, str):
        raise InvalidInput(
            _("base_revision must be the revision string you opened"), field="base_revision"
        )
    if draft is None and base_revision:
        raise Conflict(
            _(
                "the draft you opened no longer exists: it was deployed or discarded since; "
                "reload the modeler (your changes are not saved)"
            )
        )
    if draft is not None and draft.revision != base_revision:
        who = draft.updated_by.username if draft.updated_by else _("someone")
        when = draft.updated_at.strftime("%Y-%m-%d %H:%M UTC")
        raise Conflict(
            _(
                "%(who)s saved this draft at %(when)s, after you opened it; reload to see their "
                "changes (yours are not saved)",
                who=who,
                when=when,
            ),
            saved_by=who,
            saved_at=draft.updated_at.isoformat(),
            revision=draft.revision,
        )


def save_draft(
    ctx: Context,
    actor: Actor | None,
    key: str,
    xml: object,
    base_revision: object = None,
    based_on: int | None = None,
) -> DraftView:
    """Store the modeler's XML as the process's draft; returns it with its lint problems.

    `base_revision` is the draft revision the editor started from (None: it started from a
    version, with no draft); `based_on` the version it opened, if it opened one.
    """
    if actor is not None:
        require_admin(actor, _("edit process diagrams"))
    with ctx.uow() as store:
        process = find_process(store, key)
        draft = store.draft_for(process.id, lock=True)
        _check_revision(draft, base_revision)
        base = _base(store, process, draft)
        if based_on is not None:  # the editor opened a version: the draft now derives from it
            base = store.process_version(process.id, based_on) or base
        data = _xml_bytes(xml, base.filename, key)
        if draft is None:
            draft = ProcessDraft(process_id=process.id)
            store.add(draft)
        draft.based_on = base
        draft.xml = data.decode("utf-8")
        draft.revision = secrets.token_hex(8)
        draft.updated_by_id = actor.id if actor else None
        draft.updated_at = ctx.clock()
        store.commit()
        files = _files(base, draft.xml)
        view = _view(store, process, draft)
        observed = observed_rates(store, process.id)
    return replace(view, problems=_checked(ctx, files, view.key, observed))


def _checked(
    ctx: Context, files: dict[str, bytes], key: str, observed: dict[str, StageCalibration]
) -> list[Problem]:
    """The lint's problems, then information beside a stage whose win rate lies outside what
    the closed deals show (services/analytics/calibration.py)."""
    return ctx.engine.lint(files) + calibration_problems(files, key, observed)


def _files(base: ProcessVersion, xml: str) -> dict[str, bytes]:
    """The draft as an upload: its XML under the version's file name, with the version's forms."""
    return {**version_files(base), base.filename: xml.encode("utf-8")}


def lint_draft(ctx: Context, actor: Actor | None, key: str, xml: object = None) -> list[Problem]:
    """The lint problems (errors and warnings, with element ids) of the stored draft, or of
    `xml` (the editor's unsaved diagram; nothing is stored)."""
    if actor is not None:
        require_admin(actor, _("edit process diagrams"))
    with ctx.uow() as store:
        process = find_process(store, key)
        draft = store.draft_for(process.id)
        base = _base(store, process, draft)
        if xml is not None:
            text = _xml_bytes(xml, base.filename, key).decode("utf-8")
        elif draft is None:
            raise NotFound(_("process '%(process)s' has no draft", process=key), process=key)
        else:
            text = draft.xml
        files = _files(base, text)
        observed = observed_rates(store, process.id)
    return _checked(ctx, files, key, observed)


def discard_draft(ctx: Context, actor: Actor | None, key: str) -> None:
    """Delete the process's draft; its versions and deals are untouched."""
    if actor is not None:
        require_admin(actor, _("edit process diagrams"))
    with ctx.uow() as store:
        process = find_process(store, key)
        if store.draft_for(process.id) is None:
            raise NotFound(_("process '%(process)s' has no draft", process=key), process=key)
        store.delete_draft(process.id)
        store.commit()


def deploy_draft(
    ctx: Context,
    actor: Actor | None,
    key: str,
    mode: object = "new_version",
    disable_previous: object = False,
    base_revision: object = None,
) -> DraftDeployed:
    """Deploy the draft like an upload (same parser, lint and compile) and delete it.

    "new_version": new deals start on it, running ones stay (`disable_previous` switches the
    older versions off for new deals). "migrate": the result names the migration preview page.
    """
    if actor is not None:
        require_admin(actor, _("deploy processes"))
    if mode not in MODES:
        raise InvalidInput(
            _(
                "mode must be one of %(known)s, not %(mode)s",
                known=", ".join(MODES),
                mode=repr(mode),
            ),
            field="mode",
        )
    if not isinstance(disable_previous, bool):
        raise InvalidInput(_("disable_previous must be true or false"), field="disable_previous")
    if mode == "migrate" and disable_previous:
        raise InvalidInput(
            _("disable_previous applies to mode new_version; migrating moves the running deals"),
            field="disable_previous",
        )
    with ctx.uow() as store:
        process = find_process(store, key)
        draft = store.draft_for(process.id, lock=True)
        if draft is None:
            raise NotFound(
                _("process '%(process)s' has no draft to deploy", process=key), process=key
            )
        if base_revision is not None:
            _check_revision(draft, base_revision)
        files = _files(_base(store, process, draft), draft.xml)
        results = deploy_in(ctx, store, actor, files, disable_previous=disable_previous)
        result = next((r for r in results if r.key == key), None)
        if result is None:
            raise InvalidInput(
                _("the draft deploys no process '%(process)s'", process=key), field="xml"
            )
        store.delete_draft(process.id)
        store.commit()
    redirect = None
    if mode == "migrate" and result.created and result.previous is not None:
        redirect = f"/processes/{key}/migrate?from={result.previous}&to={result.version}"
    return DraftDeployed(result, redirect)
