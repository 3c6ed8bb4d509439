"""Importing leads from the leads page in a real browser: upload a file, choose the columns,
preview the dry run, apply it and follow its progress, then find the leads in the list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bpmn_sales.web.pages import imports

ROWS = 40


def test_upload_map_preview_apply_and_see_the_leads(
    open_as: Callable[..., Page], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "INLINE_BYTES", 0)  # run beside the request: the page polls
    file = tmp_path / "prospects.csv"
    body = "".join(f"Prospect {n:02};Firma {n};p{n}@import.test;red\n" for n in range(ROWS))
    file.write_text("Nom;Société;Courriel;Colour\n" + body + "Broken;X;not-an-address;blue\n")

    page = open_as("mia")
    page.goto("/leads")
    page.get_by_test_id("import-leads").click()
    page.get_by_label("File").set_input_files(str(file))
    page.get_by_role("button", name="Upload and choose the columns").click()

    # The mapping step: guessed from the headers; the unknown column is left out.
    expect(page.get_by_label("Column “Nom”")).to_have_value("name")
    expect(page.get_by_label("Column “Société”")).to_have_value("company")
    expect(page.get_by_label("Column “Courriel”")).to_have_value("email")
    expect(page.get_by_label("Column “Colour”")).to_have_value("")
    page.get_by_label("Import the good rows even if some rows are bad").check()
    page.get_by_role("button", name="Preview the import").click()

    counts = page.get_by_test_id("import-counts")  # once the preview has run beside
    expect(counts).to_contain_text(f"{ROWS} leads to create", timeout=60_000)
    expect(counts).to_contain_text("1 bad row")
    expect(page.get_by_test_id("import-notes")).to_contain_text(
        f"line {ROWS + 2}: Courriel: email 'not-an-address' is not an e-mail address"
    )
    page.get_by_test_id("import-start").click()

    state = page.get_by_test_id("import-state")
    expect(state).to_have_text(
        f"Done: {ROWS} created, 0 duplicate(s) skipped, 1 bad row(s)", timeout=60_000
    )
    expect(page.locator("progress")).to_have_attribute("value", "100")
    page.get_by_test_id("import-list").click()
    page.get_by_label("Search").fill("Prospect")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("leads")).to_contain_text("Prospect 00")
    expect(page.get_by_test_id("leads")).to_contain_text("Firma 39")
