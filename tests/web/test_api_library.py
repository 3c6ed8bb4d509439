"""The process library API: versions, switches, clone, diff, export/import, delete (409s)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from werkzeug.test import TestResponse

Call = Callable[..., TestResponse]


@pytest.fixture
def api_user() -> str:
    return "admin"


def test_clone_versions_switch_and_diff(api: Call) -> None:
    body = {"key": "nord", "name": "Nord", "description": "North"}
    cloned = api("POST", "/processes/openfire_pipeline/clone", json=body)
    assert cloned.status_code == 201 and cloned.headers["Location"] == "/api/v1/processes/nord"
    assert cloned.get_json()["template"] == "openfire_pipeline"
    again = api("POST", "/processes/openfire_pipeline/clone", json=body)
    assert again.status_code == 400 and again.get_json()["field"] == "key"
    assert (
        api("POST", "/processes/openfire_pipeline/clone", json=body, user="rob").status_code == 403
    )
    stage = {"after": "nouveau", "name": "Call back"}
    assert api("POST", "/processes/nord/stages", json=stage).status_code in (200, 201)
    versions = api("GET", "/processes/nord/versions").get_json()
    assert (versions["description"], versions["template"]) == ("North", "openfire_pipeline")
    assert [v["version"] for v in versions["versions"]] == [2, 1]
    off = api("POST", "/processes/nord/versions/2/disable").get_json()
    assert [v["current"] for v in off["versions"]] == [False, True]
    refused = api("POST", "/processes/nord/versions/1/disable")
    assert refused.status_code == 409 and "only enabled version" in refused.get_json()["message"]
    assert api("POST", "/processes/nord/versions/7/enable").status_code == 404
    assert api("POST", "/processes/nord/versions/x/enable").status_code == 400
    diff = api("GET", "/processes/nord/diff").get_json()
    assert (diff["base"], diff["head"], diff["head_version"]) == ("openfire_pipeline", "nord", 2)
    assert [s["key"] for s in diff["stages"]] == ["call_back"]
    assert api("GET", "/processes/nord/diff?against=2").get_json()["empty"] is True
    assert api("GET", "/processes/sales_process/diff").status_code == 409
    patched = api("PATCH", "/processes/nord", json={"description": "N", "name": "Nord team"})
    assert patched.status_code == 200
    assert (patched.get_json()["name"], patched.get_json()["description"]) == ("Nord team", "N")
    assert len(patched.get_json()["versions"]) == 3  # the name lives in the diagram
    assert api("GET", "/processes/nord").get_json()["name"] == "Nord team"


def test_export_import_and_deletes(api: Call) -> None:
    exported = api("GET", "/processes/sales_process/export?version=1")
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    assert "sales_process-v1.zip" in exported.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(exported.data))
    assert "manifest.json" in archive.namelist()
    upload = {"file": (io.BytesIO(exported.data), "sales.zip")}
    imported = api(
        "POST",
        "/processes/import?key=sales_copy&name=Copy",
        data=upload,
        content_type="multipart/form-data",
    )
    assert imported.status_code == 201, imported.get_json()
    assert imported.get_json()["key"] == "sales_copy" and imported.get_json()["created"] is True
    raw = api("POST", "/processes/import", data=b"not a zip", content_type="application/zip")
    assert raw.status_code == 400 and "not a zip" in raw.get_json()["message"]
    used = api("DELETE", "/processes/sales_process")
    assert used.status_code == 409
    message = used.get_json()["message"]
    assert message.startswith("process 'sales_process' is used by ") and "closed)" in message
    assert used.get_json()["deals_closed"] >= 1
    version = api("DELETE", "/processes/sales_process/versions/1")
    assert version.status_code == 409 and "version 1 of process" in version.get_json()["message"]
    gone = api("DELETE", "/processes/sales_copy/versions/1")
    assert gone.get_json() == {"key": "sales_copy", "versions": [1], "process_deleted": True}
    assert api("DELETE", "/processes/sales_copy").status_code == 404
    assert api("DELETE", "/processes/sales_process", user="rob").status_code == 403
