"""An admin edits a sales rule in the in-browser modeler, sees the lint, fixes it and deploys."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from lxml import etree
from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.engine.diagrams.problems import NS
from bpmn_sales.persistence.models import ProcessDraft
from bpmn_sales.services import processes
from bpmn_sales.services.people import users
from bpmn_sales.services.processes import drafts
from tests import helpers
from tests.bpmn_equality import differences
from tests.browser.browsing import PHONE

OpenAs = Callable[..., Page]
Shot = Callable[[Page, str], Path]
KEY = "sales_process"
ACTIVITY = "Activity_AnalyseNeeds"
STAGE = "Stage_NeedsAnalysis"
REPO = Path(__file__).resolve().parents[2]


def stored_xml(ctx: Context, version: int) -> bytes:
    with ctx.uow() as store:
        process = store.process_by_key(KEY)
        assert process is not None
        (found,) = [v for v in process.versions if v.version == version]
        return found.bpmn_xml.encode("utf-8")


def draft_xml(ctx: Context) -> bytes:
    with ctx.uow() as store:
        process = store.process_by_key(KEY)
        assert process is not None
        draft = store.draft_for(process.id)
        assert isinstance(draft, ProcessDraft)
        return draft.xml.encode("utf-8")


def weight_of(xml: bytes, element_id: str) -> str | None:
    found = etree.fromstring(xml).xpath(
        f"//*[@id='{element_id}']/bpmn:extensionElements/spiffworkflow:properties"
        "/spiffworkflow:property[@name='weight']/@value",
        namespaces=NS,
    )
    assert isinstance(found, list)
    return str(found[-1]) if found else None


def open_modeler(page: Page, path: str = f"/processes/{KEY}/modeler") -> None:
    page.goto(path)
    expect(page.get_by_test_id("modeler")).to_have_attribute("data-state", "ready")
    # It opens readable on the process's start; the whole diagram, to click any element.
    page.get_by_test_id("diagram-fit").click()


def select(page: Page, element_id: str, name: str) -> None:
    page.locator(f'.djs-element[data-element-id="{element_id}"]').first.click()
    expect(page.locator("#modeler-panel .bio-properties-panel-header-label")).to_have_text(name)


def test_change_a_weight_see_the_lint_fix_it_and_deploy_a_new_version(
    open_as: OpenAs, demo_ctx: Context, screenshot: Shot
) -> None:
    page = open_as("admin")
    open_modeler(page)
    select(page, ACTIVITY, "Analyse needs")
    group = page.locator('[data-group-id="group-sales-rules"]')
    weight = group.get_by_label("Weight")
    expect(weight).to_have_value("2")
    weight.fill("-1")
    expect(group.locator(".bio-properties-panel-error")).to_contain_text("at least 0")
    page.get_by_test_id("modeler-save").click()
    expect(page.get_by_test_id("modeler-status")).to_contain_text("Draft saved")
    problem = page.locator(f'[data-testid="problem"][data-element-id="{ACTIVITY}"]')
    expect(problem).to_contain_text("weight")
    expect(problem).to_have_class("problem-error")
    badge = page.get_by_test_id(f"lint-badge-{ACTIVITY}")
    expect(badge).to_have_class("lint-badge lint-error")
    screenshot(page, "modeler-lint")
    # The draft holds the odd value; the deployed version does not.
    assert weight_of(draft_xml(demo_ctx), ACTIVITY) == "-1"
    assert weight_of(stored_xml(demo_ctx, 1), ACTIVITY) == "2"

    # Clicking the problem selects its element: the panel shows it again.
    page.locator("#modeler-panel").evaluate("panel => panel.scrollTop = 0")
    problem.get_by_role("button").click()
    expect(page.locator("#modeler-panel .bio-properties-panel-header-label")).to_have_text(
        "Analyse needs"
    )
    expect(weight).to_have_value("-1")
    weight.fill("3")
    page.get_by_test_id("modeler-save").click()
    expect(problem).to_have_count(0)
    expect(badge).to_have_count(0)
    expect(page.get_by_test_id("problems-count")).to_have_text("(no problems)")

    # A stage win rate below the earlier stage's is odd, not wrong: a warning, pinned too.
    # A stage (expanded sub-process) is picked by its title strip.
    page.locator(f'.djs-element[data-element-id="{STAGE}"] > rect.djs-hit-all').click()
    expect(page.locator("#modeler-panel .bio-properties-panel-header-label")).to_have_text(
        "Needs analysis"
    )
    win_rate = group.get_by_label("Win rate (%)")
    expect(win_rate).to_have_value("30")
    win_rate.fill("5")
    page.get_by_test_id("modeler-save").click()
    warning = page.locator(f'[data-testid="problem"][data-element-id="{STAGE}"]')
    expect(warning).to_contain_text("lower than 10")
    expect(warning).to_have_class("problem-warning")
    expect(page.get_by_test_id(f"lint-badge-{STAGE}")).to_have_class("lint-badge lint-warning")
    win_rate.fill("30")
    page.get_by_test_id("modeler-lint").click()
    expect(page.get_by_test_id("problems-count")).to_have_text("(no problems)")

    page.get_by_test_id("modeler-deploy").click()
    dialog = page.get_by_test_id("deploy-dialog")
    expect(dialog.get_by_test_id("deploy-new-version")).to_be_checked()
    dialog.get_by_test_id("deploy-confirm").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("Version 2 of 'Sales process'")
    expect(page.get_by_test_id("modeler-source")).to_contain_text("Version 2 of 2")
    assert processes.get_process(demo_ctx, KEY).version == 2
    deployed = stored_xml(demo_ctx, 2)
    assert weight_of(deployed, ACTIVITY) == "3"
    # Only the weight changed; the edited diagram still passes our lint and bpmnlint.
    (changed,) = differences(stored_xml(demo_ctx, 1), deployed)
    assert "property[weight]: attributes [('value', '2')] became [('value', '3')]" in changed
    assert ACTIVITY in changed
    files = {**helpers.bundled_files(), "sales_process.bpmn": deployed}
    assert [p for p in demo_ctx.engine.lint(files) if p.file == "sales_process.bpmn"] == []
    assert_bpmn_io_accepts(deployed)


def test_open_and_save_without_edits_keeps_the_diagram(open_as: OpenAs, demo_ctx: Context) -> None:
    page = open_as("admin")
    open_modeler(page)
    page.get_by_test_id("modeler-save").click()
    expect(page.get_by_test_id("modeler-status")).to_contain_text("Draft saved")
    expect(page.get_by_test_id("problems-count")).to_have_text("(no problems)")
    found = differences(stored_xml(demo_ctx, 1), draft_xml(demo_ctx), limit=100)
    assert found == [], "\n".join(found)
    # A draft is no version: the process still has one, and deals start on it.
    assert processes.get_process(demo_ctx, KEY).version == 1


def assert_bpmn_io_accepts(xml: bytes) -> None:
    """bpmn-moddle imports it without warnings and bpmnlint finds nothing (tests/diagrams)."""
    node = shutil.which("node")
    assert node, "node is not on PATH"
    target = REPO / ".tmp" / "modeler-deployed.bpmn"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(xml)
    result = subprocess.run(
        [node, str(REPO / "tests" / "diagrams" / "check.mjs"), str(target)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_stale_save_says_who_saved_and_overwrites_nothing(
    open_as: OpenAs, demo_ctx: Context
) -> None:
    page = open_as("admin", viewport=PHONE)
    open_modeler(page)
    expect(page.get_by_test_id("modeler-panel")).to_be_visible()
    # Meanwhile someone else saves a draft.
    admin = users.actor_for_username(demo_ctx, "admin")
    theirs = stored_xml(demo_ctx, 1).decode().replace('name="Analyse needs"', 'name="Analyse"')
    drafts.save_draft(demo_ctx, admin, KEY, theirs, None)
    page.get_by_test_id("modeler-save").click()
    expect(page.get_by_test_id("modeler-alert")).to_contain_text("admin saved this draft at")
    assert b'name="Analyse"' in draft_xml(demo_ctx)


def test_content_the_modeler_cannot_read_turns_saving_off(
    open_as: OpenAs, demo_ctx: Context
) -> None:
    admin = users.actor_for_username(demo_ctx, "admin")
    future = (
        stored_xml(demo_ctx, 1)
        .decode()
        .replace(
            "<spiffworkflow:properties>",
            "<spiffworkflow:futureThing a='1'/><spiffworkflow:properties>",
            1,
        )
    )
    drafts.save_draft(demo_ctx, admin, KEY, future, None)
    page = open_as("admin")
    open_modeler(page)
    expect(page.get_by_test_id("modeler-alert")).to_contain_text("futureThing")
    expect(page.get_by_test_id("modeler-save")).to_be_disabled()
    expect(page.get_by_test_id("modeler-deploy")).to_be_disabled()
