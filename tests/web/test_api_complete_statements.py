"""`POST /api/v1/tasks/<id>/complete` runs a fixed, small number of SQL statements (issue 17).

The API adds one statement to the completion's own (tests/integration/test_step_statements.py):
the token's user with the company's language, time zone and currency. No web session, no
groups, no second read of the caller; the answer is the task done, not the deal. An API call
does not open the session cookie a browser may send along.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.services import deals, processes
from bpmn_sales.services.people import users
from bpmn_sales.web import create_app
from tests.statements import Statements
from tests.web.api import Api
from tests.web.pages import Pages

RATED = Path(__file__).resolve().parents[1] / "data" / "rules" / "rated.bpmn"
TOKEN = 1  # the caller with the company's settings
IN_STAGE = 5  # the completion's own in its stage (test_step_statements.py)
STAGE_CHANGE = 8  # ... when the deal moves on to the next stage
SMALL = 2048  # bytes: one task's view


def test_completing_over_http_costs_one_statement_more_than_the_completion(
    ctx: Context, team: Any
) -> None:
    processes.deploy_process(ctx, team.admin, {RATED.name: RATED.read_bytes()})
    deal_id = deals.create_deal(ctx, team.rob, "Counted", "Acme", "100", process="rated").id
    api = Api(create_app({"CONTEXT": ctx, "TESTING": True}).test_client(), team.tokens)
    counter = Statements(ctx.db)
    found = []
    for _ in range(3):
        task = deals.get_deal(ctx, team.rob, deal_id).tasks[0]
        with counter.counting():
            answer = api("POST", f"/tasks/{task.task_id}/complete", json={})
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["task_id"] == task.task_id
        assert len(answer.get_data()) < SMALL, answer.get_data()
        found.append((counter.count, counter.summary(), " ".join(counter.sql)))
    (first, first_sql, _), (second, second_sql, _), (third, third_sql, _) = found
    assert first <= TOKEN + IN_STAGE, first_sql
    assert second <= TOKEN + STAGE_CHANGE, second_sql  # the second leaves the first stage
    assert third <= TOKEN + IN_STAGE, third_sql
    for _count, summary, sql in found:
        assert sql.count("users.token_hash = ") == 1, summary
        assert sql.count("FROM users") + sql.count("JOIN users") <= 2, summary  # token, owner
        for table in ("web_sessions", "group_members", "FROM history"):
            assert table not in sql, summary


def test_a_rotated_token_stops_at_once_and_another_teams_task_is_not_found(
    ctx: Context, team: Any
) -> None:
    """The lookup is made on every call: no verified token is kept in memory."""
    processes.deploy_process(ctx, team.admin, {RATED.name: RATED.read_bytes()})
    deal_id = deals.create_deal(ctx, team.rob, "Guarded", "Acme", "100", process="rated").id
    tokens = dict(team.tokens)
    api = Api(create_app({"CONTEXT": ctx, "TESTING": True}).test_client(), tokens)
    task = deals.get_deal(ctx, team.rob, deal_id).tasks[0]
    assert api("POST", f"/tasks/{task.task_id}/complete", user="olga", json={}).status_code == 404
    assert api("GET", "/me").status_code == 200
    tokens["rob"] = users.rotate_token(ctx, team.admin, "rob")
    stale = Api(api.client, team.tokens)
    assert stale("POST", f"/tasks/{task.task_id}/complete", json={}).status_code == 401
    fresh = Api(api.client, tokens)
    assert fresh("POST", f"/tasks/{task.task_id}/complete", json={}).status_code == 200


def test_an_api_call_leaves_a_browsers_session_alone(
    visitor: Callable[[str | None], Pages], demo_tokens: dict[str, str]
) -> None:
    """The API neither reads nor refreshes the session cookie a browser may send along; the
    pages go on using it."""
    browser = visitor("rob")
    assert browser.get("/tasks").status_code == 200
    assert browser.client.get("/tasks").headers.get("Set-Cookie"), "pages refresh their cookie"
    answer = browser.client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {demo_tokens['rob']}"}
    )
    assert answer.status_code == 200 and answer.get_json()["username"] == "rob"
    assert "Set-Cookie" not in answer.headers
    assert "Cookie" not in answer.headers.get("Vary", "")
    assert browser.get("/tasks").status_code == 200  # still signed in
