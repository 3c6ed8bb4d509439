"""The process library on both backends: clones that run, diffs, export/import, deletes."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bpmn_sales.context import Context
from bpmn_sales.engine.editing.cloning import rewrite
from bpmn_sales.errors import InvalidInput, InvalidState
from bpmn_sales.persistence.models import Deal, ProcessVersion
from bpmn_sales.services import board, common, deals, leads, processes
from bpmn_sales.services.people import users
from bpmn_sales.services.processes import cloning, drafts, library, stages, transfer
from tests import helpers

DATA = Path(__file__).resolve().parents[1] / "data" / "library"
QUOTE = DATA / "quote_with_review.bpmn"


def xml_of(ctx: Context, key: str, number: int | None = None) -> bytes:
    with ctx.uow() as store:
        process = store.process_by_key(key)
        assert process is not None
        version = (
            store.version_by_number(process.id, number)
            if number
            else store.latest_version(process.id, enabled_only=False)
        )
        assert version is not None
        return version.bpmn_xml.encode()


def process_version_of(ctx: Context, deal_id: int) -> tuple[str, int]:
    with ctx.uow() as store:
        deal = store.session.get(Deal, deal_id)
        assert deal is not None
        version = store.session.get(ProcessVersion, deal.process_version_id)
        assert version is not None
        return version.process.key, version.version


def changed_lines(before: bytes, after: bytes) -> list[tuple[str, str]]:
    old, new = before.decode().splitlines(), after.decode().splitlines()
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_a_clone_of_the_b2b_process_runs_like_its_template(ctx: Context, team: Any) -> None:
    result = cloning.clone(ctx, team.admin, "sales_process", "field_sales", "Field sales")
    assert (result.key, result.version, result.template, result.processes) == (
        "field_sales",
        1,
        "sales_process",
        ["field_sales"],
    )
    # Only the process id, its name and the pool naming it changed, byte for byte elsewhere.
    lines = changed_lines(xml_of(ctx, "sales_process"), xml_of(ctx, "field_sales"))
    assert [b.strip() for _, b in lines] == [
        '<bpmn:participant id="Participant_SalesProcess" name="Field sales" '
        'processRef="field_sales" />',
        '<bpmn:process id="field_sales" name="Field sales" isExecutable="true">',
    ]
    detail = library.process_detail(ctx, team.admin, "field_sales")
    assert (detail.template, detail.template_version, detail.description) == (
        "sales_process",
        1,
        "",
    )
    assert library.process_detail(ctx, team.admin, "sales_process").clones == ["field_sales"]
    deal = deals.create_deal(ctx, team.rob, "Clone run", "Acme", 1000, process="field_sales")
    assert deal.process_key == "field_sales" and deal.stage == "initial_visit"
    won = helpers.walk_to_won(ctx, team.rob, team.mia, deal.id)
    assert won.status == "won" and won.stage == "installation"
    assert process_version_of(ctx, deal.id) == ("field_sales", 1)
    # The template was not touched: still one version, no deal on it.
    template = library.process_detail(ctx, team.admin, "sales_process")
    assert [v.version for v in template.versions] == [1]
    assert template.versions[0].in_use == 0


def test_a_changed_openfire_clone_shows_its_changes_against_the_template(
    ctx: Context, team: Any
) -> None:
    cloning.clone(ctx, team.admin, "openfire_pipeline", "openfire_nord", "OpenFire Nord")
    assert cloning.diff(ctx, team.admin, "openfire_nord").diff.stages == ()
    stages.add(ctx, team.admin, "openfire_nord", "estimation", "Site survey", win_rate="40")
    edited = re.sub(
        rb'(<bpmn:userTask id="Activity_RealiserVisite".*?name="weight" value=")2("\s*/>\s*)'
        rb'<spiffworkflow:property name="obligatory" value="true"\s*/>',
        rb"\g<1>5\g<2>",
        xml_of(ctx, "openfire_nord"),
        flags=re.S,
    ).replace(b"Projet abandonn\xc3\xa9;", b"")
    processes.deploy_process(ctx, team.admin, {"openfire_pipeline.bpmn": edited})
    view = cloning.diff(ctx, team.admin, "openfire_nord")
    assert (view.base, view.base_version, view.head, view.head_version) == (
        "openfire_pipeline",
        1,
        "openfire_nord",
        3,
    )
    diff = view.diff.to_dict()
    assert [(f["field"], f["old"], f["new"]) for f in diff["process"]] == [
        ("name", "Pipeline (OpenFire)", "OpenFire Nord")
    ]
    added = [s for s in diff["stages"] if s["kind"] == "added"]
    assert [(s["key"], s["name"]) for s in added] == [("site_survey", "Site survey")]
    assert {"field": "win_rate", "old": None, "new": 40} in added[0]["fields"]
    visit = next(a for a in diff["activities"] if a["key"] == "Activity_RealiserVisite")
    assert visit["kind"] == "changed"
    assert {(f["field"], f["old"], f["new"]) for f in visit["fields"]} == {
        ("weight", 2, 5),
        ("obligatory", True, False),
    }
    assert any(a["kind"] == "added" and a["where"] == "site_survey" for a in diff["activities"])
    lost = [t for t in diff["terminals"] if t["kind"] == "changed"]
    assert len(lost) == 1
    reasons = next(f for f in lost[0]["fields"] if f["field"] == "lost_reasons")
    assert "Projet abandonné" in reasons["old"] and "Projet abandonné" not in reasons["new"]
    assert any(e["key"] == "Gateway_EnterSiteSurvey" for e in diff["elements"])
    assert diff["layout_changed"] is True
    # Against one of its own versions: v2 -> v3 is only the XML edit.
    own = cloning.diff(ctx, team.admin, "openfire_nord", 2).diff
    assert own.stages == () and own.process == () and len(own.activities) == 1
    # A new deal on the clone moves into the new stage; the template has no such stage.
    deal = deals.create_deal(ctx, team.rob, "Nord", process="openfire_nord")
    assert deals.move_deal(ctx, team.rob, deal.id, "site_survey").stage == "site_survey"
    template = [s["key"] for s in processes.get_process(ctx, "openfire_pipeline").stages]
    assert "site_survey" not in template


def test_cloning_a_diagram_with_a_call_activity_clones_the_called_process(
    ctx: Context, team: Any
) -> None:
    processes.deploy_process(ctx, team.admin, {QUOTE.name: QUOTE.read_bytes()})
    result = cloning.clone(ctx, team.admin, "quote_flow", "quick_quote", "Quick quote")
    assert result.processes == ["quick_quote", "quick_quote_review"]
    xml = xml_of(ctx, "quick_quote")
    assert b'calledElement="quick_quote_review"' in xml
    assert b'processRef="quick_quote_review"' in xml and b"quote_flow" not in xml
    review = library.process_detail(ctx, team.admin, "quick_quote_review")
    assert (review.template, review.name) == ("quote_flow_review", "Quote review")
    # The template's sub-process got no new version from deploying the clone.
    assert len(library.process_detail(ctx, team.admin, "quote_flow_review").versions) == 1
    deal = deals.create_deal(ctx, team.rob, "Quote", process="quick_quote")
    helpers.complete(ctx, team.rob, deal.id, "Draft quote")
    helpers.complete(ctx, team.rob, deal.id, "Check quote")
    assert deals.get_deal(ctx, team.rob, deal.id).status == "won"


def test_export_then_import_under_a_new_key_is_the_same_process(ctx: Context, team: Any) -> None:
    exported = transfer.export_process(ctx, team.admin, "sales_process")
    assert exported.filename == "sales_process-v1.zip"
    archive = zipfile.ZipFile(io.BytesIO(exported.data))
    names = sorted(archive.namelist())
    assert "manifest.json" in names and "sales_process.bpmn" in names
    assert archive.read("sales_process.bpmn") == xml_of(ctx, "sales_process")
    result = transfer.import_process(
        ctx, team.admin, exported.data, key="sales_copy", name="Sales copy"
    )
    assert (result.key, result.version, result.created, result.changed) == (
        "sales_copy",
        1,
        True,
        True,
    )
    again = zipfile.ZipFile(io.BytesIO(transfer.export_process(ctx, team.admin, "sales_copy").data))
    for name in names:
        if name.endswith(".json") and name != "manifest.json":
            assert again.read(name) == archive.read(name), name
    original = archive.read("sales_process.bpmn")
    expected = rewrite(
        original, "x.bpmn", {"sales_process": "sales_copy"}, {"sales_process": "Sales copy"}
    )
    assert again.read("sales_process.bpmn") == expected
    # The same compiled behaviour: the same rules, stages and messages.
    a, b = processes.get_process(ctx, "sales_process"), processes.get_process(ctx, "sales_copy")
    assert (a.stages, a.messages, a.lost_reasons) == (b.stages, b.messages, b.lost_reasons)
    # The same zip again under its own key: nothing new.
    same = transfer.import_process(ctx, team.admin, exported.data)
    assert (same.key, same.version, same.created, same.changed) == (
        "sales_process",
        1,
        False,
        False,
    )


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_import_refuses_unsafe_or_broken_zips(sqlite_ctx: Context, sqlite_team: Any) -> None:
    ctx, admin = sqlite_ctx, sqlite_team.admin
    good = QUOTE.read_bytes()
    cases = [
        (zip_of({"../evil.bpmn": good}), "not a plain file name"),
        (zip_of({"/etc/evil.bpmn": good}), "not a plain file name"),
        (zip_of({"C:evil.bpmn": good}), "not a plain file name"),
        (zip_of({"dir/quote.bpmn": good}), "not a plain file name"),
        (zip_of({"run.py": b"print(1)"}), "neither a .bpmn diagram nor a .json file"),
        (b"<xml>not a zip</xml>", "not a zip file"),
        (zip_of({"big.bpmn": b" " * (transfer.MAX_ENTRY_BYTES + 1)}), "larger than"),
        (zip_of({f"f{i}.json": b"{}" for i in range(51)}), "at most 50"),
        (zip_of({"forms.json": b"{}"}), "no .bpmn diagram"),
    ]
    for data, message in cases:
        with pytest.raises(InvalidInput, match=message):
            transfer.import_process(ctx, admin, data)
    xxe = good.replace(
        b"<bpmn:definitions",
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<bpmn:definitions',
        1,
    )
    with pytest.raises(InvalidInput, match=r"xxe\.bpmn:.*DOCTYPE") as refused:
        transfer.import_process(ctx, admin, zip_of({"xxe.bpmn": xxe}))
    assert refused.value.details["field"] == "file"
    broken = good.replace(b'name="stage_win_rate" value="30"', b'name="stage_win_rate" value="300"')
    with pytest.raises(InvalidInput, match=r"broken\.bpmn:\d+: Stage_Prepare: error"):
        transfer.import_process(ctx, admin, zip_of({"broken.bpmn": broken}))
    assert [p.key for p in processes.list_processes(ctx)] == [
        "lead_qualification",
        "openfire_pipeline",
        "sales_process",
        "zh_key_account",
    ]


def test_delete_is_refused_while_deals_or_leads_use_it(ctx: Context, team: Any) -> None:
    cloning.clone(ctx, team.admin, "openfire_pipeline", "nord", "Nord")
    open_deal = deals.create_deal(ctx, team.rob, "Open", process="nord")
    with pytest.raises(
        InvalidState,
        match=r"process 'nord' is used by 1 deal\(s\) \(1 open, 0 closed\) and 0 lead\(s\)",
    ):
        library.delete_process(ctx, team.admin, "nord")
    stages.add(ctx, team.admin, "nord", "estimation", "Survey")
    closed = deals.create_deal(ctx, team.rob, "Closed", process="nord")
    deals.close_deal(ctx, team.rob, closed.id, "lost", "Autre")
    with pytest.raises(
        InvalidState,
        match=r"version 2 of process 'nord' is used by 1 deal\(s\) \(0 open, 1 closed\)",
    ):
        library.delete_version(ctx, team.admin, "nord", 2)
    with pytest.raises(InvalidState, match=r"used by 2 deal\(s\) \(1 open, 1 closed\)"):
        library.delete_process(ctx, team.admin, "nord")
    assert process_version_of(ctx, open_deal.id) == ("nord", 1)
    leads.create_lead(ctx, team.rob, "A lead")
    with pytest.raises(InvalidState, match=r"0 deal\(s\) \(0 open, 0 closed\) and 1 lead\(s\)"):
        library.delete_process(ctx, team.admin, "lead_qualification")


def count(ctx: Context, table: str, where: str, **params: object) -> int:
    with ctx.db.connect() as conn:
        return int(
            conn.execute(text(f"SELECT count(*) FROM {table} WHERE {where}"), params).scalar()  # noqa: S608
            or 0
        )


def test_deleting_unused_versions_and_processes_leaves_no_orphans(ctx: Context, team: Any) -> None:
    cloning.clone(ctx, team.admin, "sales_process", "spare", "Spare")
    cloning.clone(ctx, team.admin, "spare", "spare_copy", "Spare copy")
    users.set_manager(ctx, None, "rob", "mia", "Sales")
    processes.set_departments(ctx, team.admin, "spare", ["Sales"])
    board.rename_column(ctx, team.admin, "spare", "initial_visit", "First visit")
    stages.add(ctx, team.admin, "spare", "initial_visit", "Call back")
    with ctx.uow() as store:
        spare = store.process_by_key("spare")
        assert spare is not None
        spare_id, version_ids = spare.id, [v.id for v in spare.versions]
    assert len(version_ids) == 2
    # Another feature's rows (a modeler draft based on v2) go or let go with it.
    drafts.save_draft(ctx, team.admin, "spare", xml_of(ctx, "spare").decode(), None, 2)
    deleted = library.delete_version(ctx, team.admin, "spare", 2)
    assert (deleted.versions, deleted.process_deleted) == ([2], False)
    assert count(ctx, "process_drafts", "process_id = :p AND based_on_id IS NULL", p=spare_id) == 1
    assert [v.version for v in library.process_detail(ctx, team.admin, "spare").versions] == [1]
    assert library.process_detail(ctx, team.admin, "spare_copy").template == "spare"
    deleted = library.delete_version(ctx, team.admin, "spare", 1)
    assert deleted.process_deleted is True
    assert "spare" not in [p.key for p in processes.list_processes(ctx)]
    assert count(ctx, "process_versions", "process_id = :p", p=spare_id) == 0
    assert count(ctx, "process_departments", "process_id = :p", p=spare_id) == 0
    assert count(ctx, "board_columns", "process_id = :p", p=spare_id) == 0
    assert count(ctx, "process_drafts", "process_id = :p", p=spare_id) == 0
    # The clone of the deleted template runs on, without the link.
    copy = library.process_detail(ctx, team.admin, "spare_copy")
    assert (copy.template, copy.template_version) == (None, None)
    with pytest.raises(InvalidState, match="not a clone"):
        cloning.diff(ctx, team.admin, "spare_copy")
    assert (
        deals.create_deal(ctx, team.rob, "Still runs", process="spare_copy").stage
        == "initial_visit"
    )


def test_new_deals_start_on_the_newest_enabled_version(ctx: Context, team: Any) -> None:
    cloning.clone(ctx, team.admin, "openfire_pipeline", "sud", "Sud")
    stages.add(ctx, team.admin, "sud", "estimation", "Survey")
    first = deals.create_deal(ctx, team.rob, "On v2", process="sud")
    assert process_version_of(ctx, first.id) == ("sud", 2)
    detail = library.set_version_enabled(ctx, team.admin, "sud", 2, False)
    assert [(v.version, v.enabled, v.current) for v in detail.versions] == [
        (2, False, False),
        (1, True, True),
    ]
    second = deals.create_deal(ctx, team.rob, "On v1", process="sud")
    assert process_version_of(ctx, second.id) == ("sud", 1)
    # The deal on v2 goes on there.
    assert deals.move_deal(ctx, team.rob, first.id, "survey").stage == "survey"
    with pytest.raises(InvalidState, match="only enabled version"):
        library.set_version_enabled(ctx, team.admin, "sud", 1, False)
    library.set_version_enabled(ctx, team.admin, "sud", 2, True)
    third = deals.create_deal(ctx, team.rob, "On v2 again", process="sud")
    assert process_version_of(ctx, third.id) == ("sud", 2)


def test_a_deleted_versions_id_is_never_given_to_a_new_version(ctx: Context, team: Any) -> None:
    """Server processes cache version id -> spec: a reused id would run the wrong diagram."""
    stages.add(ctx, team.admin, "openfire_pipeline", "estimation", "Survey")
    with ctx.uow() as store:
        newest = store.latest_version(store.process_by_key("openfire_pipeline").id)  # type: ignore[union-attr]
        assert newest is not None and newest.version == 2
        deleted_id = newest.id
    # Another server process has the deleted version's digest cached.
    other = Context(ctx.database_url, clock=ctx.clock)
    with other.uow() as store:
        stale_digest = common.digest_of(other, store, deleted_id)
    library.delete_version(ctx, team.admin, "openfire_pipeline", 2)
    stages.add(ctx, team.admin, "openfire_pipeline", "estimation", "Call back")
    with ctx.uow() as store:
        again = store.latest_version(store.process_by_key("openfire_pipeline").id)  # type: ignore[union-attr]
        assert again is not None and again.version == 2
        assert again.id > deleted_id
        assert again.digest != stale_digest
    # A deal the other process starts runs the new diagram.
    view = deals.create_deal(other, team.rob, "After", process="openfire_pipeline")
    assert deals.move_deal(other, team.rob, view.id, "call_back").stage == "call_back"
    other.close()
