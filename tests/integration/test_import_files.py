"""Importing XLSX workbooks, batches committed one by one (an interrupted import resumes by
running it again), and imports kept as jobs for the leads and deals pages: upload, mapping,
preview, apply with progress. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import Workbook

from bpmn_sales.context import Context
from bpmn_sales.errors import InvalidInput, InvalidState, NotFound
from bpmn_sales.services import deals, importing, leads
from bpmn_sales.services.importing import ImportOptions, jobs, run
from bpmn_sales.services.importing.reading import cell_text
from tests.integration.conftest import Flow
from tests.team import Team


def workbook(*rows: list[Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_cells_read_as_the_checks_read_them() -> None:
    assert cell_text(datetime(2027, 3, 31)) == "2027-03-31"
    assert cell_text(date(2027, 1, 2)) == "2027-01-02"
    assert cell_text(12000.0) == "12000" and cell_text(1500.5) == "1500.5"
    assert cell_text(1e16) == "10000000000000000" and cell_text(None) == ""
    assert cell_text(7) == "7" and cell_text(" x ") == " x "


def test_an_xlsx_workbook_of_deals_in_french_with_dates_and_numbers(
    ctx: Context, team: Team, flow: Flow
) -> None:
    data = workbook(
        ["Affaire", "Client", "Montant", "Devise", "Date de clôture prévue", "Responsable", None],
        ["Rollout", "Northwind", 40000.5, "EUR", datetime(2027, 3, 31), "rob"],
        [None, None, None],
        ["Pilot", "Contoso", 1200, "EUR", None, None],
        ["Bad", "Acme", "douze", "EUR", None, None],
    )
    options = ImportOptions(skip_invalid=True)
    report = importing.import_deals(ctx, team.admin, io.BytesIO(data), options)
    assert (report.rows, report.created, report.applied) == (3, 2, True)
    assert [str(n) for n in report.errors] == ["line 5: Montant: 'douze' is not an amount"]
    views = {v.name: v for v in deals.list_deals(ctx, team.admin)}
    assert str(views["Rollout"].value) == "40000.50" and views["Rollout"].owner == "rob"
    rollout = deals.get_deal(ctx, team.admin, views["Rollout"].id)
    assert rollout.expected_close_date == date(2027, 3, 31)
    assert str(views["Pilot"].value) == "1200.00" and views["Pilot"].owner == "admin"


def test_other_formats_are_refused_naming_what_to_save_as(ctx: Context, team: Team) -> None:
    old_excel = io.BytesIO(b"\xd0\xcf\x11\xe0" + b"\0" * 200)
    with pytest.raises(InvalidInput, match=r"old Excel \(.xls\) files are not read"):
        importing.import_leads(ctx, team.admin, old_excel, ImportOptions())
    not_a_workbook = io.BytesIO(b"PK\x03\x04" + b"\0" * 200)
    with pytest.raises(InvalidInput, match="not an XLSX workbook"):
        importing.import_leads(ctx, team.admin, not_a_workbook, ImportOptions())
    empty = io.BytesIO(workbook([None, None]))
    with pytest.raises(InvalidInput, match="first sheet is empty"):
        importing.import_leads(ctx, team.admin, empty, ImportOptions())


def lead_rows(count: int) -> bytes:
    body = "".join(f"Lead {n};l{n}@x.test;rob\n" for n in range(count))
    return ("Nom;Courriel;Propriétaire\n" + body).encode()


def test_each_batch_is_its_own_transaction_and_a_rerun_finishes_an_interrupted_import(
    ctx: Context, team: Team, flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "BATCH", 3)
    seen: list[tuple[str, int, int | None]] = []

    def crash_after_two_batches(phase: str, done: int, total: int | None) -> None:
        seen.append((phase, done, total))
        if phase == "importing" and done == 6:
            raise RuntimeError("the server stopped")

    with pytest.raises(RuntimeError):
        importing.import_leads(
            ctx, team.admin, io.BytesIO(lead_rows(8)), ImportOptions(), crash_after_two_batches
        )
    assert seen == [
        ("checking", 3, None),
        ("checking", 6, None),
        ("checking", 8, None),
        ("importing", 3, 8),
        ("importing", 6, 8),
    ]
    assert flow.count("leads") == 6  # two whole batches stay
    again = importing.import_leads(ctx, team.admin, io.BytesIO(lead_rows(8)), ImportOptions())
    assert (again.created, len(again.duplicates)) == (2, 6)
    assert flow.count("leads") == 8


def test_a_job_uploaded_mapped_previewed_then_run(ctx: Context, team: Team, flow: Flow) -> None:
    text = (
        "Nom;Courriel;Couleur;Réf\nJeanne;jeanne@x.test;bleu;A-1\nPaul;pas-une-adresse;vert;A-2\n"
    )
    job = jobs.upload_import(ctx, team.mia, "lead", "prospects.csv", text.encode())
    assert job.state == "uploaded" and job.filename == "prospects.csv"
    assert job.columns == [("Nom", "name"), ("Courriel", "email"), ("Couleur", ""), ("Réf", "")]
    assert "external_id" in job.fields and "estimated_value" in job.fields

    job = jobs.map_import(ctx, team.mia, job.id, ["name", "email", "", "external_id"], True)
    preview = jobs.preview_import(ctx, team.mia, job.id)
    assert (preview.created, preview.dry_run, preview.applied) == (1, True, False)
    assert [str(n) for n in preview.errors] == [
        "line 3: Courriel: email 'pas-une-adresse' is not an e-mail address"
    ]
    assert flow.count("leads") == 0

    started = jobs.start_import(ctx, team.mia, job.id)
    assert started.state == "queued"
    with pytest.raises(InvalidState):
        jobs.start_import(ctx, team.mia, job.id)
    with pytest.raises(InvalidState):
        jobs.map_import(ctx, team.mia, job.id, ["name", "", "", ""], False)
    jobs.run_import_job(ctx, job.id)
    finished = jobs.get_import(ctx, team.mia, job.id)
    assert (finished.state, finished.done_rows, finished.percent) == ("done", 1, 100)
    assert finished.notes == ["line 3: Courriel: email 'pas-une-adresse' is not an e-mail address"]
    (view,) = leads.list_leads(ctx, team.mia)
    assert (view.name, view.email, view.owner) == ("Jeanne", "jeanne@x.test", "mia")
    assert flow.count("leads", external_id="A-1") == 1
    jobs.run_import_job(ctx, job.id)  # a second run of a finished job does nothing
    assert flow.count("leads") == 1


def test_a_job_with_a_bad_row_and_no_skipping_fails_and_writes_nothing(
    ctx: Context, team: Team, flow: Flow
) -> None:
    text = "name,email\nA,a@x.test\nB,nope\n"
    job = jobs.upload_import(ctx, team.rob, "lead", "a.csv", text.encode())
    jobs.start_import(ctx, team.rob, job.id)
    jobs.run_import_job(ctx, job.id)
    failed = jobs.get_import(ctx, team.rob, job.id)
    assert failed.state == "failed" and flow.count("leads") == 0
    assert failed.error == "1 bad row(s); nothing imported (fix them, or skip the bad rows)"


def test_a_job_is_seen_by_its_uploader_only_and_bad_uploads_are_refused(
    ctx: Context, team: Team
) -> None:
    job = jobs.upload_import(ctx, team.rob, "deal", "deals.xlsx", workbook(["Deal"], ["X"]))
    assert job.columns == [("Deal", "name")]
    for other in (team.sara, team.admin):
        with pytest.raises(NotFound, match=f"import {job.id} does not exist"):
            jobs.get_import(ctx, other, job.id)
    with pytest.raises(InvalidInput, match="only CSV"):
        jobs.upload_import(ctx, team.rob, "lead", "leads.pdf", b"%PDF")
    with pytest.raises(InvalidInput, match="is empty"):
        jobs.upload_import(ctx, team.rob, "lead", "leads.csv", b"")
    with pytest.raises(InvalidInput, match="the limit is"):
        jobs.upload_import(ctx, team.rob, "lead", "leads.csv", b"x" * (ctx.max_upload_bytes + 1))
    with pytest.raises(InvalidInput, match="choose one of the fields"):
        jobs.map_import(ctx, team.rob, job.id, ["colour"], False)
    with pytest.raises(InvalidInput, match="each of the 1 columns"):
        jobs.map_import(ctx, team.rob, job.id, ["name", ""], False)
