"""Modeler drafts: saved, reloaded, refused when stale, linted, discarded and deployed.

A draft runs nothing: no version and no deal changes until it is deployed.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from bpmn_sales.context import Context
from bpmn_sales.errors import Conflict, DiagramError, Forbidden, InvalidInput, NotFound
from bpmn_sales.services import deals, processes
from bpmn_sales.services.processes import drafts

KEY = "sales_process"
ACTIVITY = "Activity_MeetCustomer"
WEIGHT = b'<spiffworkflow:property name="weight" value="2" />'


def version_xml(ctx: Context, version: int | None = None) -> str:
    return drafts.open_draft(ctx, None, KEY, version or 1).xml


def edited(ctx: Context, weight: str = "3") -> str:
    xml = version_xml(ctx)
    assert xml.count(WEIGHT.decode()) >= 1
    return xml.replace(
        WEIGHT.decode(), f'<spiffworkflow:property name="weight" value="{weight}" />', 1
    )


def deal_state(ctx: Context, team: Any, deal_id: int) -> tuple[Any, ...]:
    view = deals.get_deal(ctx, team.admin, deal_id)
    return (view.version, view.stage, view.probability, view.status, len(view.tasks))


def test_open_gives_the_latest_version_until_a_draft_is_saved(
    ctx: Context, team: Any, clock: Any
) -> None:
    opened = drafts.open_draft(ctx, team.admin, KEY)
    assert (opened.source, opened.version, opened.latest_version, opened.revision) == (
        "version",
        1,
        1,
        None,
    )
    assert opened.filename == "sales_process.bpmn"
    saved = drafts.save_draft(ctx, team.admin, KEY, edited(ctx), None)
    assert saved.source == "draft" and saved.revision and saved.updated_by == "admin"
    assert saved.updated_at == clock()
    again = drafts.open_draft(ctx, team.admin, KEY)
    assert (again.source, again.version, again.revision) == ("draft", 1, saved.revision)
    assert 'name="weight" value="3"' in again.xml
    # Asking for a version shows that version, and says a draft exists (saving replaces it).
    version = drafts.open_draft(ctx, team.admin, KEY, 1)
    assert (version.source, version.revision) == ("version", saved.revision)
    assert 'name="weight" value="3"' not in version.xml


def test_a_stale_save_is_refused_naming_who_saved_when(ctx: Context, team: Any, clock: Any) -> None:
    first = drafts.save_draft(ctx, team.admin, KEY, edited(ctx, "3"), None)
    clock.advance(minutes=5)
    second = drafts.save_draft(ctx, team.admin, KEY, edited(ctx, "4"), first.revision)
    assert second.revision != first.revision
    with pytest.raises(Conflict) as refused:
        drafts.save_draft(ctx, team.admin, KEY, edited(ctx, "5"), first.revision)
    assert "admin saved this draft at" in refused.value.message
    assert refused.value.details["saved_by"] == "admin"
    assert refused.value.details["revision"] == second.revision
    # Starting from a version while a draft exists is stale too: no silent overwrite.
    with pytest.raises(Conflict):
        drafts.save_draft(ctx, team.admin, KEY, edited(ctx, "5"), None)
    assert 'value="4"' in drafts.open_draft(ctx, team.admin, KEY).xml


def test_a_draft_changes_no_version_and_no_deal(ctx: Context, team: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Acme rollout")
    before = deal_state(ctx, team, deal.id)
    stored = version_xml(ctx)
    saved = drafts.save_draft(ctx, team.admin, KEY, edited(ctx, "9"), None)
    drafts.lint_draft(ctx, team.admin, KEY)
    assert processes.get_process(ctx, KEY).version == 1
    assert version_xml(ctx) == stored
    assert deal_state(ctx, team, deal.id) == before
    assert deals.create_deal(ctx, team.rob, "Next").probability == before[2]
    drafts.discard_draft(ctx, team.admin, KEY)
    assert drafts.open_draft(ctx, team.admin, KEY).source == "version"
    with pytest.raises(NotFound):
        drafts.discard_draft(ctx, team.admin, KEY)
    with pytest.raises(Conflict, match="no longer exists"):
        drafts.save_draft(ctx, team.admin, KEY, edited(ctx), saved.revision)


def test_deploy_a_draft_as_a_new_version(ctx: Context, team: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Acme rollout")
    saved = drafts.save_draft(ctx, team.admin, KEY, edited(ctx, "3"), None)
    deployed = drafts.deploy_draft(
        ctx, team.admin, KEY, "new_version", base_revision=saved.revision
    )
    assert deployed.redirect is None
    assert (deployed.result.version, deployed.result.created, deployed.result.previous) == (
        2,
        True,
        1,
    )
    assert 'name="weight" value="3"' in version_xml(ctx, 2)
    assert drafts.open_draft(ctx, team.admin, KEY).source == "version"  # the draft is gone
    # Running deals stay on their version; new ones start on the new one; forms went along.
    assert deals.get_deal(ctx, team.admin, deal.id).process == "sales_process v1"
    assert deals.create_deal(ctx, team.rob, "B").process == "sales_process v2"
    with ctx.uow() as store:
        process = store.process_by_key(KEY)
        assert process is not None
        assert [v.version for v in process.versions if v.enabled] == [1, 2]
        assert process.versions[1].forms == process.versions[0].forms
        assert process.versions[1].forms


def test_deploy_with_disable_previous_switches_older_versions_off(ctx: Context, team: Any) -> None:
    drafts.save_draft(ctx, team.admin, KEY, edited(ctx, "3"), None)
    deployed = drafts.deploy_draft(ctx, team.admin, KEY, "new_version", disable_previous=True)
    assert deployed.result.disabled == (1,)
    with ctx.uow() as store:
        process = store.process_by_key(KEY)
        assert process is not None
        assert [(v.version, v.enabled) for v in process.versions] == [(1, False), (2, True)]


def test_migrate_mode_names_the_preview_page(ctx: Context, team: Any) -> None:
    drafts.save_draft(ctx, team.admin, KEY, edited(ctx, "3"), None)
    with pytest.raises(InvalidInput) as refused:
        drafts.deploy_draft(ctx, team.admin, KEY, "migrate", disable_previous=True)
    assert refused.value.field == "disable_previous"
    deployed = drafts.deploy_draft(ctx, team.admin, KEY, "migrate")
    assert deployed.redirect == f"/processes/{KEY}/migrate?from=1&to=2"
    assert deployed.to_dict()["redirect"] == deployed.redirect


def test_deploy_refuses_a_bad_mode_a_stale_revision_and_a_draft_with_errors(
    ctx: Context, team: Any
) -> None:
    with pytest.raises(NotFound, match="no draft"):
        drafts.deploy_draft(ctx, team.admin, KEY)
    saved = drafts.save_draft(ctx, team.admin, KEY, edited(ctx, "-1"), None)
    with pytest.raises(InvalidInput) as refused:
        drafts.deploy_draft(ctx, team.admin, KEY, "replace")
    assert refused.value.field == "mode"
    with pytest.raises(Conflict):
        drafts.deploy_draft(ctx, team.admin, KEY, base_revision="0" * 16)
    with pytest.raises(DiagramError) as broken:
        drafts.deploy_draft(ctx, team.admin, KEY, base_revision=saved.revision)
    assert broken.value.element_id == ACTIVITY and "weight" in broken.value.message
    assert processes.get_process(ctx, KEY).version == 1
    assert drafts.open_draft(ctx, team.admin, KEY).source == "draft"  # kept, to be fixed


def test_lint_of_a_draft_names_the_elements(ctx: Context, team: Any) -> None:
    saved = drafts.save_draft(ctx, team.admin, KEY, edited(ctx, "-1"), None)
    assert [(p.element_id, p.severity) for p in saved.problems] == [(ACTIVITY, "error")]
    problems = drafts.lint_draft(ctx, team.admin, KEY)
    assert [(p.element_id, p.code) for p in problems] == [(ACTIVITY, "property")]
    assert "weight" in problems[0].message
    # Unsaved XML is linted without being stored.
    unsaved = edited(ctx).replace('name="Meet the customer"', 'name=""')
    problems = drafts.lint_draft(ctx, team.admin, KEY, unsaved)
    assert [(p.element_id, p.severity, p.code) for p in problems] == [
        (ACTIVITY, "warning", "no_label")
    ]
    assert 'value="-1"' in drafts.open_draft(ctx, team.admin, KEY).xml


@pytest.mark.parametrize(
    ("xml", "error", "words"),
    [
        ("<bpmn:definitions", DiagramError, "malformed XML"),
        ('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]><x/>', DiagramError, "DOCTYPE"),
        ("<notbpmn/>", DiagramError, "not <bpmn:definitions>"),
        ("", InvalidInput, "xml must be"),
    ],
)
def test_bad_xml_is_refused_naming_what(
    ctx: Context, team: Any, xml: str, error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as refused:
        drafts.save_draft(ctx, team.admin, KEY, xml, None)
    assert words in str(refused.value)
    if isinstance(refused.value, DiagramError):
        assert refused.value.file == "sales_process.bpmn"
    assert drafts.open_draft(ctx, team.admin, KEY).source == "version"


def test_the_process_id_must_stay(ctx: Context, team: Any) -> None:
    renamed = version_xml(ctx).replace('id="sales_process"', 'id="other_process"')
    with pytest.raises(InvalidInput, match="no process with id 'sales_process'") as refused:
        drafts.save_draft(ctx, team.admin, KEY, renamed, None)
    assert refused.value.field == "xml"


def test_only_admins_use_drafts(ctx: Context, team: Any) -> None:
    for call in (
        lambda: drafts.open_draft(ctx, team.mia, KEY),
        lambda: drafts.save_draft(ctx, team.mia, KEY, edited(ctx), None),
        lambda: drafts.lint_draft(ctx, team.rob, KEY),
        lambda: drafts.discard_draft(ctx, team.rob, KEY),
        lambda: drafts.deploy_draft(ctx, team.mia, KEY),
    ):
        with pytest.raises(Forbidden):
            call()
    with pytest.raises(NotFound):
        drafts.open_draft(ctx, team.admin, "nope")
    with pytest.raises(NotFound):
        drafts.open_draft(ctx, team.admin, KEY, 7)


def test_deleting_a_version_or_the_process_keeps_the_database_consistent(
    ctx: Context, team: Any
) -> None:
    """The foreign keys say what happens (the library deletes unused processes and versions):
    a draft outlives its base version (based on nothing then) but not its process."""
    key = "openfire_pipeline"
    xml = drafts.open_draft(ctx, team.admin, key).xml
    drafts.save_draft(ctx, team.admin, key, xml.replace("Visite technique", "Visite", 1), None)
    with ctx.db.begin() as conn:
        pid = conn.execute(text("SELECT id FROM processes WHERE key = :k"), {"k": key}).scalar_one()
        conn.execute(text("DELETE FROM process_versions WHERE process_id = :p"), {"p": pid})
        based_on = conn.execute(
            text("SELECT based_on_id FROM process_drafts WHERE process_id = :p"), {"p": pid}
        ).scalar_one()
        assert based_on is None
        conn.execute(text("DELETE FROM processes WHERE id = :p"), {"p": pid})
        left = conn.execute(text("SELECT count(*) FROM process_drafts")).scalar_one()
    assert left == 0


def test_a_draft_remembers_the_version_it_was_opened_from(ctx: Context, team: Any) -> None:
    drafts.save_draft(ctx, team.admin, KEY, edited(ctx, "3"), None)
    drafts.deploy_draft(ctx, team.admin, KEY)
    # Editing version 1 again (not the newest, 2) keeps that base, its file name and forms.
    saved = drafts.save_draft(ctx, team.admin, KEY, edited(ctx, "4"), None, based_on=1)
    assert (saved.source, saved.version, saved.latest_version) == ("draft", 1, 2)
    replaced = drafts.save_draft(ctx, team.admin, KEY, version_xml(ctx, 2), saved.revision, 2)
    assert replaced.version == 2 and replaced.problems == []
