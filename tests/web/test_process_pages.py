"""The process library pages: list links, clone and import forms, a process's page, the diff."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import pytest

from bpmn_sales.context import Context
from bpmn_sales.services.people import users
from bpmn_sales.services.processes import cloning, library, stages, transfer
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]


def test_the_list_links_each_process_and_offers_clone_and_import(visitor: Visitor) -> None:
    admin = visitor("admin")
    text = admin.text(admin.get("/processes"))
    for link in ("", "/modeler", "/migrate", "/export"):
        assert f'href="/processes/sales_process{link}"' in text
    assert 'action="/processes/clone"' in text and 'data-testid="clone-form"' in text
    assert 'enctype="multipart/form-data"' in text and 'name="csrf_token"' in text


def test_cloning_on_the_page_opens_the_clone_with_its_template(
    visitor: Visitor, demo_ctx: Context
) -> None:
    admin = visitor("admin")
    form = {"template": "sales_process", "key": "field", "name": "Field", "description": ""}
    detail = admin.text(admin.follow(admin.post("/processes/clone", form)))
    assert "Cloned &#39;sales_process&#39; v1 as &#39;field&#39;" in detail
    assert 'data-testid="template">Cloned from <a href="/processes/sales_process">' in detail
    assert 'data-testid="version-1"' in detail and "by admin" in detail
    # Errors beside the fields, the form kept.
    again = admin.post("/processes/clone", {**form, "name": "Again"}, status=400)
    text = admin.text(again)
    assert 'id="clone_key-error"' in text and "process &#39;field&#39; already exists" in text
    assert 'value="Again"' in text
    bad = admin.text(admin.post("/processes/clone", {**form, "key": "no good"}, status=400))
    assert 'id="clone_key-error"' in bad and 'aria-invalid="true"' in bad
    form = {**form, "key": "k2", "name": ""}
    empty = admin.text(admin.post("/processes/clone", form, status=400))
    assert 'id="clone_name-error"' in empty


def test_a_new_process_from_a_scaffold_opens_in_the_modeler(
    visitor: Visitor, demo_ctx: Context
) -> None:
    admin = visitor("admin")
    assert 'data-testid="new-form"' in admin.text(admin.get("/processes"))
    form = {
        "key": "key_account",
        "name": "Key account",
        "stages": "Qualify:10, Propose:30",
        "post_sale": "Install",
        "free_moves": "on",
    }
    created = admin.post("/processes/new", form)
    assert created.headers["Location"].endswith("/processes/key_account/modeler")
    view = library.process_detail(
        demo_ctx, users.actor_for_username(demo_ctx, "admin"), "key_account"
    )
    assert (view.key, view.name) == ("key_account", "Key account")
    # Errors beside the fields, the form kept; an existing key is never given a new version.
    again = admin.text(admin.post("/processes/new", form, status=400))
    assert 'id="new_key-error"' in again and "process &#39;key_account&#39; already exists" in again
    assert 'value="Qualify:10, Propose:30"' in again
    falling = admin.text(
        admin.post("/processes/new", {**form, "key": "k2", "stages": "A:50,B:20"}, status=400)
    )
    assert 'id="new_stages-error"' in falling and "rates may not fall" in falling
    rated = admin.text(
        admin.post("/processes/new", {**form, "key": "k2", "post_sale": "X:5"}, status=400)
    )
    assert 'id="new_post_sale-error"' in rated and "takes no win rate" in rated
    empty = admin.text(admin.post("/processes/new", {"stages": "A"}, status=400))
    assert 'id="new_key-error"' in empty and "give the new process a key" in empty
    rob = visitor("rob")
    rob.post("/processes/new", {**form, "key": "k3"}, status=403)


def test_the_process_page_switches_versions_and_refuses_deleting_a_used_one(
    visitor: Visitor, demo_ctx: Context
) -> None:
    admin_actor = users.actor_for_username(demo_ctx, "admin")
    stages.add(demo_ctx, admin_actor, "sales_process", "initial_visit", "Call back")
    admin = visitor("admin")
    page = admin.text(admin.get("/processes/sales_process"))
    assert 'data-testid="version-2"' in page and 'aria-checked="true"' in page
    off = admin.text(admin.follow(admin.post("/processes/sales_process/versions/2/disable")))
    assert "v2 of &#39;sales_process&#39; starts no new deals" in off
    assert 'data-testid="version-2-toggle">Off' in off
    refused = admin.text(admin.follow(admin.post("/processes/sales_process/versions/1/delete")))
    assert 'data-testid="flash-error"' in refused
    assert "version 1 of process &#39;sales_process&#39; is used by" in refused
    assert "closed) and 0 lead(s)" in refused
    deleted = admin.text(admin.follow(admin.post("/processes/sales_process/versions/2/delete")))
    assert "Deleted v2 of &#39;sales_process&#39;" in deleted
    assert 'data-testid="version-2"' not in deleted
    whole = admin.text(admin.follow(admin.post("/processes/sales_process/delete")))
    assert "process &#39;sales_process&#39; is used by" in whole


def test_the_description_form_shows_errors_beside_the_field(visitor: Visitor) -> None:
    admin = visitor("admin")
    saved = admin.text(
        admin.follow(admin.post("/processes/openfire_pipeline/describe", {"description": "Hi"}))
    )
    assert "Description saved" in saved and ">Hi</textarea>" in saved
    off = admin.text(
        admin.follow(admin.post("/processes/openfire_pipeline/disable", {"next": "detail"}))
    )
    assert 'data-testid="process-status">disabled<' in off
    long = admin.post("/processes/openfire_pipeline/describe", {"description": "x" * 2001})
    text = admin.text(long)
    assert long.status_code == 400 and 'id="description-error"' in text


def test_the_diff_page_shows_a_designer_what_changed(visitor: Visitor, demo_ctx: Context) -> None:
    admin_actor = users.actor_for_username(demo_ctx, "admin")
    cloning.clone(demo_ctx, admin_actor, "openfire_pipeline", "nord", "Nord")
    stages.add(demo_ctx, admin_actor, "nord", "estimation", "Site survey", win_rate="40")
    admin = visitor("admin")
    text = admin.text(admin.get("/processes/nord/diff"))
    assert 'data-testid="diff-stages-added-site_survey"' in text
    assert 'class="diff-added"' in text and "<ins>40</ins>" in text
    assert "<del>Pipeline (OpenFire)</del> → <ins>Nord</ins>" in text
    assert '"kind"' not in text  # no raw JSON
    own = admin.text(admin.get("/processes/nord/diff?against=2"))
    assert 'data-testid="diff-empty"' in own
    not_clone = admin.follow(admin.get("/processes/sales_process/diff", status=302))
    assert "not a clone" in admin.text(not_clone)


def zip_with(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def test_export_and_import_on_the_page(visitor: Visitor, demo_ctx: Context) -> None:
    admin = visitor("admin")
    exported = admin.get("/processes/openfire_pipeline/export")
    assert exported.mimetype == "application/zip"
    upload = {
        "file": (io.BytesIO(exported.data), "of.zip"),
        "key": "of_copy",
        "name": "OF copy",
    }
    done = admin.post("/processes/import", upload, content_type="multipart/form-data", status=302)
    assert done.headers["Location"] == "/processes/of_copy"
    assert library.process_detail(demo_ctx, None, "of_copy").name == "OF copy"
    broken = transfer.export_process(demo_ctx, None, "openfire_pipeline").data
    archive = zipfile.ZipFile(io.BytesIO(broken))
    xml = re.sub(
        rb'(name="stage_win_rate" value=")\d+',
        rb"\g<1>300",
        archive.read("openfire_pipeline.bpmn"),
        count=1,
    )
    bad = {"file": (io.BytesIO(zip_with("of.bpmn", xml)), "bad.zip")}
    refused = admin.post("/processes/import", bad, content_type="multipart/form-data", status=400)
    text = admin.text(refused)
    assert 'id="import_file-error"' in text and "of.bpmn:" in text
    assert 'data-testid="import-problems"' in text
    missing = admin.post("/processes/import", {}, content_type="multipart/form-data", status=400)
    assert "choose an exported process zip" in admin.text(missing)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/processes/sales_process"),
        ("get", "/processes/sales_process/diff"),
        ("get", "/processes/sales_process/export"),
        ("post", "/processes/sales_process/versions/1/disable"),
        ("post", "/processes/sales_process/delete"),
        ("post", "/processes/clone"),
    ],
)
def test_library_pages_are_for_admins(
    visitor: Visitor, demo_ctx: Context, method: str, path: str
) -> None:
    rob = visitor("rob")
    if method == "get":
        rob.get(path, status=403)
    else:
        rob.post(path, {"template": "sales_process", "key": "x", "name": "X"}, status=403)
    assert library.process_detail(demo_ctx, None, "sales_process").versions[0].enabled


def test_library_forms_need_the_csrf_token(visitor: Visitor, demo_ctx: Context) -> None:
    admin = visitor("admin")
    response = admin.client.post("/processes/sales_process/versions/1/delete")
    assert response.status_code == 400
    response = admin.client.post("/processes/clone", data={"template": "sales_process"})
    assert response.status_code == 400
    assert len(library.process_detail(demo_ctx, None, "sales_process").versions) == 1
