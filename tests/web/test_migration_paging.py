"""The migration preview a page at a time: every open deal counted by version and stage, one
page of them planned; first, middle and last pages and their links, bad cursors, and as many
statements for a long list as for a short one."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import TestResponse

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests import migration_edits as edits
from tests.statements import Statements
from tests.web.api import Api
from tests.web.pages import Pages
from tests.web.test_api_paging import links
from tests.web.test_list_statements import MOST, counted

Visitor = Callable[[str | None], Pages]
API = "/processes/sales_process/migration"
PAGE = "/processes/sales_process/migrate"
MORE = 7  # open deals added to the demo's three on version 1


def more_deals(ctx: Context, count: int, start: int = 0) -> list[int]:
    rob = users.actor_for_username(ctx, "rob")
    return [
        deals.create_deal(ctx, rob, f"Migrating {n}", f"Migrating customer {n}", 1000 + n).id
        for n in range(start, start + count)
    ]


@pytest.fixture
def grown(demo_ctx: Context) -> Context:
    """Eleven open deals on version 1 (the demo's four and seven more), then a version 2
    without 'Needs analysis' (where the demo's Wide World and Kasia's deal are: they cannot
    move)."""
    more_deals(demo_ctx, MORE)
    edits.deploy(demo_ctx, edits.remove_stage(edits.sales_xml(), "needs_analysis"))
    return demo_ctx


def ids(response: TestResponse) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return [d["deal_id"] for d in response.get_json()["deals"]]


def test_the_preview_pages_the_deals_oldest_first_and_counts_them_all(
    api: Api, grown: Context
) -> None:
    whole = api("GET", f"{API}?limit=500", user="admin")
    every = whole.get_json()
    order = ids(whole)
    assert order == sorted(order) and len(order) == 11
    assert (every["open"], every["complete"], every["movable"], every["refused"]) == (
        11,
        True,
        9,
        2,
    )
    assert sum(p["deals"] for p in every["positions"]) == 11
    named = {p["stage"]: p["stage_name"] for p in every["positions"]}
    assert named["initial_visit"] == "Initial visit" and named["needs_analysis"] == "Needs analysis"
    assert every["positions"][0]["stage"] == "initial_visit"  # in the stages' order

    first = api("GET", f"{API}?limit=4", user="admin")
    assert ids(first) == order[:4]
    assert first.headers["X-Total-Count"] == "11" and set(links(first)) == {"next"}
    head = first.get_json()
    # Where the deals are is counted for all of them; only the page is planned.
    assert (head["open"], head["complete"], head["positions"]) == (11, False, every["positions"])
    assert head["movable"] + head["refused"] == 4
    middle = api("GET", links(first)["next"], user="admin")
    assert ids(middle) == order[4:8] and set(links(middle)) == {"next", "prev"}
    assert "limit=4" in links(middle)["next"]
    last = api("GET", links(middle)["next"], user="admin")
    assert ids(last) == order[8:]
    assert "X-Next-Cursor" not in last.headers and set(links(last)) == {"prev"}
    assert ids(api("GET", links(last)["prev"], user="admin")) == order[4:8]
    planned = [r for page in (first, middle, last) for r in page.get_json()["deals"]]
    assert planned == every["deals"]  # each page plans its deals as the whole list does
    chosen = api("GET", f"{API}?from=1&to=2&limit=4", user="admin")
    assert ids(chosen) == order[:4] and "from=1" in links(chosen)["next"]


def test_a_deal_closed_between_two_pages_neither_shifts_nor_repeats_a_row(
    api: Api, grown: Context
) -> None:
    order = ids(api("GET", f"{API}?limit=500", user="admin"))
    first = api("GET", f"{API}?limit=5", user="admin")
    admin = users.actor_for_username(grown, "admin")
    deals.close_deal(grown, admin, order[1], "lost", "No budget")  # on the first page
    second = api("GET", links(first)["next"], user="admin")
    assert ids(second) == order[5:10]
    assert second.get_json()["open"] == 10 and second.headers["X-Total-Count"] == "10"


@pytest.mark.parametrize("cursor", ["bm90LW91cnM", "%%%", "W10", "x" * 3000])
def test_a_cursor_that_is_not_the_previews_is_a_400_naming_cursor(
    api: Api, grown: Context, cursor: str
) -> None:
    response = api("GET", API, user="admin", query_string={"cursor": cursor})
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["field"] == "cursor"


def test_a_cursor_of_another_list_is_refused(api: Api, grown: Context) -> None:
    deals_page = api("GET", "/deals?limit=1", user="admin")
    response = api(
        "GET", API, user="admin", query_string={"cursor": deals_page.headers["X-Next-Cursor"]}
    )
    assert response.status_code == 400
    error = response.get_json()
    assert error["field"] == "cursor" and "belongs to the order" in error["message"]
    bad_limit = api("GET", f"{API}?limit=0", user="admin")
    assert bad_limit.status_code == 400 and bad_limit.get_json()["field"] == "limit"


def text_of(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</p>', html, re.S)
    assert found, testid
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def test_the_page_pages_past_fifty_deals(visitor: Visitor, demo_ctx: Context) -> None:
    made = more_deals(demo_ctx, 50)
    edits.deploy(demo_ctx, edits.remove_stage(edits.sales_xml(), "needs_analysis"))
    page = visitor("admin")
    html = page.text(page.get(PAGE))
    assert text_of(html, "preview-counts") == (
        "54 open deals are on these versions. Planned on this page: can move: 48, cannot move: 2."
    )
    partial = text_of(html, "preview-partial")
    assert partial.startswith("At least 2 deals cannot move. Only the deals of this page")
    assert "bpmn-sales migrate sales_process --preview --all" in partial
    assert "50 of 54" in html and 'data-testid="position-1-initial_visit"' in html
    assert "Move the open deals to version 2" in html
    following = re.search(r'href="([^"]+)" rel="next"', html)
    assert following
    rest = page.text(page.get(following.group(1).replace("&amp;", "&")))
    assert f'data-testid="row-{made[-1]}"' in rest and f'data-testid="row-{made[0]}"' not in rest
    assert 'rel="prev"' in rest and 'rel="next"' not in rest
    polish = page.text(page.get(PAGE, headers={"Accept-Language": "pl"}))
    assert "W tych wersjach są 54 otwarte szanse sprzedaży." in polish
    assert "Co najmniej 2 szanse sprzedaży nie mogą zostać przeniesione." in polish
    french = page.text(page.get(PAGE, headers={"Accept-Language": "fr-FR"}))
    assert "Migrer les opportunités ouvertes vers la version 2" in french
    bad = page.text(page.get(f"{PAGE}?cursor=bm90LW91cnM", status=400))
    assert "start again without a cursor" in bad and 'data-testid="preview"' in bad


def without_needs_analysis() -> bytes:
    return edits.remove_stage(edits.sales_xml(), "needs_analysis")


def with_new_requirements() -> bytes:
    """Initial visit asks for a new deal field, a new customer field and three contacts (two
    in version 1): the sales rules read every planned deal's customer and contacts."""
    xml = edits.set_property(
        edits.sales_xml(),
        "Stage_InitialVisit",
        "stage_required_fields",
        "customer.industry; customer.region; deal.region",
    )
    return edits.set_property(xml, "Stage_InitialVisit", "stage_min_contacts", "3")


@pytest.mark.parametrize("version_2", [without_needs_analysis, with_new_requirements])
def test_the_preview_runs_as_many_statements_at_two_sizes(
    api: Api,
    visitor: Visitor,
    demo_ctx: Context,
    statements: Statements,
    version_2: Callable[[], bytes],
) -> None:
    more_deals(demo_ctx, 4)
    edits.deploy(demo_ctx, version_2())
    page = visitor("admin")

    def read() -> dict[str, tuple[int, Any, str]]:
        found: dict[str, tuple[int, Any, str]] = {}
        for path in (f"{API}?to=2&limit=500", f"{API}?to=2&limit=3"):
            api("GET", path, user="admin")  # warm: the versions' specs
            count, response = counted(statements, lambda p=path: api("GET", p, user="admin"))
            body = response.get_json()
            found[path] = (count, body["open"], statements.summary())
            reasons = [r for d in body["deals"] for r in d["reasons"]]
            if version_2 is with_new_requirements:  # the sales rules ran for these deals
                assert any("Region is empty" in r for r in reasons), reasons
                assert any("Region is empty" in r for r in reasons), sorted(set(reasons))
                assert any("at least 3 contacts" in r for r in reasons), sorted(set(reasons))
        page.get(f"{PAGE}?to=2")
        count, response = counted(statements, lambda: page.get(f"{PAGE}?to=2"))
        found[PAGE] = (count, len(response.get_data()), statements.summary())
        return found

    before = read()
    # More open deals on version 1 (new deals start there while version 2 is switched off).
    with demo_ctx.uow() as store:
        process = store.process_by_key("sales_process")
        assert process is not None
        for version in process.versions:
            version.enabled = version.version == 1
        store.commit()
    more_deals(demo_ctx, 6, start=50)
    after = read()
    for key, (count, grew, sql) in after.items():
        assert grew > before[key][1], key
        assert count <= MOST, (key, count, sql)
        assert count == before[key][0], (key, before[key][0], count, sql)
