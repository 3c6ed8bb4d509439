"""Keyset paging over HTTP: first, middle and last pages, the links between them, a row added
between two page requests, and cursors that are not ours (a 400 naming `cursor`)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from werkzeug.test import TestResponse

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests.web.api import Api
from tests.web.test_list_statements import grow

LINK = re.compile(r'<([^>]+)>; rel="(next|prev)"')


def links(response: TestResponse) -> dict[str, str]:
    """rel -> path (under /api/v1) of the Link header's pages."""
    found = dict((rel, url) for url, rel in LINK.findall(response.headers.get("Link", "")))
    return {rel: url.split("/api/v1", 1)[1] for rel, url in found.items()}


def ids(response: TestResponse) -> list[Any]:
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    rows = body["notifications"] if isinstance(body, dict) else body
    return [r.get("task_id", r.get("id")) for r in rows]


def walk(api: Api, path: str, user: str) -> list[list[Any]]:
    """Every page of a list, following X-Next-Cursor until a page has none."""
    pages = []
    separator = "&" if "?" in path else "?"
    response = api("GET", path, user=user)
    pages.append(ids(response))
    while "X-Next-Cursor" in response.headers:
        cursor = response.headers["X-Next-Cursor"]
        response = api("GET", f"{path}{separator}cursor={cursor}", user=user)
        pages.append(ids(response))
        assert len(pages) < 100
    return pages


def make_deals(ctx: Context, names: list[str]) -> list[int]:
    rob = users.actor_for_username(ctx, "rob")
    return [
        deals.create_deal(ctx, rob, name, "Paging customer", 1000 + n).id
        for n, name in enumerate(names)
    ]


def test_first_middle_and_last_page_and_their_links(api: Api, demo_ctx: Context) -> None:
    made = make_deals(demo_ctx, [f"Paging {n}" for n in range(7)])
    first = api("GET", "/deals?q=paging&limit=3")
    assert ids(first) == made[::-1][:3]  # newest first
    assert first.headers["X-Total-Count"] == "7"
    assert set(links(first)) == {"next"}  # no page before the first
    middle = api("GET", links(first)["next"])
    assert ids(middle) == made[::-1][3:6]
    assert set(links(middle)) == {"next", "prev"}
    assert "q=paging" in links(middle)["next"] and "limit=3" in links(middle)["next"]
    last = api("GET", links(middle)["next"])
    assert ids(last) == made[:1]
    assert "X-Next-Cursor" not in last.headers and set(links(last)) == {"prev"}
    # Back from the last page: the middle again, then the first.
    back = api("GET", links(last)["prev"])
    assert ids(back) == ids(middle)
    assert ids(api("GET", links(back)["prev"])) == ids(first)


@pytest.mark.parametrize("sort", ["newest", "value", "close", "name"])
def test_every_order_pages_through_the_same_rows_as_one_page(api: Api, sort: str) -> None:
    whole = ids(api("GET", f"/deals?sort={sort}&limit=500", user="admin"))
    pages = walk(api, f"/deals?sort={sort}&limit=2", "admin")
    assert [i for page in pages for i in page] == whole
    assert len(pages) == (len(whole) + 1) // 2 and all(len(p) == 2 for p in pages[:-1])


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("admin", "/leads?sort=value"),
        ("admin", "/leads?sort=name"),
        ("rob", "/tasks"),  # ready tasks, then follow-ups: two parts of one list
        ("mia", "/tasks?scope=all"),
        ("rob", "/notifications"),
        ("admin", "/outbox"),
        ("mia", "/board/columns/initial_visit/cards?process=sales_process"),
    ],
)
def test_lists_page_through_the_same_rows_as_one_page(
    api: Api, demo_ctx: Context, user: str, path: str
) -> None:
    grow(demo_ctx)
    separator = "&" if "?" in path else "?"
    whole = ids(api("GET", f"{path}{separator}limit=100", user=user))
    pages = walk(api, f"{path}{separator}limit=2", user)
    assert len(whole) >= 5 and len(pages) >= 3
    assert [i for page in pages for i in page] == whole


def test_a_deal_added_between_page_requests_shifts_nothing(api: Api, demo_ctx: Context) -> None:
    make_deals(demo_ctx, ["Paging b", "Paging d", "Paging f", "Paging h"])
    first = api("GET", "/deals?q=paging&sort=name&limit=2")
    assert [d["name"] for d in first.get_json()] == ["Paging b", "Paging d"]
    # One sorts before the page already read, one after it: neither repeats nor skips a row.
    make_deals(demo_ctx, ["Paging a", "Paging e"])
    rest = api("GET", links(first)["next"])
    assert [d["name"] for d in rest.get_json()] == ["Paging e", "Paging f"]
    assert rest.headers["X-Total-Count"] == "6"
    newest = api("GET", "/deals?q=paging&limit=3")
    make_deals(demo_ctx, ["Paging newer"])
    older = api("GET", links(newest)["next"])
    assert not set(ids(older)) & set(ids(newest))
    assert "Paging newer" not in [d["name"] for d in older.get_json()]


def cursor_of(*value: Any) -> str:
    raw = json.dumps(list(value)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        "x" * 3000,
        cursor_of("deals.name", "a", "", "Paging", 1),  # another order's
        cursor_of("deals.newest", "a", "", "not a number"),
        cursor_of("deals.newest", "a"),
        cursor_of("deals.newest", "sideways", "", 1),
        cursor_of({"order": "deals.newest"}),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_cursor_that_is_not_ours_is_a_400_naming_cursor(api: Api, cursor: str) -> None:
    response = api("GET", "/deals", query_string={"cursor": cursor})
    assert response.status_code == 400, response.get_json()
    error = response.get_json()
    assert error["field"] == "cursor" and "cursor" in error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/leads",
        "/tasks",
        "/notifications",
        "/deals/1/history",
        "/board/columns/initial_visit/cards?process=sales_process",
    ],
)
def test_every_paged_list_refuses_a_bad_cursor(api: Api, path: str) -> None:
    separator = "&" if "?" in path else "?"
    response = api("GET", f"{path}{separator}cursor=bm90LW91cnM", user="admin")
    assert response.status_code == 400 and response.get_json()["field"] == "cursor"


def test_a_bad_limit_is_a_400_naming_limit(api: Api) -> None:
    for limit in ("0", "501", "many"):
        response = api("GET", f"/deals?limit={limit}")
        assert response.status_code == 400 and response.get_json()["field"] == "limit"


def test_pages_show_a_bad_cursor_beside_the_list(visitor: Any, demo_ctx: Context) -> None:
    admin = visitor("admin")
    for path in ("/deals", "/leads", "/tasks", "/notifications", "/approvals"):
        page = admin.text(admin.get(f"{path}?cursor=bm90LW91cnM", status=400))
        assert "cursor" in page and "start again without a cursor" in page, path
    deal = make_deals(demo_ctx, ["Paging history"])[0]
    shown = admin.text(admin.get(f"/deals/{deal}?history=bm90LW91cnM"))
    assert "Paging history" in shown and "start again without a cursor" in shown


def test_search_needs_every_word_whichever_is_rarest(api: Api, demo_ctx: Context) -> None:
    make_deals(demo_ctx, ["Northwind Traders", "Northwind Bikes", "Contoso Traders"])
    make_deals(demo_ctx, [f"Paging filler {n}" for n in range(8)])

    def names(q: str) -> list[str]:
        response = api("GET", "/deals", user="admin", query_string={"q": q, "sort": "name"})
        return [d["name"] for d in response.get_json()]

    assert names("trad north") == names("NORTH, trad") == ["Northwind Traders"]
    # "paging" begins a word of every one's customer; "bik" of one name only.
    assert names("paging bik") == names("bik paging") == ["Northwind Bikes"]
    assert names("paging trad") == ["Contoso Traders", "Northwind Traders"]
    assert len(names("paging")) == 11 and names("paging nomatch") == []
