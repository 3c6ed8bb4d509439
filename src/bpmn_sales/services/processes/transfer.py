"""Export a process version as a zip and import one: the way processes travel between installs.

The zip holds the diagram files and form files exactly as stored (plus the files of deployed
processes the diagram calls) and a `manifest.json` naming the process. An import is untrusted
input: the upload, the number and size of entries are limited, entries must be plain `.bpmn` or
`.json` file names (no folders, no `..`, no absolute or drive names), and the diagrams go
through the safe XML parser and lint before anything is stored; a lint error refuses the whole
import with the problem list. Under a new key (and name) the diagrams are rewritten as a clone
is; then they deploy like any upload: a new process, or a new version of an existing key.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict, dataclass, field
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.engine.diagrams.xml import MAX_DIAGRAM_BYTES
from bpmn_sales.engine.editing.cloning import called_elements, process_ids
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _, ngettext
from bpmn_sales.services.processes import definitions
from bpmn_sales.services.processes.cloning import bundle, diagrams, key_map, new_key, rewritten
from bpmn_sales.services.processes.definitions import find_process
from bpmn_sales.services.processes.library import find_version

MANIFEST = "manifest.json"
FORMAT = "bpmn-sales-process/1"
MAX_ZIP_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 50
MAX_ENTRY_BYTES = MAX_DIAGRAM_BYTES
MAX_TOTAL_BYTES = 20 * 1024 * 1024
SUFFIXES = (".bpmn", ".json")


@dataclass(frozen=True)
class Export:
    filename: str
    data: bytes


@dataclass(frozen=True)
class ImportResult:
    key: str
    name: str
    version: int
    created: bool  # a new process (False: a new or unchanged version of an existing one)
    changed: bool  # False: the same diagram was there already (no new version)
    deployed: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def export_process(ctx: Context, actor: Actor | None, key: str, version: object = None) -> Export:
    """A zip of a version (default: the newest) with its diagrams, forms and manifest."""
    if actor is not None:
        require_admin(actor, _("export processes"))
    with ctx.uow() as store:
        process = find_process(store, key)
        if version is None or version == "":
            row = store.latest_version(process.id, enabled_only=False)
            assert row is not None  # a process is stored with its first version
        else:
            row = find_version(store, process, version)
        files = bundle(store, row)
        template = store.process_by_id(process.template_id)
        deployer = store.usernames([row.deployed_by_id]).get(row.deployed_by_id or 0)
        manifest = {
            "format": FORMAT,
            "key": process.key,
            "name": process.name,
            "description": process.description or "",
            "version": row.version,
            "deployed_at": row.deployed_at.isoformat(),
            "deployed_by": deployer,
            "template": template.key if template else None,
            "template_version": process.template_version if template else None,
            "diagrams": sorted(diagrams(files)),
            "forms": sorted(set(files) - set(diagrams(files))),
        }
        stamp = row.deployed_at.timetuple()[:6]
        filename = f"{process.key}-v{row.version}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = {MANIFEST: json.dumps(manifest, indent=2).encode() + b"\n", **files}
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return Export(filename, buffer.getvalue())


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field="file")


def _check_name(name: str) -> None:
    plain = name and name not in (".", "..") and not name.startswith(".")
    if not plain or any(c in name for c in "/\\:") or any(ord(c) < 32 for c in name):
        raise _refuse(
            _(
                "zip entry %(name)s is not a plain file name: no folders, '..', absolute or drive "
                "names (put the files at the top of the zip)",
                name=repr(name),
            )
        )
    if not name.lower().endswith(SUFFIXES):
        raise _refuse(
            _("zip entry '%(name)s' is neither a .bpmn diagram nor a .json file", name=name)
        )


def read_zip(data: bytes) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The entries of an uploaded zip, checked, and its manifest ({} without one)."""
    if len(data) > MAX_ZIP_BYTES:
        raise _refuse(_("the zip is larger than %(most)s MB", most=MAX_ZIP_BYTES // (1024 * 1024)))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _refuse(_("the upload is not a zip file")) from None
    if len(infos) > MAX_ENTRIES:
        raise _refuse(
            _(
                "the zip holds %(count)s entries; at most %(most)s are allowed",
                count=len(infos),
                most=MAX_ENTRIES,
            )
        )
    files: dict[str, bytes] = {}
    total = 0
    for info in infos:
        _check_name(info.filename)
        if info.filename in files:
            raise _refuse(_("zip entry '%(name)s' is there twice", name=info.filename))
        if info.flag_bits & 0x1:
            raise _refuse(_("zip entry '%(name)s' is encrypted", name=info.filename))
        if info.file_size > MAX_ENTRY_BYTES:
            raise _refuse(
                _(
                    "zip entry '%(name)s' is larger than %(most)s bytes",
                    name=info.filename,
                    most=MAX_ENTRY_BYTES,
                )
            )
        try:
            with archive.open(info) as entry:
                content = entry.read(MAX_ENTRY_BYTES + 1)
        except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError):
            raise _refuse(_("zip entry '%(name)s' cannot be read", name=info.filename)) from None
        if len(content) > MAX_ENTRY_BYTES:  # a header that understates the size
            raise _refuse(
                _(
                    "zip entry '%(name)s' is larger than %(most)s bytes",
                    name=info.filename,
                    most=MAX_ENTRY_BYTES,
                )
            )
        total += len(content)
        if total > MAX_TOTAL_BYTES:
            raise _refuse(_("the zip unpacks to more than %(most)s bytes", most=MAX_TOTAL_BYTES))
        files[info.filename] = content
    manifest: dict[str, Any] = {}
    if MANIFEST in files:
        try:
            loaded = json.loads(files.pop(MANIFEST))
        except (ValueError, UnicodeDecodeError):
            loaded = None
        if not isinstance(loaded, dict):
            raise _refuse(_("%(manifest)s is not a JSON object", manifest=MANIFEST))
        manifest = loaded
    if not diagrams(files):
        raise _refuse(_("the zip holds no .bpmn diagram"))
    return files, manifest


def _main_key(files: dict[str, bytes], manifest: dict[str, Any]) -> str:
    """The process the zip is about: the manifest's key, else the one process nothing calls."""
    defined: list[str] = []
    called: set[str] = set()
    for name, data in diagrams(files).items():
        defined += process_ids(data, name)
        called |= set().union(*called_elements(data, name).values())
    if manifest.get("key") in defined:
        return str(manifest["key"])
    roots = [key for key in defined if key not in called]
    if len(roots) != 1:
        raise _refuse(
            _(
                "the zip defines several processes (%(processes)s); its %(manifest)s must name "
                "the main one as 'key'",
                processes=", ".join(defined),
                manifest=MANIFEST,
            )
        )
    return roots[0]


def import_process(
    ctx: Context,
    actor: Actor | None,
    data: bytes,
    key: object = None,
    name: object = None,
    disable_previous: bool = False,
) -> ImportResult:
    """Deploy an exported zip, optionally under a new key and name (rewritten like a clone)."""
    if actor is not None:
        require_admin(actor, _("import processes"))
    if not isinstance(data, bytes | bytearray):
        raise _refuse(_("upload the zip as the file"))
    files, manifest = read_zip(bytes(data))
    errors = [p for p in ctx.engine.lint(files) if p.severity == "error"]
    if errors:
        raise InvalidInput(
            _("the diagrams do not pass lint: %(problem)s", problem=errors[0])
            if len(errors) == 1
            else ngettext(
                "the diagrams do not pass lint: %(problem)s (and %(num)s more)",
                "the diagrams do not pass lint: %(problem)s (and %(num)s more)",
                len(errors) - 1,
                problem=errors[0],
            ),
            field="file",
            problems=[str(p) for p in errors],
        )
    main = _main_key(files, manifest)
    wanted = new_key(key) if key not in (None, "") else main
    title = name.strip() if isinstance(name, str) and name.strip() else None
    if title is not None and len(title) > 200:
        raise InvalidInput(_("the name must be at most 200 characters"), field="name")
    keys = key_map(files, main, wanted) if wanted != main else {}
    if keys or title:
        files = rewritten(files, keys, {main: title} if title else {})
    with ctx.uow() as store:
        created = store.process_by_key(wanted) is None
        results = definitions.deploy_in(ctx, store, actor, files, disable_previous=disable_previous)
        process = find_process(store, wanted)
        description = manifest.get("description")
        if created and isinstance(description, str) and description.strip():
            process.description = description.strip()[:2000]
        store.commit()
        result = next(r for r in results if r.key == wanted)
        return ImportResult(
            wanted,
            result.name,
            result.version,
            created,
            result.created,
            [r.to_dict() for r in results],
        )
