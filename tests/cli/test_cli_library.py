"""The process library verbs: versions, version switches, clone, diff, export, import, delete."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests.cli.cli_checks import Run, assert_error, ok_json


def test_clone_describe_versions_and_diff(ready: Run) -> None:
    cloned = ready("process", "clone", "openfire_pipeline", "nord", "--name", "Nord")
    assert cloned.exit_code == 0, cloned.output
    assert cloned.stdout.strip() == "cloned openfire_pipeline v1 as nord v1"
    described = ready("process", "describe", "nord", "--description", "For the north team")
    assert described.exit_code == 0, described.output
    assert "  For the north team" in described.stdout.splitlines()
    assert "  cloned from openfire_pipeline v1" in described.stdout.splitlines()
    assert ready("stage", "add", "nord", "--after", "nouveau", "--name", "Call back").exit_code == 0
    shown = ready("process", "versions", "nord")
    lines = shown.stdout.splitlines()
    assert lines[0] == "nord: Nord (enabled)"
    assert lines[-2].startswith("* v2   enabled ") and "by admin" in lines[-2]
    assert lines[-1].startswith("  v1   enabled ")
    off = ready("process", "version-disable", "nord", "2")
    assert off.stdout.strip() == "nord v2 disabled for new deals (running ones go on)"
    versions = ok_json(ready("process", "versions", "nord", "--json"))["versions"]
    assert [(v["version"], v["enabled"], v["current"]) for v in versions] == [
        (2, False, False),
        (1, True, True),
    ]
    assert_error(ready("process", "version-disable", "nord", "1"), "only enabled version")
    assert ready("process", "version-enable", "nord", "2").exit_code == 0
    diff = ready("process", "diff", "nord")
    assert diff.exit_code == 0, diff.output
    assert diff.stdout.splitlines()[0] == "openfire_pipeline v1 -> nord v2"
    assert "added    stage call_back 'Call back'" in diff.stdout
    data = ok_json(ready("process", "diff", "nord", "--json"))
    assert [s["key"] for s in data["stages"] if s["kind"] == "added"] == ["call_back"]
    assert ok_json(ready("process", "diff", "nord", "--against", "2", "--json"))["empty"] is True
    assert_error(ready("process", "diff", "sales_process"), "not a clone")
    assert_error(
        ready("process", "clone", "sales_process", "nord", "--name", "X"), "already exists"
    )
    assert_error(ready("process", "clone", "sales_process", "bad key", "--name", "X"), "new key")
    assert_error(
        ready("process", "clone", "sales_process", "x2", "--name", "X", user="rob"), "admin"
    )


def test_export_import_and_delete(ready: Run, tmp_path: Path) -> None:
    target = tmp_path / "out.zip"
    written = ready("process", "export", "sales_process", "-o", str(target))
    assert written.stdout.startswith(f"wrote {target} (")
    assert "sales_process.bpmn" in zipfile.ZipFile(target).namelist()
    imported = ready("process", "import", str(target), "--key", "sales_copy", "--name", "Copy")
    assert imported.stdout.strip() == "imported sales_copy v1 (Copy)"
    again = ready("process", "import", str(target))
    assert again.stdout.strip() == "unchanged sales_process v1 (Sales process)"
    bad = tmp_path / "bad.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../x.bpmn", "<x/>")
    bad.write_bytes(buffer.getvalue())
    assert_error(ready("process", "import", str(bad)), "not a plain file name")
    assert_error(ready("process", "import", str(tmp_path / "missing.zip")), "cannot read")
    assert_error(ready("process", "export", "sales_process", "--version", "9"), "no version 9")
    refused = assert_error(ready("process", "delete", "sales_process"), "used by")
    assert "deal(s) (" in refused and "lead(s)" in refused
    assert_error(ready("process", "delete", "lead_qualification", "--version", "1"), "lead(s)")
    deleted = ready("process", "delete", "sales_copy", "--json")
    assert ok_json(deleted) == {"key": "sales_copy", "versions": [1], "process_deleted": True}
    assert_error(ready("process", "versions", "sales_copy"), "not deployed")
    assert_error(ready("process", "describe", "sales_process"), "--description")
