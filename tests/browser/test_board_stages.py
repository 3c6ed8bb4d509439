"""An admin adds a stage on the board, drags a deal into it, and deletes an empty stage."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import deals, processes
from bpmn_sales.services.people import users

OpenAs = Callable[..., Page]
Shot = Callable[[Page, str], Path]
OPENFIRE = "openfire_pipeline"


def test_add_a_stage_use_it_and_delete_one_that_holds_no_deal(
    open_as: OpenAs, demo_ctx: Context, screenshot: Shot
) -> None:
    page = open_as("admin")
    page.goto(f"/board?process={OPENFIRE}")
    page.get_by_text("Add a stage").click()
    form = page.get_by_test_id("add-stage-form")
    # A name that is already a stage comes back beside the key field; the form stays open.
    form.get_by_label("Stage name").fill("Devis")
    form.get_by_label("After the stage").select_option("nouveau")
    form.get_by_test_id("add-stage-submit").click()
    expect(page.locator("#key-error")).to_contain_text("already exists")
    form = page.get_by_test_id("add-stage-form")
    form.get_by_label("Stage name").fill("Rappel client")
    form.get_by_label("Win rate (%)").fill("20")
    form.get_by_label("First activity").fill("Rappeler le client")
    form.get_by_test_id("add-stage-submit").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("Stage 'Rappel client' added")
    column = page.get_by_test_id("column-rappel_client")
    expect(column).to_be_visible()
    assert processes.get_process(demo_ctx, OPENFIRE).version == 2

    # A deal started on the new version can be dragged into the new column.
    rob = users.actor_for_username(demo_ctx, "rob")
    garage = deals.create_deal(demo_ctx, rob, "Garage", process=OPENFIRE)
    page.reload()
    page.get_by_test_id(f"card-{garage.id}").drag_to(column)
    expect(column.get_by_test_id(f"card-{garage.id}")).to_be_visible()
    expect(page.get_by_test_id(f"probability-{garage.id}")).to_have_text("20%")
    screenshot(page, "board-stages")

    # A stage with deals cannot go: the refusal gives the count. An empty one can.
    page.get_by_test_id("column-visite_technique").get_by_text("Column settings").click()
    page.get_by_test_id("delete-stage-visite_technique").click()
    expect(page.get_by_test_id("flash-error")).to_contain_text("2 open deal(s) are at it")
    expect(page.get_by_test_id("column-visite_technique")).to_be_visible()
    page.get_by_test_id("column-estimation").get_by_text("Column settings").click()
    page.get_by_test_id("delete-stage-estimation").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("Stage 'estimation' deleted")
    expect(page.get_by_test_id("column-estimation")).to_have_count(0)
    assert processes.get_process(demo_ctx, OPENFIRE).version == 3
