"""Importing leads and deals from CSV on SQLite and PostgreSQL: dry run, all or nothing,
--skip-invalid, duplicates, re-runs, separators, BOM and headers in each UI language."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy import text as text_sql

from bpmn_sales.context import Context
from bpmn_sales.errors import InvalidInput, NotFound
from bpmn_sales.services import deals, importing, leads
from bpmn_sales.services.importing import ImportOptions, ImportReport
from tests.integration.conftest import Flow
from tests.statements import Statements
from tests.team import Team

LEADS = """name,company,email,phone,estimated_value,owner
Jane Cooper,Northwind,jane@northwind.test,+1 555 0100,12000,rob
Kim Boss,Contoso,kim@contoso.test,,"1,500.50",sara
Lee Chan,Fabrikam,lee@fabrikam.test,,,
"""
BAD = LEADS + "No Mail,Acme,not-an-address,,12abc,nobody\n"


def csv(text: str, bom: bool = False) -> io.BytesIO:
    return io.BytesIO(("\ufeff" if bom else "").encode() + text.encode())


def run(ctx: Context, team: Team, text: str, bom: bool = False, **options: object) -> ImportReport:
    actor = options.pop("actor", team.admin)
    return importing.import_leads(ctx, actor, csv(text, bom), ImportOptions(**options))  # type: ignore[arg-type]


def lines(report: ImportReport) -> list[str]:
    return [str(note) for note in (*report.duplicates, *report.errors)]


def test_a_dry_run_counts_and_reports_but_writes_nothing(
    ctx: Context, team: Team, flow: Flow
) -> None:
    report = run(ctx, team, BAD, dry_run=True)
    assert (report.rows, report.created, report.bad_rows, report.applied) == (4, 3, 1, False)
    assert lines(report) == [
        "line 5: email: email 'not-an-address' is not an e-mail address",
        "line 5: estimated_value: '12abc' is not an amount",
        "line 5: owner: owner 'nobody' does not exist",
    ]
    assert flow.count("leads") == 0 and flow.count("history") == 0


def test_all_or_nothing_a_bad_row_refuses_the_whole_file(
    ctx: Context, team: Team, flow: Flow
) -> None:
    report = run(ctx, team, BAD)
    assert (report.created, report.applied, report.bad_rows) == (3, False, 1)  # would create
    assert flow.count("leads") == 0


def test_skip_invalid_imports_the_good_rows_with_their_processes_and_owners(
    ctx: Context, team: Team, flow: Flow
) -> None:
    report = run(ctx, team, BAD, skip_invalid=True)
    assert (report.created, report.applied, report.bad_rows) == (3, True, 1)
    found = {v.name: v for v in leads.list_leads(ctx, team.admin)}
    assert sorted(found) == ["Jane Cooper", "Kim Boss", "Lee Chan"]
    jane, kim, lee = found["Jane Cooper"], found["Kim Boss"], found["Lee Chan"]
    assert (jane.owner, kim.owner, lee.owner) == ("rob", "sara", "admin")
    assert str(kim.estimated_value) == "1500.50" and jane.status == "new"
    assert jane.process == "lead_qualification v1"
    # Each lead runs its qualification like one created by hand, and says where it came from.
    assert [t.title for t in jane.tasks]
    history = leads.lead_history(ctx, team.admin, jane.id)
    assert [(h.action, h.detail) for h in history] == [("created", {"source": "import", "line": 2})]


def test_duplicates_in_the_file_and_the_database_are_skipped_and_a_rerun_creates_nothing(
    ctx: Context, team: Team, flow: Flow
) -> None:
    leads.create_lead(ctx, team.rob, "Old Jane", email="JANE@Northwind.test")
    text = LEADS + "Kim Again,Contoso,KIM@contoso.TEST,,,\n"
    first = run(ctx, team, text)
    assert first.created == 2 and first.applied
    assert lines(first) == [
        "line 2: email: lead 1 has it already",
        "line 5: email: duplicate of line 3",
    ]
    again = run(ctx, team, text)
    assert again.created == 0 and len(again.duplicates) == 4 and again.applied
    assert flow.count("leads") == 3


def test_an_id_column_makes_the_other_systems_ids_the_duplicate_key(
    ctx: Context, team: Team, flow: Flow
) -> None:
    text = "Ref,Name\nA-1,Same Name\nA-2,Same Name\nA-1,Other\n"
    report = run(ctx, team, text, id_column="ref")
    assert report.created == 2
    assert lines(report) == ["line 4: Ref: duplicate of line 2"]
    assert run(ctx, team, text, id_column="Ref").created == 0
    assert flow.count("leads", name="Other") == 0
    assert flow.count("leads", external_id="A-2") == 1
    long_id = run(ctx, team, f"Ref,Name\n{'x' * 201},Long\n", id_column="Ref", dry_run=True)
    assert lines(long_id) == ["line 2: Ref: the id is longer than 200 characters"]


@pytest.mark.parametrize(
    ("text", "bom"),
    [
        (
            "Nom;Société;Courriel;Valeur estimée;Propriétaire\n"
            "Jeanne Dupont;Acmé;jeanne@acme.test;12 000,50;rob\n",
            True,
        ),
        (
            "Imię i nazwisko;Firma;Adres e-mail;Wartość;Właściciel\n"
            "Jan Kowalski;Acmé;jeanne@acme.test;12.000,50;rob\n",
            False,
        ),
        ("姓名,公司,邮箱,预计金额,负责人\n张伟,Acmé,jeanne@acme.test,12000.50,rob\n", True),
    ],
    ids=["french-semicolon-bom", "polish-semicolon", "chinese-comma-bom"],
)
def test_files_in_each_ui_language(
    ctx: Context, team: Team, text: str, bom: bool, flow: Flow
) -> None:
    report = run(ctx, team, text, bom)
    assert (report.created, report.errors, report.duplicates) == (1, [], [])
    (view,) = leads.list_leads(ctx, team.admin)
    assert (view.company, view.email, view.owner) == ("Acmé", "jeanne@acme.test", "rob")
    assert str(view.estimated_value) == "12000.50"


def test_a_rep_imports_as_themselves_and_may_not_name_other_owners(
    ctx: Context, team: Team, flow: Flow
) -> None:
    text = "name,owner\nMine,\nAlso mine,rob\nSara's,sara\n"
    report = run(ctx, team, text, actor=team.rob)
    assert lines(report) == ["line 4: owner: rob may not act on records owned by sara"]
    assert flow.count("leads") == 0
    assert run(ctx, team, text, actor=team.mia).created == 3  # their manager may


def test_a_file_that_cannot_be_read_as_a_table_is_refused_whole(ctx: Context, team: Team) -> None:
    with pytest.raises(InvalidInput, match="column 'Colour' is not a field"):
        run(ctx, team, "Name,Colour\nA,red\n")
    with pytest.raises(InvalidInput, match="not UTF-8 text"):
        importing.import_leads(ctx, team.admin, io.BytesIO(b"name\n\xff\xfe\n"), ImportOptions())
    with pytest.raises(InvalidInput, match="empty"):
        run(ctx, team, "")
    spilled = run(ctx, team, "name,email\nA,a@x.test,oops\nB,b@x.test,,\n", dry_run=True)
    assert lines(spilled) == ["line 2: column 3: the header names 2 columns"]
    assert spilled.created == 1


def test_deals_start_on_their_process_and_duplicate_by_name_and_customer(
    ctx: Context, team: Team, flow: Flow
) -> None:
    text = (
        "Affaire;Client;Montant;Devise;Date de clôture prévue;Responsable\n"
        "Rollout;Northwind;40 000,00;EUR;31/03/2027;rob\n"
        "ROLLOUT;northwind;1;EUR;;rob\n"
        "Rollout;Contoso;5;EUR;;\n"
        "Bad;X;12;EURO;2027-02-30;\n"
    )
    options = ImportOptions(skip_invalid=True)
    report = importing.import_deals(ctx, team.admin, csv(text, bom=True), options)
    assert report.created == 2
    assert lines(report) == [
        "line 3: Affaire: duplicate of line 2",
        "line 5: Devise: currency 'EURO' is not a 3-letter code",
        "line 5: Date de clôture prévue: '2027-02-30' is not a day (YYYY-MM-DD, DD/MM/YYYY or "
        "DD.MM.YYYY)",
    ]
    views = {(v.name, v.customer): v for v in deals.list_deals(ctx, team.admin)}
    rollout = views["Rollout", "Northwind"]
    assert (str(rollout.value), rollout.currency, rollout.owner) == ("40000.00", "EUR", "rob")
    assert rollout.stage is not None and rollout.status == "open"
    assert deals.get_deal(ctx, team.admin, rollout.id).expected_close_date.isoformat() == (
        "2027-03-31"
    )
    again = importing.import_deals(ctx, team.admin, csv(text), options)
    assert again.created == 0 and flow.count("deals") == 2


def test_deals_on_a_named_process(ctx: Context, team: Team) -> None:
    text = "name,customer\nFree mover,Acme\n"
    options = ImportOptions(process="openfire_pipeline")
    importing.import_deals(ctx, team.rob, csv(text), options)
    (view,) = deals.list_deals(ctx, team.rob)
    assert view.process_key == "openfire_pipeline"
    with pytest.raises(NotFound, match="process 'nope' is not deployed"):
        importing.import_deals(ctx, team.rob, csv(text), ImportOptions(process="nope"))


@contextmanager
def statements(ctx: Context) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(ctx.db, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(ctx.db, "before_cursor_execute", count)


def test_each_row_costs_no_more_statements_than_creating_one_lead(ctx: Context, team: Team) -> None:
    def rows(first: int, count: int) -> str:
        body = "".join(f"Lead {i},l{i}@x.test,rob\n" for i in range(first, first + count))
        return "name,email,owner\n" + body

    with statements(ctx) as one_lead:
        leads.create_lead(ctx, team.admin, "By hand", email="hand@x.test", owner="rob")
    with statements(ctx) as small:
        run(ctx, team, rows(0, 2))
    with statements(ctx) as large:
        run(ctx, team, rows(100, 22))
    per_row = (len(large) - len(small)) / 20
    assert per_row <= len(one_lead), (per_row, len(one_lead))


def lead_rows(first: int, count: int, owner: str = "rob") -> str:
    body = "".join(
        f"Lead {i},Company {i % 3},l{i}@batch.test,{owner}\n" for i in range(first, first + count)
    )
    return "name,company,email,owner\n" + body


def test_a_batch_writes_each_kind_of_row_with_one_statement_whatever_its_rows(
    ctx: Context, team: Team
) -> None:
    n = 20
    run(ctx, team, lead_rows(0, 2))  # the caches of the first import
    with Statements(ctx.db).counting() as small:
        assert run(ctx, team, lead_rows(100, n)).created == n
    small_sql = small.summary()
    with Statements(ctx.db).counting() as large:
        assert run(ctx, team, lead_rows(200, 3 * n)).created == 3 * n
    assert 3 * n <= importing.run.BATCH  # both imports are one batch each
    assert large.count == small.count, f"{small_sql}\n---\n{large.summary()}"
    writes = [
        s.split()[0:3] for s in large.sql if s.lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    written = ["history", "instance_snapshots", "leads", "search_terms", "work_items"]
    assert sorted(w[2] for w in writes) == written


def test_batches_of_many_leads_cost_the_same_statements_each(
    ctx: Context, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 10
    monkeypatch.setattr(importing.run, "BATCH", n)
    run(ctx, team, lead_rows(0, 2))
    with Statements(ctx.db).counting() as one:
        run(ctx, team, lead_rows(100, n))
    with Statements(ctx.db).counting() as three:
        run(ctx, team, lead_rows(200, 3 * n))
    # Checking reads each batch's duplicates once, creating writes each batch's tables once.
    per_batch = (three.count - one.count) / 2
    assert per_batch <= 10, three.summary()
    assert len([s for s in three.sql if s.lstrip().startswith("INSERT INTO leads")]) == 3


def test_imported_leads_are_the_rows_of_leads_created_one_by_one(ctx: Context, team: Team) -> None:
    by_hand = leads.create_lead(
        ctx, team.admin, "Lead 0", "Company 0", "hand@batch.test", owner="rob"
    )
    run(ctx, team, lead_rows(1, 3))
    found = {v.name: v for v in leads.list_leads(ctx, team.admin)}
    columns = "status, owner_id, process_version_id, version, state_version, instance_version"

    def lead_row(lead_id: int) -> tuple[object, ...]:
        with ctx.db.connect() as conn:
            sql = text(f"SELECT {columns} FROM leads WHERE id = :id")  # noqa: S608 - fixed names
            return tuple(conn.execute(sql, {"id": lead_id}).one())

    expected = lead_row(by_hand.id)
    assert expected[3:] == (2, 2, 2)
    for name in ("Lead 1", "Lead 2", "Lead 3"):
        lead = found[name]
        assert lead_row(lead.id) == expected
        assert [t.title for t in lead.tasks] == [t.title for t in found["Lead 0"].tasks]
        history = leads.lead_history(ctx, team.admin, lead.id)
        line = int(name.split()[1]) + 1
        assert [(h.action, h.to_status, h.detail) for h in history] == [
            ("created", "new", {"source": "import", "line": line})
        ]
        # Found by its name and company, as a lead created by hand is.
        assert [v.id for v in leads.list_leads(ctx, team.admin, q=name)] == [lead.id]
    # Each one runs on: qualifying an imported lead opens its deal.
    lead = found["Lead 2"]
    view = leads.qualify_lead(ctx, team.rob, lead.id)
    assert view.status == "qualified" and view.deal_id is not None


def deal_rows(first: int, count: int) -> str:
    stages = ("initial_visit", "needs_analysis", "quote_and_bid")
    body = "".join(
        f"Deal {i},Customer {i % 3},{stages[i % 3]},{('open', 'lost')[i % 2]},"
        f"{('', 'No budget')[i % 2]},{('', '2026-03-01')[i % 2]},rob\n"
        for i in range(first, first + count)
    )
    return "name,customer,stage,status,reason,closed on,owner\n" + body


def test_a_batch_of_deals_writes_each_kind_of_row_with_one_statement_whatever_its_rows(
    ctx: Context, team: Team
) -> None:
    def deals_import(text: str) -> ImportReport:
        return importing.import_deals(ctx, team.admin, csv(text), ImportOptions())

    n = 12
    deals_import(deal_rows(0, 6))  # the caches of the first import
    with Statements(ctx.db).counting() as small:
        assert deals_import(deal_rows(100, n)).created == n
    with Statements(ctx.db).counting() as large:
        assert deals_import(deal_rows(200, 4 * n)).created == 4 * n
    assert large.count == small.count, f"{small.summary()}\n---\n{large.summary()}"
    writes = [
        s.split()[2] for s in large.sql if s.lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert sorted(writes) == [
        "deals",
        "history",
        "instance_snapshots",
        "search_terms",
        "stage_visits",
        "timers",
        "work_items",
    ], large.summary()
    assert large.count <= 25, large.summary()  # the whole import: its reads and its writes


def state_version(ctx: Context, name: str) -> object:
    with ctx.db.connect() as conn:
        sql = text_sql("SELECT state_version FROM deals WHERE name = :name")
        return conn.execute(sql, {"name": name}).scalar_one()


def test_imported_deals_are_the_rows_of_deals_created_moved_and_closed_by_hand(
    ctx: Context, team: Team
) -> None:
    """The batch writes what the use cases would: the same row values, tasks and timers."""
    deals.create_deal(ctx, team.rob, "Hand", "Acme", "10", "EUR", process="openfire_pipeline")
    moved = deals.create_deal(
        ctx, team.rob, "Moved", "Acme", "10", "EUR", process="openfire_pipeline"
    )
    deals.move_deal(ctx, team.rob, moved.id, "estimation")
    lost = deals.create_deal(
        ctx, team.rob, "Lost", "Acme", "10", "EUR", process="openfire_pipeline"
    )
    deals.move_deal(ctx, team.rob, lost.id, "estimation")
    deals.close_deal(ctx, team.rob, lost.id, "lost", "Trop cher")
    text = (
        "name,customer,value,currency,stage,status,reason,closed on\n"
        "Hand 2,Acme,10,EUR,,,,\n"
        "Moved 2,Acme,10,EUR,estimation,,,\n"
        "Lost 2,Acme,10,EUR,estimation,lost,Trop cher,2026-03-01\n"
    )
    options = ImportOptions(process="openfire_pipeline")
    assert importing.import_deals(ctx, team.rob, csv(text), options).created == 3
    columns = (
        "status, stage_key, stage_name, probability, outcome_label, lost_reason, stages_reached, "
        "customer_id, currency, value, version, instance_version"
    )

    def deal_row(name: str) -> tuple[object, ...]:
        with ctx.db.connect() as conn:
            sql = text_sql(f"SELECT {columns} FROM deals WHERE name = :name")  # noqa: S608
            return tuple(conn.execute(sql, {"name": name}).one())

    def tasks(name: str) -> list[tuple[object, ...]]:
        with ctx.db.connect() as conn:
            sql = text_sql(
                "SELECT w.title, w.stage_key, w.assignee_id, w.role FROM work_items w "
                "JOIN deals d ON d.id = w.subject_id AND w.subject_type = 'deal' "
                "WHERE d.name = :name ORDER BY w.title"
            )
            found = [tuple(r) for r in conn.execute(sql, {"name": name})]
            sql = text_sql(
                "SELECT t.element_id FROM timers t JOIN deals d ON d.id = t.subject_id "
                "AND t.subject_type = 'deal' WHERE d.name = :name ORDER BY t.element_id"
            )
            return found + [tuple(r) for r in conn.execute(sql, {"name": name})]

    for name in ("Hand", "Moved", "Lost"):
        hand, imported = deal_row(name), deal_row(f"{name} 2")
        assert imported == hand, name
        # Its state is one snapshot at its version (a step by hand journals a delta instead).
        assert imported[-1] == state_version(ctx, f"{name} 2")
        assert tasks(f"{name} 2") == tasks(name), name
