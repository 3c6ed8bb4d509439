"""Every list page and list API runs a bounded number of SQL statements, whatever its length.

Each list is read on the demo, then the demo grows (more deals, leads, their tasks,
notifications and outbox mail, made by the real use cases where there is one) and each list is
read again, a page holding every row both times: the statement count must not change and must
stay under the bound. An N+1 (a query per row) makes the second count larger and fails.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from werkzeug.test import TestResponse

from bpmn_sales.context import Context
from bpmn_sales.persistence.models import Notification, OutboxMessage
from bpmn_sales.services import deals, leads, processes
from bpmn_sales.services.people import users
from tests import helpers
from tests import migration_edits as edits
from tests.statements import Statements
from tests.web.api import Api
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]
MOST = 25  # statements one list request may run (issue 16: max_queries <= 25)
GROWTH = 6  # rows each list gains between the two reads


def grow(ctx: Context) -> None:
    """GROWTH more deals and leads of rob's, with their tasks, and as many notices and mails."""
    rob = users.actor_for_username(ctx, "rob")
    for n in range(GROWTH):
        deals.create_deal(ctx, rob, f"Volume deal {n}", f"Volume customer {n}", 1000 + n)
        leads.create_lead(ctx, rob, f"Volume lead {n}", f"Volume company {n}")
    now = datetime(2026, 1, 5, tzinfo=UTC)
    with ctx.uow() as store:
        for n in range(GROWTH):
            store.add(
                Notification(
                    user_id=rob.id,
                    subject_type="deal",
                    subject_id=1,
                    kind="volume",
                    message=f"notice {n}",
                    created_at=now,
                )
            )
            store.add(
                OutboxMessage(
                    channel="mail",
                    recipient="rob@example.com",
                    user_id=rob.id,
                    subject=f"mail {n}",
                    body="text",
                    payload={},
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        store.commit()


def counted(statements: Statements, call: Callable[[], TestResponse]) -> tuple[int, TestResponse]:
    with statements.counting():
        response = call()
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return statements.count, response


def rows(response: TestResponse) -> int:
    """How many rows a list API answered with."""
    body = response.get_json()
    if isinstance(body, dict) and "notifications" in body:
        return len(body["notifications"])
    if isinstance(body, dict) and "columns" in body:
        return sum(len(c["cards"]) for c in body["columns"])
    assert isinstance(body, list)
    return len(body)


# (who, path): every list of the API, each page holding the whole list.
API_LISTS = [
    ("rob", "/deals?limit=500"),
    ("admin", "/deals?limit=500&sort=close"),
    ("mia", "/deals?limit=500&sort=value&status=open"),
    ("rob", "/leads?limit=500"),
    ("admin", "/leads?limit=500&sort=name"),
    ("rob", "/tasks?limit=500"),
    ("mia", "/tasks?limit=500&scope=all"),
    ("rob", "/notifications?limit=500"),
    ("admin", "/outbox?limit=500"),
    ("rob", "/board?process=sales_process"),
    ("mia", "/board/columns/initial_visit/cards?process=sales_process&limit=100"),
]


def test_list_apis_run_as_many_statements_at_two_sizes(
    api: Api, demo_ctx: Context, statements: Statements
) -> None:
    def read_all() -> dict[tuple[str, str], tuple[int, int, str]]:
        found = {}
        for user, path in API_LISTS:
            api("GET", path, user=user)  # warm: caches of specs and rules
            count, response = counted(statements, lambda p=path, u=user: api("GET", p, user=u))
            found[(user, path)] = (count, rows(response), statements.summary())
        return found

    before = read_all()
    grow(demo_ctx)
    after = read_all()
    for key, (count, listed, sql) in after.items():
        assert listed > before[key][1], (key, "the list did not grow", listed)
        assert count <= MOST, (key, count, sql)
        assert count == before[key][0], (key, before[key][0], count, sql)


def test_history_api_runs_as_many_statements_for_one_entry_as_for_all(
    api: Api, demo_ctx: Context, statements: Statements
) -> None:
    admin = users.actor_for_username(demo_ctx, "admin")
    deal = max(deals.list_deals(demo_ctx, admin, limit=500), key=lambda d: d.version)
    path = f"/deals/{deal.id}/history"
    api("GET", path, user="admin")
    one, first = counted(statements, lambda: api("GET", f"{path}?limit=1", user="admin"))
    every, whole = counted(statements, lambda: api("GET", f"{path}?limit=500", user="admin"))
    assert len(first.get_json()) == 1 and len(whole.get_json()) >= 3
    assert every == one <= MOST, statements.summary()


def test_search_runs_as_many_statements_for_one_match_as_for_all(
    api: Api, demo_ctx: Context, statements: Statements
) -> None:
    grow(demo_ctx)
    for path in ("/deals?q=volume&sort=value", "/leads?q=volume+comp"):
        api("GET", path, user="mia")
        one, first = counted(statements, lambda p=f"{path}&limit=1": api("GET", p, user="mia"))
        every, whole = counted(statements, lambda p=f"{path}&limit=500": api("GET", p, user="mia"))
        assert len(first.get_json()) == 1 and len(whole.get_json()) == GROWTH
        assert every == one <= MOST, (path, statements.summary())


# (who, path): the list pages, each with its filters' widest page.
PAGES = [
    ("rob", "/deals"),
    ("admin", "/deals?sort=value"),
    ("rob", "/leads"),
    ("rob", "/tasks"),
    ("mia", "/approvals"),
    ("rob", "/notifications"),
    ("rob", "/board?process=sales_process"),
    ("admin", "/admin/delivery"),
]


def test_list_pages_run_as_many_statements_at_two_sizes(
    visitor: Visitor, demo_ctx: Context, statements: Statements
) -> None:
    signed_in = {user: visitor(user) for user in {u for u, _ in PAGES}}

    def read_all() -> dict[tuple[str, str], tuple[int, int, str]]:
        found = {}
        for user, path in PAGES:
            page = signed_in[user]
            page.get(path)
            count, response = counted(statements, lambda v=page, p=path: v.get(p))
            found[(user, path)] = (count, len(response.get_data()), statements.summary())
        return found

    before = read_all()
    grow(demo_ctx)
    after = read_all()
    for key, (count, _, sql) in after.items():
        assert count <= MOST, (key, count, sql)
        assert count == before[key][0], (key, before[key][0], count, sql)
    grown = [k for k, (_, size, _) in after.items() if size > before[k][1]]
    # The lists that gain rows show more (the approvals inbox gains none: no new approvals).
    assert len(grown) >= len(PAGES) - 2, grown


def test_the_analytics_page_runs_as_many_statements_at_two_sizes(
    visitor: Visitor, demo_ctx: Context, statements: Statements
) -> None:
    # Every report, the targets and the menus come from one scope in one unit of work.
    pages = {user: visitor(user) for user in ("mia", "admin")}
    before = {}
    for user, page in pages.items():
        page.get("/analytics")
        before[user] = counted(statements, lambda p=page: p.get("/analytics"))
    grow(demo_ctx)
    for user, page in pages.items():
        count, response = counted(statements, lambda p=page: p.get("/analytics"))
        assert count <= MOST, (user, count, statements.summary())
        assert count == before[user][0], (user, before[user][0], count, statements.summary())
        assert response.get_data() != before[user][1].get_data()  # the figures took the growth


def more_processes(ctx: Context) -> None:
    """Three more versions of the sales process and three more processes."""
    xml = edits.sales_xml()
    for version in (
        edits.remove_stage(xml, "needs_analysis"),
        edits.add_site_survey(xml),
        edits.remove_stage(xml, "solution_design"),
    ):
        edits.deploy(ctx, version)
    for n in range(3):
        copy = xml.replace(b'id="sales_process"', f'id="volume_copy_{n}"'.encode())
        copy = copy.replace(b'name="Sales process"', f'name="Volume copy {n}"'.encode())
        processes.deploy_process(ctx, None, {**helpers.FORMS, f"volume_copy_{n}.bpmn": copy})


def more_users(ctx: Context) -> None:
    admin = users.actor_for_username(ctx, "admin")
    for n in range(GROWTH):
        users.create_user(ctx, admin, f"volume{n}", f"Volume person {n}", "rep", "mia")


# (who, path, grow): the admin's lists of users and processes, and what makes them longer.
ADMIN_LISTS: list[tuple[str, Callable[[Context], None], str]] = [
    ("page", more_users, "/admin/users"),
    ("page", more_processes, "/processes"),
    ("page", more_processes, "/processes/sales_process"),
    ("api", more_processes, "/processes"),
    ("api", more_processes, "/processes/sales_process/versions"),
]


@pytest.mark.parametrize(("kind", "growing", "path"), ADMIN_LISTS)
def test_admin_lists_run_as_many_statements_at_two_sizes(
    api: Api,
    visitor: Visitor,
    demo_ctx: Context,
    statements: Statements,
    kind: str,
    growing: Callable[[Context], None],
    path: str,
) -> None:
    admin = visitor("admin")

    def read() -> tuple[int, int, str]:
        def call() -> TestResponse:
            return admin.get(path) if kind == "page" else api("GET", path, user="admin")

        call()  # warm: the specs of new versions
        count, response = counted(statements, call)
        return count, len(response.get_data()), statements.summary()

    before = read()
    growing(demo_ctx)
    after = read()
    assert after[1] > before[1], "the list did not grow"
    assert after[0] <= MOST, (after[0], after[2])
    assert after[0] == before[0], (before[0], after[0], after[2])
