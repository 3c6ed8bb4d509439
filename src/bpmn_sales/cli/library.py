"""Process library verbs on the `process` group: versions, clone, diff, export, import, delete."""

from __future__ import annotations

from pathlib import Path

import click

from bpmn_sales.cli.base import State, emit, handled, json_option, main, pass_state
from bpmn_sales.cli.board import process_group
from bpmn_sales.errors import InvalidInput
from bpmn_sales.services.processes import cloning, library, transfer
from bpmn_sales.services.processes.cloning import DiffView
from bpmn_sales.services.processes.library import ProcessDetail

__all__ = ["main", "process_group"]


def detail_lines(detail: ProcessDetail) -> list[str]:
    lines = [f"{detail.key}: {detail.name} ({'enabled' if detail.enabled else 'disabled'})"]
    if detail.description:
        lines.append(f"  {detail.description}")
    if detail.template:
        lines.append(f"  cloned from {detail.template} v{detail.template_version}")
    if detail.clones:
        lines.append(f"  clones: {', '.join(detail.clones)}")
    for v in detail.versions:
        mark = "*" if v.current else " "
        state = "enabled " if v.enabled else "disabled"
        lines.append(
            f"{mark} v{v.version:<3} {state} {v.deployed_at:%Y-%m-%d %H:%M} "
            f"by {v.deployed_by or '-':<10} deals {v.deals_open} open / {v.deals_closed} closed, "
            f"leads {v.leads_open} open / {v.leads_closed} closed"
        )
    return lines


@process_group.command(name="versions")
@click.argument("key")
@json_option
@pass_state
@handled
def process_versions(state: State, key: str, as_json: bool) -> None:
    """List the versions of process KEY (* marks the one new deals start on)."""
    detail = library.process_detail(state.ctx, state.actor(), key)
    emit(detail.to_dict(), as_json, detail_lines(detail))


def _switch_version(state: State, key: str, number: int, enabled: bool, as_json: bool) -> None:
    detail = library.set_version_enabled(state.ctx, state.actor(), key, number, enabled)
    word = "enabled" if enabled else "disabled for new deals (running ones go on)"
    emit(detail.to_dict(), as_json, [f"{key} v{number} {word}"])


@process_group.command(name="version-enable")
@click.argument("key")
@click.argument("number", type=int)
@json_option
@pass_state
@handled
def version_enable(state: State, key: str, number: int, as_json: bool) -> None:
    """Let version NUMBER of KEY start new deals again."""
    _switch_version(state, key, number, True, as_json)


@process_group.command(name="version-disable")
@click.argument("key")
@click.argument("number", type=int)
@json_option
@pass_state
@handled
def version_disable(state: State, key: str, number: int, as_json: bool) -> None:
    """Start no new deals on version NUMBER of KEY (they start on the newest enabled one)."""
    _switch_version(state, key, number, False, as_json)


@process_group.command(name="clone")
@click.argument("key")
@click.argument("new_key")
@click.option("--name", required=True, help="The clone's name.")
@click.option("--description", default=None, help="Its description (default: the template's).")
@json_option
@pass_state
@handled
def process_clone_command(
    state: State, key: str, new_key: str, name: str, description: str | None, as_json: bool
) -> None:
    """Clone process KEY (and the sub-processes it calls) as NEW_KEY."""
    result = cloning.clone(state.ctx, state.actor(), key, new_key, name, description)
    subs = [k for k in result.processes if k != result.key]
    line = f"cloned {result.template} v{result.template_version} as {result.key} v1"
    emit(result.to_dict(), as_json, [line + (f" (with {', '.join(subs)})" if subs else "")])


def diff_lines(view: DiffView) -> list[str]:
    lines = [f"{view.base} v{view.base_version} -> {view.head} v{view.head_version}"]
    if view.note:
        lines.append(f"  ({view.note})")
    diff = view.diff
    for change in diff.process:
        lines.append(f"process {change.field}: {change.old!r} -> {change.new!r}")
    for title, changes in (
        ("stage", diff.stages),
        ("activity", diff.activities),
        ("terminal", diff.terminals),
        ("element", diff.elements),
    ):
        for c in changes:
            where = f" [{c.where}]" if c.where else ""
            lines.append(f"{c.kind:<8} {title} {c.key} '{c.name}'{where}")
            if c.kind != "added":
                lines += [f"           {f.field}: {f.old!r} -> {f.new!r}" for f in c.fields]
    if diff.layout_changed:
        lines.append("layout changed")
    if diff.empty:
        lines.append("no changes")
    return lines


@process_group.command(name="diff")
@click.argument("key")
@click.option("--against", "against", type=int, default=None, help="Compare with this version.")
@json_option
@pass_state
@handled
def process_diff(state: State, key: str, against: int | None, as_json: bool) -> None:
    """Show what KEY's newest version changed against its template (or --against version)."""
    view = cloning.diff(state.ctx, state.actor(), key, against)
    emit(view.to_dict(), as_json, diff_lines(view))


@process_group.command(name="export")
@click.argument("key")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="The zip to write (default: KEY-vN.zip here).",
)
@click.option("--version", "number", type=int, default=None, help="Default: the newest.")
@pass_state
@handled
def process_export(state: State, key: str, output: Path | None, number: int | None) -> None:
    """Write process KEY as a zip: diagrams, forms and manifest.json."""
    export = transfer.export_process(state.ctx, state.actor(), key, number)
    target = output or Path(export.filename)
    try:
        target.write_bytes(export.data)
    except OSError as exc:
        raise InvalidInput(f"cannot write {target}: {exc.strerror}", field="output") from None
    click.echo(f"wrote {target} ({len(export.data)} bytes)")


@process_group.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--key", default=None, help="Import under this key (the diagrams are rewritten).")
@click.option("--name", default=None, help="And this name.")
@click.option("--disable-previous", is_flag=True, help="Switch older versions off for new deals.")
@json_option
@pass_state
@handled
def process_import(
    state: State,
    file: Path,
    key: str | None,
    name: str | None,
    disable_previous: bool,
    as_json: bool,
) -> None:
    """Deploy an exported zip: a new process, or a new version of an existing key."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror}", field="file") from None
    result = transfer.import_process(state.ctx, state.actor(), data, key, name, disable_previous)
    verb = "imported" if result.changed else "unchanged"
    emit(result.to_dict(), as_json, [f"{verb} {result.key} v{result.version} ({result.name})"])


@process_group.command(name="delete")
@click.argument("key")
@click.option("--version", "number", type=int, default=None, help="Delete only this version.")
@json_option
@pass_state
@handled
def process_delete(state: State, key: str, number: int | None, as_json: bool) -> None:
    """Delete process KEY (or one version); refused while any deal or lead uses it."""
    if number is None:
        result = library.delete_process(state.ctx, state.actor(), key)
    else:
        result = library.delete_version(state.ctx, state.actor(), key, number)
    what = "process" if result.process_deleted else f"v{', v'.join(map(str, result.versions))} of"
    emit(result.to_dict(), as_json, [f"deleted {what} {key}"])


@process_group.command(name="describe")
@click.argument("key")
@click.option("--description", default=None, help="The new description ('' clears it).")
@click.option("--name", default=None, help="A new name (written into the diagram: new version).")
@json_option
@pass_state
@handled
def process_describe(
    state: State, key: str, description: str | None, name: str | None, as_json: bool
) -> None:
    """Set the description (or name) of process KEY."""
    if description is None and name is None:
        raise InvalidInput("give --description or --name", field="description")
    detail = library.describe(state.ctx, state.actor(), key, description, name)
    emit(detail.to_dict(), as_json, detail_lines(detail))
