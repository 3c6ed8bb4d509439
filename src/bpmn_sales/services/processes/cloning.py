"""Clone a process under a new key and name, and show what a clone changed against its template.

A clone is a new process whose version 1 is the template's newest diagram with the process ids
rewritten (engine/editing/cloning.py): the template's key becomes the new key, and every other
process the diagram files define (the sub-processes its call activities call, found in the same file
or deployed from another one) gets a key made from the new key (`cloning.sub_key`), so deploying the
clone never touches the template. Each cloned process keeps a link to the process and version it was
cloned from. Departments are not copied: a clone applies everywhere until an admin chooses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, required_text
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.engine.diagrams.forms import is_form_file
from bpmn_sales.engine.editing.cloning import (
    PROCESS_KEY,
    called_elements,
    process_ids,
    rewrite,
    sub_key,
)
from bpmn_sales.engine.editing.sales_diff import SalesDiff, sales_diff
from bpmn_sales.errors import InvalidInput, InvalidState, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Process, ProcessVersion
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.common import spec_loader
from bpmn_sales.services.processes import definitions
from bpmn_sales.services.processes.definitions import find_process
from bpmn_sales.services.processes.library import (
    description_text,
    find_version,
    version_number,
)


@dataclass(frozen=True)
class CloneResult:
    key: str
    name: str
    version: int
    template: str
    template_version: int
    # Every process the clone made: the clone itself first, then its cloned sub-definitions.
    processes: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DiffView:
    base: str
    base_version: int
    head: str
    head_version: int
    diff: SalesDiff
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "base_version": self.base_version,
            "head": self.head,
            "head_version": self.head_version,
            "note": self.note,
            **self.diff.to_dict(),
        }


def new_key(value: object, field: str = "key") -> str:
    if not isinstance(value, str) or not PROCESS_KEY.match(value.strip()):
        raise InvalidInput(
            _(
                "the new key %(key)s must start with a letter or '_' and hold only letters, "
                "digits, '_' and '-' (at most 100)",
                key=repr(value),
            ),
            field=field,
        )
    return value.strip()


def diagrams(files: Mapping[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if not is_form_file(name)}


def bundle(store: Store, version: ProcessVersion) -> dict[str, bytes]:
    """A version's diagram and forms, plus the files of deployed processes it calls that its
    own file does not define (and of those they call)."""
    files = definitions.version_files(version)
    defined = set(process_ids(files[version.filename], version.filename))
    wanted = set().union(*called_elements(files[version.filename], version.filename).values())
    while wanted - defined:
        key = sorted(wanted - defined)[0]
        called = store.process_by_key(key)
        latest = store.latest_version(called.id, enabled_only=False) if called else None
        if latest is None:
            raise InvalidState(
                _("the diagram calls process '%(process)s', which is not deployed", process=key)
            )
        for name, data in definitions.version_files(latest).items():
            if files.setdefault(name, data) != data:
                raise InvalidState(
                    _("two called processes come in files named '%(name)s'", name=name)
                )
        defined |= set(process_ids(files[latest.filename], latest.filename))
        calls = called_elements(files[latest.filename], latest.filename)
        wanted |= set().union(*calls.values())
    return files


def key_map(files: Mapping[str, bytes], old_key: str, key: str) -> dict[str, str]:
    """New keys for every process the diagram files define: `old_key` becomes `key`."""
    keys: dict[str, str] = {}
    for name, data in diagrams(files).items():
        for found in process_ids(data, name):
            keys[found] = key if found == old_key else sub_key(key, old_key, found)
    return keys


def rewritten(
    files: Mapping[str, bytes], keys: Mapping[str, str], names: Mapping[str, str]
) -> dict[str, bytes]:
    return {
        name: data if is_form_file(name) else rewrite(data, name, keys, names)
        for name, data in files.items()
    }


def clone(
    ctx: Context,
    actor: Actor | None,
    key: str,
    key_of_clone: object,
    name: object,
    description: object = None,
) -> CloneResult:
    """Clone process `key` (its newest version, with its sub-processes) as a new process."""
    if actor is not None:
        require_admin(actor, _("clone processes"))
    wanted = new_key(key_of_clone)
    title = required_text(name, "name")
    text = description_text(description)
    with ctx.uow() as store:
        template = find_process(store, key)
        version = store.latest_version(template.id, enabled_only=False)
        if version is None:
            raise NotFound(_("process '%(process)s' has no version", process=key), process=key)
        files = bundle(store, version)
        keys = key_map(files, template.key, wanted)
        for made in keys.values():
            if store.process_by_key(made) is not None:
                field = "key" if made == wanted else "key (a sub-process's key made from it)"
                raise InvalidInput(
                    _("process '%(process)s' already exists", process=made), field=field
                )
        definitions.deploy_in(ctx, store, actor, rewritten(files, keys, {template.key: title}))
        made_keys = []
        for old, made in keys.items():
            copy, source = store.process_by_key(made), store.process_by_key(old)
            if copy is None:
                continue  # a sub-process that is not executable is part of the clone's spec
            made_keys.append(made)
            if source is not None:
                used = version if source.id == template.id else _newest(store, source)
                copy.template_id, copy.template_version = source.id, used.version
        main = store.process_by_key(wanted)
        assert main is not None
        main.description = text or template.description
        store.commit()
        made_keys.sort(key=lambda k: k != wanted)
        return CloneResult(wanted, title, 1, template.key, version.version, made_keys)


def _newest(store: Store, process: Process) -> ProcessVersion:
    version = store.latest_version(process.id, enabled_only=False)
    if version is None:
        raise NotFound(
            _("process '%(process)s' has no version", process=process.key), process=process.key
        )
    return version


def diff(ctx: Context, actor: Actor | None, key: str, against: object = None) -> DiffView:
    """What the newest version of `key` changed against its template (the version it was
    cloned from), or, with `against`, against that older version of itself."""
    if actor is not None:
        require_admin(actor, _("compare processes"))
    with ctx.uow() as store:
        process = find_process(store, key)
        head = _newest(store, process)
        note = ""
        if against is not None and against != "":
            base_process, base = process, find_version(store, process, version_number(against))
        else:
            template = store.process_by_id(process.template_id)
            if template is None:
                raise InvalidState(
                    _(
                        "process '%(process)s' is not a clone of a deployed process: compare it "
                        "with one of its versions instead",
                        process=key,
                    ),
                    process=key,
                )
            base_process = template
            found = store.version_by_number(template.id, process.template_version or 0)
            base = found or _newest(store, template)
            if found is None:
                note = _(
                    "v%(version)s of '%(process)s' was deleted; compared with its newest version "
                    "v%(newest)s",
                    version=process.template_version,
                    process=template.key,
                    newest=base.version,
                )
        base_files = {base.filename: base.bpmn_xml.encode("utf-8")}
        same = base_process is process
        keys = {} if same else key_map(base_files, base_process.key, process.key)
        base_xml = rewrite(base_files[base.filename], base.filename, keys)
        result = sales_diff(
            base_xml,
            head.bpmn_xml.encode("utf-8"),
            ctx.engine.info(*spec_loader(store, base)).rules,
            ctx.engine.info(*spec_loader(store, head)).rules,
            head.filename,
        )
        return DiffView(base_process.key, base.version, process.key, head.version, result, note)
