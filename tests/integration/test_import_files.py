"""Importing XLSX workbooks, batches committed one by one (an interrupted import resumes by
running it again), and imports kept as jobs for the leads and deals pages: upload, mapping,
preview, apply with progress. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest
from openpyxl import Workbook
from sqlalchemy import text as text_sql

from bpmn_sales.context import Context
from bpmn_sales.engine import InstanceCopies
from bpmn_sales.errors import InvalidInput, InvalidState, NotFound
from bpmn_sales.persistence.models import Deal
from bpmn_sales.services import common, deals, importing, leads, worklist
from bpmn_sales.services.analytics import reports
from bpmn_sales.services.analytics.scope import Filters
from bpmn_sales.services.importing import ImportOptions, jobs, run, situations
from bpmn_sales.services.importing.reading import cell_text, open_table
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
    assert (job.state, job.running, job.previewed) == ("previewing", True, False)
    with pytest.raises(InvalidState):  # not before its preview
        jobs.start_import(ctx, team.mia, job.id)
    jobs.run_preview_job(ctx, job.id)
    previewed = jobs.get_import(ctx, team.mia, job.id)
    assert previewed.previewed and previewed.report is not None
    report = previewed.report
    assert (report["rows"], report["created"], report["dry_run"], report["applied"]) == (
        2,
        1,
        True,
        False,
    )
    assert previewed.notes == ["line 3: Courriel: email 'pas-une-adresse' is not an e-mail address"]
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


OPENFIRE_DEALS = (
    "Affaire;Client;Étape;Statut;Motif;Clôturée le\n"
    "Audit;Acme;Devis;;;\n"
    "Install;Beta;estimation;Gagnée;;15/01/2026\n"
    "Refonte;Gamma;visite technique;perdue;Trop cher;2026-02-01\n"
    "Mauvais;Delta;Signature;;;\n"
    "Sans date;Epsilon;Devis;perdue;Trop cher;\n"
    "Raison;Zeta;;perdue;Budget;2026-02-01\n"
    "Bizarre;Eta;;peut-être;;\n"
    "Ouverte;Theta;;;;2026-02-01\n"
)


def test_deals_imported_at_their_stage_and_closed_deals_as_history(
    ctx: Context, team: Team, flow: Flow
) -> None:
    options = ImportOptions(skip_invalid=True, process="openfire_pipeline")
    report = importing.import_deals(ctx, team.rob, io.BytesIO(OPENFIRE_DEALS.encode()), options)
    assert [str(n) for n in report.errors] == [
        "line 5: Étape: 'Signature' is not a stage of Pipeline (OpenFire) (Nouveau, Estimation, "
        "Visite technique, Devis)",
        "line 6: Clôturée le: a closed deal needs the day it closed",
        "line 7: Motif: lost reason 'Budget' is not one of the configured reasons: Trop cher; "
        "Concurrent retenu; Projet abandonné; Autre",
        "line 8: Statut: status 'peut-être' is not open, won, lost or invalid",
        "line 9: Clôturée le: an open deal has no close day; give its status",
    ]
    assert report.created == 3
    views = {v.name: v for v in deals.list_deals(ctx, team.rob)}
    audit, install, refonte = views["Audit"], views["Install"], views["Refonte"]
    assert (audit.status, audit.stage) == ("open", "devis")
    assert (install.status, install.stage) == ("won", "estimation")
    assert install.closed_at == datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert (refonte.status, refonte.lost_reason) == ("lost", "Trop cher")
    assert refonte.closed_at == datetime(2026, 2, 1, 12, tzinfo=UTC)
    history = deals.deal_history(ctx, team.rob, audit.id, sort="oldest")
    assert [(h.action, h.detail) for h in history][1] == (
        "moved",
        {"from": "nouveau", "to": "devis", "source": "import", "line": 2},
    )
    closed = deals.deal_history(ctx, team.rob, refonte.id, sort="oldest")
    assert [h.action for h in closed] == ["created", "moved", "closed"]
    assert closed[-1].detail == {
        "outcome": "lost",
        "reason": "Trop cher",
        "source": "import",
        "line": 4,
    }
    # The analytics count the closed ones on the days they closed, at the stage they left.
    january = reports.losses(
        ctx, team.admin, Filters(process="openfire_pipeline", start="2026-01-01", end="2026-01-31")
    )
    assert (january.won, january.lost) == (1, 0)
    february = reports.losses(
        ctx, team.admin, Filters(process="openfire_pipeline", start="2026-02-01", end="2026-02-28")
    )
    assert (february.won, february.lost) == (0, 1)
    (visit,) = [s for s in february.stages if s.key == "visite_technique"]
    assert (visit.lost, visit.reasons) == (1, {"Trop cher": 1})
    # A re-run finds them all done.
    again = importing.import_deals(ctx, team.rob, io.BytesIO(OPENFIRE_DEALS.encode()), options)
    assert again.created == 0 and flow.count("deals") == 3


ACTIVITY_PROCESSES = {
    "sales_process": (
        ("initial_visit", "needs_analysis", "solution_design", "quote_and_bid"),
        "No budget",
    ),
    "zh_key_account": (
        ("yan_zheng_ke_hu", "xu_qiu_que_ding", "fang_an_bao_jia", "tan_pan_shen_he"),
        "没有预算",
    ),
}


@pytest.mark.parametrize("process", sorted(ACTIVITY_PROCESSES))
def test_a_process_that_moves_by_activities_takes_imports_at_any_stage(
    ctx: Context, team: Team, flow: Flow, process: str
) -> None:
    stages, reason = ACTIVITY_PROCESSES[process]
    rows = ["name,customer,stage,status,reason,created on,stage entered on,closed on"]
    for stage in stages:
        rows.append(f"Open {stage},Acme,{stage},,,2026-01-05,2026-02-01,")
        rows.append(f"Lost {stage},Acme,{stage},lost,{reason},2026-01-05,,2026-03-01")
        rows.append(f"Won {stage},Acme,{stage},won,,,,2026-03-02")
    options = ImportOptions(process=process)
    stream = io.BytesIO("\n".join(rows).encode())
    report = importing.import_deals(ctx, team.rob, stream, options)
    assert (report.errors, report.created) == ([], 3 * len(stages))
    views = {v.name: v for v in deals.list_deals(ctx, team.rob)}
    for stage in stages:
        opened = deals.get_deal(ctx, team.rob, views[f"Open {stage}"].id)
        assert (opened.status, opened.stage) == ("open", stage)
        assert opened.created_at == datetime(2026, 1, 5, 12, tzinfo=UTC)
        lost = views[f"Lost {stage}"]
        assert (lost.status, lost.lost_reason) == ("lost", reason)
        assert views[f"Won {stage}"].status == "won"
        history = deals.deal_history(ctx, team.rob, opened.id, sort="oldest")
        moves = [(h.action, h.detail.get("source"), h.to_stage) for h in history]
        if stage == stages[0]:
            assert moves == [("created", "import", stage)]
        else:  # the stages before it passed without their rules, recorded as imported
            assert moves == [("created", "import", stages[0]), ("moved", "import", stage)]
            assert history[1].at == datetime(2026, 2, 1, 12, tzinfo=UTC)
        # The next activity is done through the normal use case, on the state as stored.
        task = next(t for t in opened.tasks if t.note_required == "none")
        worklist.complete_task(ctx, team.rob, task.task_id)
        after = deals.get_deal(ctx, team.rob, opened.id)
        assert task.task_id not in {t.task_id for t in after.tasks}
        assert after.tasks and after.stage == stage
        # ... and the stored state survives a restore and a save unchanged.
        with ctx.uow() as store:
            deal = store.get(Deal, opened.id, "deal")
            state = common.stored_state(ctx, store, deal)
            instance = common.restore(ctx, store, deal)
            assert orjson.loads(ctx.engine.dump(instance)) == orjson.loads(state)
            assert [i.title for i in instance.snapshot().ready] == [t.title for t in after.tasks]
    # Every imported deal has its own task ids.
    assert flow.count("work_items") == flow.scalar("SELECT count(DISTINCT task_id) FROM work_items")


def test_imported_closed_deals_stay_in_their_stages_on_the_days_of_the_file(
    ctx: Context, team: Team, flow: Flow
) -> None:
    text = (
        "name,customer,stage,status,reason,created on,stage entered on,closed on\n"
        "Dated,Acme,needs_analysis,lost,No budget,2026-01-05,2026-02-01,2026-03-01\n"
        "Closed only,Acme,needs_analysis,lost,No budget,,,2026-03-01\n"
        "Backwards,Acme,needs_analysis,lost,No budget,2026-02-01,2026-01-05,2026-03-01\n"
    )
    options = ImportOptions(skip_invalid=True)
    report = importing.import_deals(ctx, team.rob, io.BytesIO(text.encode()), options)
    assert [str(n) for n in report.errors] == [
        "line 4: stage entered on: 2026-01-05 is before the day the deal was created (2026-02-01)"
    ]
    views = {v.name: v for v in deals.list_deals(ctx, team.rob)}

    def stays(deal_id: int) -> list[tuple[str, str, str | None, int | None]]:
        with ctx.db.connect() as conn:
            rows = conn.execute(
                text_sql(
                    "SELECT stage_key, entered_at, left_at, hours FROM stage_visits "
                    "WHERE deal_id = :id ORDER BY id"
                ),
                {"id": deal_id},
            ).all()
        return [(r[0], str(r[1])[:10], str(r[2])[:10] if r[2] else None, r[3]) for r in rows]

    # First stage from the day created, the row's stage from the day it entered, left on the
    # day it closed; without the earlier days, every stay is on the close day.
    assert stays(views["Dated"].id) == [
        ("initial_visit", "2026-01-05", "2026-02-01", 27 * 24),
        ("needs_analysis", "2026-02-01", "2026-03-01", 28 * 24),
    ]
    assert stays(views["Closed only"].id) == [
        ("initial_visit", "2026-03-01", "2026-03-01", 0),
        ("needs_analysis", "2026-03-01", "2026-03-01", 0),
    ]


def test_an_import_whose_server_stopped_is_said_to_be_stalled(ctx: Context, team: Team) -> None:
    job = jobs.upload_import(ctx, team.rob, "lead", "a.csv", b"name\nA\n")
    assert not jobs.get_import(ctx, team.rob, job.id).stalled  # not started: nothing to wait for
    jobs.start_import(ctx, team.rob, job.id)  # queued, then the server stops before running it
    ctx.clock.advance(minutes=9)  # type: ignore[attr-defined]
    assert not jobs.get_import(ctx, team.rob, job.id).stalled
    ctx.clock.advance(minutes=2)  # type: ignore[attr-defined]
    assert jobs.get_import(ctx, team.rob, job.id).stalled
    jobs.run_import_job(ctx, job.id)  # run again (here: by hand), it finishes
    done = jobs.get_import(ctx, team.rob, job.id)
    assert (done.state, done.stalled) == ("done", False)


# An uploaded workbook is user input: XML entities or a DTD in a sheet are refused as a bad
# file (never expanded), as is a sheet that is not XML; the message names the file field.

BOMB = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>\n'
)


def rewritten(data: bytes, member: str, change: str) -> bytes:
    """`data` with the sheet's XML changed: `entity` puts a DTD and an entity in it, `garbage`
    makes it no XML at all."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == member:
                text = body.decode("utf-8")
                if change == "entity":
                    body_xml = text.split("?>", 1)[1] if text.startswith("<?xml") else text
                    assert ">Name<" in body_xml
                    text = BOMB + body_xml.replace(">Name<", ">&lol2;<", 1)
                else:
                    text = "<worksheet><sheetData><row>"
                body = text.encode("utf-8")
            target.writestr(item, body)
    return out.getvalue()


def test_a_plain_workbook_is_read() -> None:
    table = open_table(io.BytesIO(workbook(["Name", "Email"], ["Ada", "ada@example.com"])))
    assert table.headers == ("Name", "Email")
    assert [row.cells for row in table.rows()] == [["Ada", "ada@example.com"]]


@pytest.mark.parametrize("change", ["entity", "garbage"])
def test_a_hostile_or_broken_sheet_is_refused_naming_the_file(change: str) -> None:
    data = workbook(["Name", "Email"], ["Ada", "ada@example.com"])
    members = zipfile.ZipFile(io.BytesIO(data)).namelist()
    member = "xl/sharedStrings.xml" if change == "entity" else "xl/worksheets/sheet1.xml"
    if member not in members:  # openpyxl writes inline strings: put the entity in the sheet
        member = "xl/worksheets/sheet1.xml"
    hostile = rewritten(data, member, change)
    with pytest.raises(InvalidInput) as refused:
        table = open_table(io.BytesIO(hostile))
        list(table.rows())
    assert refused.value.field == "file"
    assert "XLSX" in refused.value.message


def test_openpyxl_parses_through_defusedxml() -> None:
    """Without defusedxml installed openpyxl would expand the entities above silently."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


def test_a_situation_that_cannot_be_copied_runs_the_engine_for_each_deal(
    ctx: Context, team: Team, flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    class NotCopyable(InstanceCopies):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            self.copyable = False

    monkeypatch.setattr(situations, "InstanceCopies", NotCopyable)
    text = "name,customer,stage\nOne,Acme,needs_analysis\nTwo,Beta,needs_analysis\n"
    report = importing.import_deals(ctx, team.rob, io.BytesIO(text.encode()), ImportOptions())
    assert report.created == 2
    for view in deals.list_deals(ctx, team.rob):
        deal = deals.get_deal(ctx, team.rob, view.id)
        assert deal.stage == "needs_analysis" and [t.title for t in deal.tasks] == [
            "Analyse needs",
            "Qualify budget",
        ]
        with ctx.uow() as store:
            stored = orjson.loads(common.stored_state(ctx, store, store.get(Deal, view.id, "deal")))
        assert stored["data"]["deal"]["name"] == view.name
    assert flow.count("work_items") == flow.scalar("SELECT count(DISTINCT task_id) FROM work_items")
