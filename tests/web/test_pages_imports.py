"""Importing from the leads and deals pages: upload, column mapping, preview, apply, progress."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable

import pytest
from openpyxl import Workbook
from werkzeug.test import TestResponse

from bpmn_sales.context import Context
from bpmn_sales.services import deals, leads
from bpmn_sales.services.importing import jobs, kinds
from bpmn_sales.services.leads import lifecycle as lead_lifecycle
from bpmn_sales.services.people import users
from bpmn_sales.web.pages import imports
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]

LEADS = (
    "Nom;Courriel;Couleur;Propriétaire\n"
    "Jeanne Dupont;jeanne@dupont.test;bleu;rob\n"
    "Paul Martin;pas-une-adresse;vert;rob\n"
    "Jeanne Bis;JEANNE@dupont.test;rouge;rob\n"
)


def upload(pages: Pages, path: str, data: bytes, name: str, status: int = 302) -> TestResponse:
    files = {"file": (io.BytesIO(data), name)}
    return pages.post(path, files, status, content_type="multipart/form-data")


def job_path(response: TestResponse) -> str:
    location = response.headers["Location"]
    assert re.fullmatch(r"/imports/\d+", location), location
    return location


def selected(page: str, position: int) -> str:
    """The value chosen in the mapping's select of a column."""
    select = re.search(rf'<select id="f-field-{position}".*?</select>', page, re.S)
    assert select, page
    chosen = re.search(r'<option value="([^"]*)" selected', select[0])
    return chosen[1] if chosen else ""


def test_upload_map_preview_and_apply_a_french_csv(visitor: Visitor, demo_ctx: Context) -> None:
    mia = visitor("mia")
    assert 'href="/leads/import"' in mia.text(mia.get("/leads"))
    assert 'enctype="multipart/form-data"' in mia.text(mia.get("/leads/import"))
    path = job_path(upload(mia, "/leads/import", LEADS.encode("utf-8-sig"), "prospects.csv"))

    mapping = mia.text(mia.get(path))
    assert "prospects.csv" in mapping
    # Pre-filled from the headers; the unknown colour column is left out.
    assert [selected(mapping, n) for n in range(4)] == ["name", "email", "", "owner"]

    form = {"field-0": "name", "field-1": "email", "field-2": "", "field-3": "owner"}
    preview = mia.follow(mia.post(f"{path}/mapping", form, 302))
    text = mia.text(preview)
    assert "1 lead to create" in text and "1 duplicate to skip" in text and "1 bad row" in text
    assert "line 3: Courriel: email &#39;pas-une-adresse&#39; is not an e-mail address" in text
    assert "line 4: Courriel: duplicate of line 2" in text
    assert 'data-testid="import-blocked"' in text and 'data-testid="import-start"' not in text

    form["skip_invalid"] = "1"
    text = mia.text(mia.follow(mia.post(f"{path}/mapping", form, 302)))
    assert 'data-testid="import-start"' in text and "import-blocked" not in text
    admin = users.actor_for_username(demo_ctx, "admin")
    before = leads.list_leads(demo_ctx, admin).total

    done = mia.text(mia.follow(mia.post(f"{path}/start", {}, 302)))
    assert "Done: 1 created, 1 duplicate(s) skipped, 1 bad row(s)" in done
    assert 'value="100"' in done and "line 3: Courriel" in done
    assert leads.list_leads(demo_ctx, admin).total == before + 1
    assert "Jeanne Dupont" in mia.text(mia.get("/leads?q=Jeanne"))
    # Applied once: a second start and a new mapping are refused, saying why.
    again = mia.text(mia.follow(mia.post(f"{path}/start", {}, 302)))
    assert "this import has already started" in again
    assert leads.list_leads(demo_ctx, admin).total == before + 1


def test_a_file_with_a_bad_row_applied_anyway_fails_whole(
    visitor: Visitor, demo_ctx: Context
) -> None:
    rob = visitor("rob")
    path = job_path(upload(rob, "/leads/import", b"name,email\nA,a@x.test\nB,nope\n", "a.csv"))
    rob.post(f"{path}/mapping", {"field-0": "name", "field-1": "email"}, 302)
    failed = rob.text(rob.follow(rob.post(f"{path}/start", {}, 302)))
    assert "1 bad row(s); nothing imported (fix them, or skip the bad rows)" in failed
    assert "line 3: email" in failed
    assert "a@x.test" not in rob.text(rob.get("/leads?q=A"))


def test_an_xlsx_workbook_of_deals(visitor: Visitor, demo_ctx: Context) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["商机名称", "客户", "金额", "币种", "阶段"])
    sheet.append(["年度框架协议", "华为", 88000, "CNY", "验证客户"])
    data = io.BytesIO()
    book.save(data)
    wangfang = visitor("wangfang")
    assert 'href="/deals/import"' in wangfang.text(wangfang.get("/deals"))
    path = job_path(upload(wangfang, "/deals/import", data.getvalue(), "商机.xlsx"))
    page = wangfang.text(wangfang.get(path))
    fields = ["name", "customer", "value", "currency", "stage"]
    assert [selected(page, n) for n in range(5)] == fields
    form = {f"field-{n}": field for n, field in enumerate(fields)}
    wangfang.post(f"{path}/mapping", form, 302)
    wangfang.post(f"{path}/start", {}, 302)
    actor = users.actor_for_username(demo_ctx, "wangfang")
    (deal,) = [d for d in deals.list_deals(demo_ctx, actor) if d.name == "年度框架协议"]
    assert (str(deal.value), deal.currency, deal.owner) == ("88000.00", "CNY", "wangfang")
    assert deal.stage == "yan_zheng_ke_hu"


def test_bad_uploads_are_refused_beside_the_field(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    none = rob.text(rob.post("/leads/import", {}, 400))
    assert re.search(r'id="file-error"[^>]*>choose a CSV or XLSX file to import', none)
    pdf = rob.text(upload(rob, "/leads/import", b"%PDF-1.4", "leads.pdf", 400))
    assert "only CSV (.csv, .txt) and Excel (.xlsx) files can be imported" in pdf
    old = rob.text(upload(rob, "/leads/import", b"\xd0\xcf\x11\xe0" + b"\0" * 99, "a.xlsx", 400))
    assert "old Excel (.xls) files are not read" in old
    latin = rob.text(
        upload(rob, "/deals/import", "Société\nAcmé\n".encode("latin-1"), "d.csv", 400)
    )
    assert "the file is not UTF-8 text" in latin
    demo_ctx.max_upload_bytes = 64
    too_big = rob.text(upload(rob, "/leads/import", b"name\n" + b"x" * 64, "big.csv", 400))
    assert "big.csv&#39; is 69 bytes; the limit is 64" in too_big


def test_an_import_is_its_uploaders_own(visitor: Visitor) -> None:
    rob = visitor("rob")
    path = job_path(upload(rob, "/leads/import", b"name\nA\n", "a.csv"))
    for other in ("sara", "admin"):
        someone = visitor(other)
        someone.get(path, 404)
        someone.get(f"{path}/mapping", 404)
        someone.get(f"{path}/progress", 404)
        someone.post(f"{path}/start", {}, 404)
    visitor(None).get(path, 302)


def follow(pages: Pages, path: str, states: tuple[str, ...]) -> dict[str, object]:
    """Poll the import's progress, as its page does, until the step under way is over."""
    deadline = time.monotonic() + 60
    while True:
        progress = pages.get(f"{path}/progress").get_json()
        assert progress["state"] in states, progress
        if progress["finished"] or time.monotonic() > deadline:
            return dict(progress)
        time.sleep(0.2)


def test_a_large_file_runs_beside_the_request_and_the_page_follows_it(
    visitor: Visitor, demo_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "INLINE_BYTES", 0)
    rows = "".join(f"Lead {n},lead{n}@big.test\n" for n in range(30))
    rob = visitor("rob")
    path = job_path(upload(rob, "/leads/import", ("name,email\n" + rows).encode(), "big.csv"))
    rob.post(f"{path}/mapping", {"field-0": "name", "field-1": "email"}, 302)
    progress = follow(rob, path, ("previewing", "uploaded"))
    assert (progress["state"], progress["done"]) == ("uploaded", 30)
    assert "30 leads to create" in rob.text(rob.get(path))
    rob.post(f"{path}/start", {}, 302)
    progress = follow(rob, path, ("queued", "checking", "importing", "done"))
    assert (progress["state"], progress["percent"], progress["done"]) == ("done", 100, 30)
    assert progress["text"] == "Done: 30 created, 0 duplicate(s) skipped, 0 bad row(s)"
    page = rob.text(rob.get(path))
    assert "import-progress.js" not in page and 'href="/leads"' in page
    rob_actor = users.actor_for_username(demo_ctx, "rob")
    assert leads.list_leads(demo_ctx, rob_actor, q="Lead").total >= 30


def test_the_pages_speak_the_readers_language(visitor: Visitor, demo_ctx: Context) -> None:
    olga = visitor("olga")
    assert "Importer des opportunités" in olga.text(olga.get("/deals"))
    text = "Affaire;Montant;Étape\nAudit;12 000,50;Devis\n"
    path = job_path(upload(olga, "/deals/import", text.encode(), "a.csv"))
    mapping = olga.text(olga.get(path))
    assert "Choisir les colonnes" in mapping and "Laisser de côté" in mapping
    form = {"field-0": "name", "field-1": "value", "field-2": "stage", "process": "nope"}
    refused = olga.text(olga.post(f"{path}/mapping", form, 400))
    assert re.search(r'id="process-error"[^>]*>[^<]*nope', refused)
    form["process"] = "openfire_pipeline"
    olga.post(f"{path}/mapping", form, 302)
    preview = olga.text(olga.get(path))
    assert "1 opportunité à créer" in preview and "0 doublon à ignorer" in preview
    done = olga.text(olga.follow(olga.post(f"{path}/start", {}, 302)))
    assert "Terminé\u00a0: 1 créé(s), 0 doublon(s) ignoré(s), 0 ligne(s) erronée(s)" in done
    actor = users.actor_for_username(demo_ctx, "olga")
    (audit,) = [d for d in deals.list_deals(demo_ctx, actor) if d.name == "Audit"]
    assert (audit.process_key, audit.stage, str(audit.value)) == (
        "openfire_pipeline",
        "devis",
        "12000.50",
    )
    zhangwei = visitor("zhangwei")
    assert "导入线索" in zhangwei.text(zhangwei.get("/leads"))


def test_a_mapping_the_file_cannot_be_read_with_is_said_on_the_columns_step(
    visitor: Visitor,
) -> None:
    rob = visitor("rob")
    path = job_path(upload(rob, "/leads/import", b"Name,Full name\nA,B\n", "a.csv"))
    page = rob.text(rob.follow(rob.post(f"{path}/mapping", {"field-0": "name", "field-1": "name"})))
    assert "columns &#39;Name&#39; and &#39;Full name&#39; both hold name; ignore one" in page
    assert 'data-testid="import-mapping"' in page  # the columns again, to choose better
    rob.post(f"{path}/mapping", {"field-0": "name", "field-1": ""}, 302)
    assert "1 lead to create" in rob.text(rob.get(path))


def test_an_import_that_fails_unexpectedly_in_its_thread_says_so_at_once(
    visitor: Visitor,
    demo_ctx: Context,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(imports, "INLINE_BYTES", 0)
    rows = "".join(f"Lead {n},lead{n}@broken.test\n" for n in range(30))
    rob = visitor("rob")
    path = job_path(upload(rob, "/leads/import", ("name,email\n" + rows).encode(), "big.csv"))
    rob.post(f"{path}/mapping", {"field-0": "name", "field-1": "email"}, 302)
    follow(rob, path, ("previewing", "uploaded"))

    def broken(*_args: object) -> None:
        raise RuntimeError("database connection lost")

    monkeypatch.setattr(lead_lifecycle, "new_leads", broken)
    monkeypatch.setattr(kinds, "new_leads", broken)
    rob.post(f"{path}/start", {}, 302)
    progress = follow(rob, path, ("queued", "checking", "importing", "failed"))
    assert (progress["state"], progress["finished"]) == ("failed", True)
    assert progress["text"] == str(jobs.UNEXPECTED)
    page = rob.text(rob.get(path))
    assert str(jobs.UNEXPECTED) in page and "RuntimeError" not in page
    assert "database connection lost" in caplog.text  # the traceback goes to the log
