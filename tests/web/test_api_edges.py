"""The API at its edges: validation errors in plain words, ids past what a database holds,
the last day of the calendar, deeply nested JSON, and a sign-in `next` with a line break.

Each of these was a 500 or a vague message before the request models; the fuzzing test
(test_api_fuzzing.py) finds such cases, these pin them down.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests.web.api import Api
from tests.web.pages import Pages

REPO = Path(__file__).resolve().parents[2]
TOO_LARGE = ("9223372036854775808", "99999999999999999999999999999")
DEEP = 20_000  # far past the json module's recursion limit, small enough to stay in memory

Call = Api


@pytest.fixture
def api_user() -> str:
    """An admin calls unless a test names someone else."""
    return "admin"


def refused(response: TestResponse, field: str, message: str | None = None) -> str:
    assert response.status_code == 400, (response.status_code, response.get_json())
    body = response.get_json()
    assert (body["error"], body["field"]) == ("invalid_input", field), body
    if message is not None:
        assert body["message"] == message, body
    return str(body["message"])


def a_deal(api: Call) -> int:
    return int(api("GET", "/deals?status=open").get_json()[0]["id"])


def test_validation_errors_name_the_field_and_what_is_wrong(api: Call) -> None:
    deal = f"/deals/{a_deal(api)}"
    refused(api("POST", "/leads", json={}), "name", "name is required")
    refused(api("POST", "/leads", json={"name": None}), "name", "name is required")
    refused(api("POST", "/leads", json={"name": 5}), "name", "name must be text")
    refused(
        api("GET", "/leads?status=open"),
        "status",
        "status must be new, qualified or disqualified, not 'open'",
    )
    refused(api("GET", "/leads?limit=many"), "limit", "limit must be an integer")
    refused(
        api("POST", f"{deal}/close", json={}),
        "outcome",
        "outcome is required: won, lost or invalid",
    )
    refused(
        api("POST", f"{deal}/close", json={"outcome": "won", "version": True}),
        "version",
        "version must be an integer",
    )
    refused(
        api("POST", "/notifications/read", json={"ids": [1, "x"]}),
        "ids",
        "ids[1] must be an integer",
    )
    message = refused(api("PATCH", deal, json={"status": "won"}), "status")
    assert message.startswith("unknown field 'status' (currency, customer, customer_fields")
    refused(
        api("PATCH", deal, json={"stage_fields": {"initial_visit": {"notes": ["a"]}}}),
        "stage_fields.initial_visit.notes",
        "stage_fields.initial_visit.notes must be text, a number, true, false or null",
    )
    refused(api("POST", "/leads", json=["name"]), "body")
    # Every body refuses a field it does not know, rather than drop what the client meant.
    assert refused(api("POST", "/leads", json={"name": "Jane", "value": 12000}), "value") == (
        "unknown field 'value', did you mean 'estimated_value'? (company, currency, email, "
        "estimated_value, name, owner, phone)"
    )


def test_a_list_field_that_is_not_a_list_is_bad_input(api: Call) -> None:
    deal = f"/deals/{a_deal(api)}"
    for ids in (7, "7", {"id": 7}):
        refused(
            api("POST", f"{deal}/notes", json={"text": "x", "attachment_ids": ids}),
            "attachment_ids",
            "attachment_ids must be a list",
        )
    refused(
        api("POST", f"{deal}/notes", json={"text": "x", "attachment_ids": [0]}), "attachment_ids"
    )


@pytest.mark.parametrize("number", TOO_LARGE)
def test_ids_past_what_a_database_holds_are_not_found(api: Call, number: str) -> None:
    for method, path in (
        ("GET", f"/deals/{number}"),
        ("PATCH", f"/deals/{number}"),
        ("POST", f"/deals/{number}/close"),
        ("GET", f"/leads/{number}/history"),
        ("GET", f"/attachments/{number}"),
        ("DELETE", f"/webhooks/{number}"),
        ("GET", f"/outbox/{number}"),
        ("POST", f"/processes/sales_process/versions/{number}/enable"),
        ("DELETE", f"/processes/sales_process/versions/{number}"),
    ):
        response = api(method, path, json={"outcome": "won"})
        assert response.status_code == 404, (method, path, response.get_json())
        assert response.get_json()["error"] == "not_found"
    largest = "9223372036854775807"
    assert api("GET", f"/deals/{largest}").status_code == 404
    assert api("GET", f"/processes/sales_process/draft?version={largest}").status_code == 404
    refused(api("GET", f"/processes/sales_process/diff?against={number}"), "against")


def test_reports_reach_the_last_day_of_the_calendar(api: Call) -> None:
    for report in ("funnel", "losses", "time-in-stage", "stuck", "forecast"):
        for query in ("end=9999-12-31", "start=9999-12-01&end=9999-12-31", "start=0001-01-01"):
            response = api("GET", f"/analytics/{report}?{query}")
            assert response.status_code == 200, (report, query, response.get_json())
        assert api("GET", f"/analytics/{report}.csv?end=9999-12-31").status_code == 200
    response = api("GET", "/analytics/forecast?start=0001-01-01&end=9999-12-31")
    assert "at most 600 months" in refused(response, "end")


def test_deeply_nested_json_is_bad_input(api: Call) -> None:
    deep = "[" * DEEP + "]" * DEEP
    response = api("POST", "/leads", data=f'{{"name": {deep}}}', content_type="application/json")
    refused(response, "body", "the request body is nested too deeply")
    deal = a_deal(api)
    task = api("GET", f"/deals/{deal}").get_json()["tasks"][0]["task_id"]
    for depth in (300, 800):  # past the workflow state's serializer, then past json.dumps
        nested = "[" * depth + '"x"' + "]" * depth
        for path, field, name in (
            (f"/tasks/{task}/complete", "data", ""),
            (f"/deals/{deal}/messages", "payload", '"name": "quote_generated", '),
        ):
            body = f'{{{name}"{field}": {{"notes": {nested}}}}}'
            response = api("POST", path, data=body, content_type="application/json")
            assert "over 32 deep" in refused(response, field), (path, depth)


def test_a_form_schema_nested_too_deeply_is_a_lint_problem(api: Call) -> None:
    deep = ('{"a": ' * DEEP + "1" + "}" * DEEP).encode()
    files = {
        "file": [
            (io.BytesIO((REPO / "bpmn" / "sales_process.bpmn").read_bytes()), "sales_process.bpmn"),
            (io.BytesIO(deep), "approve-solution-schema.json"),
        ]
    }
    response = api("POST", "/processes/lint", data=files, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    messages = [p["message"] for p in response.get_json()["problems"]]
    assert any("approve-solution-schema.json" in m and "nested too deeply" in m for m in messages)


def test_sign_in_never_follows_a_next_with_a_line_break(site: Flask) -> None:
    pages = Pages(site)
    pages.get("/sign-in")
    response = pages.post(
        "/sign-in",
        {"username": "rob", "password": "demo-sales", "next": "/leads\r\nSet-Cookie: x=y"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/tasks"
