"""The migration page (preview, apply with and without JavaScript) and its JSON API."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from werkzeug.test import TestResponse

from bpmn_sales.context import Context
from tests import migration_edits as edits
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]
Call = Callable[..., TestResponse]
PAGE = "/processes/sales_process/migrate"


@pytest.fixture
def second(demo_ctx: Context) -> Context:
    """The demo on version 1, and a version 2 without 'Needs analysis' (Wide World is there)."""
    edits.deploy(demo_ctx, edits.remove_stage(edits.sales_xml(), "needs_analysis"))
    return demo_ctx


@pytest.fixture
def api_user() -> str:
    return "admin"


def test_the_preview_page_shows_moves_refusals_and_closed_deals(
    visitor: Visitor, second: Context
) -> None:
    page = visitor("admin")
    html = page.text(page.get(PAGE))
    assert "Closed deals keep their version" in html and "3 closed deals" in html
    counts = re.search(r'data-testid="preview-counts">(.*?)</p>', html, re.S)
    assert counts and " ".join(re.sub(r"<[^>]+>", "", counts.group(1)).split()) == (
        "2 deals can move, 2 cannot."  # Wide World and Kasia's deal are in needs analysis
    )
    assert "its stage &#39;Needs analysis&#39; is not in version 2" in html
    assert 'data-batch-url="/processes/sales_process/migrate/batch"' in html
    assert "Move 2 deals to version 2" in html
    chosen = page.text(page.get(f"{PAGE}?from=1&to=2"))
    assert '<option value="1" selected>' in chosen
    bad = page.text(page.get(f"{PAGE}?to=5", status=400))
    assert 'id="to-error"' in bad and "has no version 5" in bad
    visitor("rob").get(PAGE, status=403)
    page.get("/processes/nope/migrate", status=404)


def test_apply_without_javascript_moves_all_and_says_so(visitor: Visitor, second: Context) -> None:
    page = visitor("admin")
    page.get(PAGE)
    answer = page.post(PAGE, {"from": "", "to": "2", "batch": "1"}, status=302)
    assert answer.headers["Location"] == f"{PAGE}?to=2"
    html = page.text(page.follow(answer))
    assert "Run 1: 2 deal(s) moved to version 2, 2 refused." in html
    assert 'data-testid="run-1"' in html
    assert re.search(r"<strong>0</strong> deals can move,\s*<strong>2</strong> cannot", html)


def test_the_script_endpoint_applies_one_batch(visitor: Visitor, second: Context) -> None:
    page = visitor("admin")
    page.get(PAGE)
    post = page.client.post
    headers = {"X-CSRF-Token": page.csrf, "Accept": "application/json"}
    first = post(f"{PAGE}/batch", json={"to": 2, "batch": 1}, headers=headers).get_json()
    assert (first["moved"] + first["refused"], first["finished"]) == (1, False)
    rest = post(f"{PAGE}/batch", json={"run": first["run"], "batch": 5}, headers=headers)
    done = rest.get_json()
    assert (done["moved"], done["refused"], done["percent"], done["finished"]) == (2, 2, 100, True)
    refused = post(f"{PAGE}/batch", json={"batch": 1}, headers={"Accept": "application/json"})
    assert refused.status_code in (400, 403)


@pytest.mark.usefixtures("second")  # the API is called on the demo with version 2
def test_the_migration_api(api: Call) -> None:
    shown = api("GET", "/processes/sales_process/migration?to=2").get_json()
    assert (shown["movable"], shown["refused"], shown["closed"]) == (2, 2, 3)
    assert api("GET", "/processes/sales_process/migration", user="rob").status_code == 403
    bad = api("GET", "/processes/sales_process/migration?from=2")
    assert bad.status_code == 400 and bad.get_json()["field"] == "from"
    step = api("POST", "/processes/sales_process/migration", json={"batch": 2}).get_json()
    assert step["total"] == 4 and step["remaining"] == 4 - step["moved"] - step["refused"]
    last = api("POST", "/processes/sales_process/migration", json={"run": step["run"]})
    assert last.get_json()["finished"] is True
    wrong = api("POST", "/processes/sales_process/migration", json={"run": 99})
    assert wrong.status_code == 404
    runs = api("GET", "/processes/sales_process/migration/runs").get_json()
    assert [(r["run_id"], r["moved"], r["refused"]) for r in runs] == [(1, 2, 2)]
