"""The JSON API over HTTP (Flask test client, SQLite): contract, auth, every lifecycle path."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from werkzeug.test import TestResponse

from tests.team import Team
from tests.web.api import Api

REPO = Path(__file__).resolve().parents[2]
LEAD_XML = (REPO / "bpmn" / "lead_qualification.bpmn").read_text(encoding="utf-8")
SALES_XML = (REPO / "bpmn" / "sales_process.bpmn").read_text(encoding="utf-8")

Call = Callable[..., TestResponse]


@pytest.fixture
def api(client: FlaskClient, sqlite_team: Team) -> Api:
    """The API on the bundled diagrams, as the small team (rob unless named)."""
    return Api(client, sqlite_team.tokens)


def error(response: TestResponse, status: int, code: str, field: str | None = None) -> Any:
    assert response.status_code == status, (response.status_code, response.get_json())
    body = response.get_json()
    assert body["error"] == code, body
    assert body["message"]
    if field is not None:
        assert body.get("field") == field, body
    return body


# -- contract ---------------------------------------------------------------------------------
def test_openapi_document_is_valid(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")


def flask_routes(app: Flask) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
        routes.setdefault(path, set()).update(methods)
    return routes


def test_every_authenticated_route_is_documented(app: Flask, client: FlaskClient) -> None:
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]
    routes = flask_routes(app)
    assert len(routes) > 10
    for path, methods in routes.items():
        if path in ("/", "/openapi.json"):
            continue
        assert path in documented, path
        assert methods == set(documented[path]) & {"get", "post", "patch", "put", "delete"}, path


def test_every_route_under_api_v1_is_in_the_paths(app: Flask, client: FlaskClient) -> None:
    """Including the document itself (GET /api/v1/openapi.json)."""
    documented = set(client.get("/api/v1/openapi.json").get_json()["paths"])
    assert set(flask_routes(app)) - documented == set()


# -- authentication ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
    ],
)
def test_missing_or_wrong_token_is_401(api: Call, headers: dict[str, str]) -> None:
    for method, path in (("GET", "/deals"), ("POST", "/leads"), ("GET", "/me")):
        response = api(method, path, user=None, headers=headers, json={"name": "x"})
        error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert api("GET", "/leads", user="admin").get_json() == []


def test_me(api: Call) -> None:
    assert api("GET", "/me", user="mia").get_json()["username"] == "mia"


# -- leads ------------------------------------------------------------------------------------
def test_lead_lifecycle_over_http(api: Call) -> None:
    created = api(
        "POST", "/leads", json={"name": "Jane", "company": "Northwind", "estimated_value": "1200"}
    )
    assert created.status_code == 201
    lead = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/leads/{lead['id']}")
    assert (lead["status"], lead["owner"], lead["estimated_value"]) == ("new", "rob", 1200.0)
    assert api("GET", f"/leads/{lead['id']}").get_json()["id"] == lead["id"]

    dropped = api("POST", f"/leads/{lead['id']}/disqualify", json={"reason": "No budget"})
    assert dropped.status_code == 200
    assert dropped.get_json()["status"] == "disqualified"
    renewed = api("POST", f"/leads/{lead['id']}/renew")
    assert renewed.status_code == 200
    assert renewed.get_json()["status"] == "new"
    assert [t["title"] for t in renewed.get_json()["tasks"]] == ["Review lead"]
    qualified = api(
        "POST", f"/leads/{lead['id']}/qualify", json={"version": renewed.get_json()["version"]}
    )
    assert qualified.status_code == 200
    deal_id = qualified.get_json()["deal_id"]
    deal = api("GET", f"/deals/{deal_id}").get_json()
    assert (deal["lead_id"], deal["name"], deal["value"]) == (
        lead["id"],
        "Northwind opportunity",
        1200.0,
    )

    history = api("GET", f"/leads/{lead['id']}/history").get_json()
    assert [(h["action"], h["to_status"]) for h in history] == [
        ("created", "new"),
        ("disqualified", "disqualified"),
        ("renewed", "new"),
        ("qualified", "qualified"),
    ]
    listed = api("GET", "/leads?status=qualified").get_json()
    assert [v["id"] for v in listed] == [lead["id"]]
    error(api("POST", f"/leads/{lead['id']}/qualify"), 409, "invalid_state")


def test_patch_lead_status(api: Call) -> None:
    lead = api("POST", "/leads", json={"name": "Patchy"}).get_json()
    path = f"/leads/{lead['id']}"
    error(api("PATCH", path, json={"reason": "x"}), 400, "invalid_input", "status")
    error(api("PATCH", path, json={"status": "won"}), 400, "invalid_input", "status")
    error(api("PATCH", path, json={"status": "disqualified"}), 400, "invalid_input", "reason")
    dropped = api("PATCH", path, json={"status": "disqualified", "reason": "No decision"})
    assert dropped.status_code == 200
    assert dropped.get_json()["disqualify_reason"] == "No decision"
    renewed = api(
        "PATCH",
        path,
        json={"status": "new"},
        headers={"If-Match": f'"{dropped.get_json()["version"]}"'},
    )
    assert renewed.get_json()["status"] == "new"
    error(
        api(
            "PATCH", path, json={"status": "qualified"}, headers={"If-Match": str(lead["version"])}
        ),
        409,
        "conflict",
    )
    assert api("PATCH", path, json={"status": "qualified"}).get_json()["status"] == "qualified"


def test_lead_input_errors_name_the_field(api: Call) -> None:
    error(api("POST", "/leads", json={}), 400, "invalid_input", "name")
    error(api("POST", "/leads", json={"name": "   "}), 400, "invalid_input", "name")
    error(api("POST", "/leads", json={"name": 5}), 400, "invalid_input", "name")
    error(api("POST", "/leads", json=["name"]), 400, "invalid_input", "body")
    error(api("POST", "/leads", json="Jane"), 400, "invalid_input", "body")
    error(
        api("POST", "/leads", data="{not json", content_type="application/json"),
        400,
        "invalid_input",
        "body",
    )
    error(api("POST", "/leads", json={"name": "x", "email": "nope"}), 400, "invalid_input", "email")
    error(
        api("POST", "/leads", json={"name": "x", "estimated_value": "-1"}),
        400,
        "invalid_input",
        "estimated_value",
    )
    error(api("GET", "/leads?limit=many"), 400, "invalid_input", "limit")
    error(api("GET", "/leads?status=open"), 400, "invalid_input", "status")
    assert api("GET", "/leads", user="admin").get_json() == []


# -- deals ------------------------------------------------------------------------------------
def test_deal_lifecycle_over_http(api: Call) -> None:
    created = api("POST", "/deals", json={"name": "HTTP deal", "customer": "Acme", "value": 900})
    assert created.status_code == 201
    deal = created.get_json()
    path = f"/deals/{deal['id']}"
    assert created.headers["Location"].endswith(f"/api/v1{path}")
    assert (deal["status"], deal["stage"], deal["probability"]) == ("open", "initial_visit", 10)

    def task_path(title: str) -> str:
        found = [t for t in api("GET", path).get_json()["tasks"] if t["title"] == title]
        assert len(found) == 1, title
        return f"/tasks/{found[0]['task_id']}/complete"

    def done(title: str, user: str = "rob", **body: Any) -> None:
        response = api("POST", task_path(title), user=user, json=body)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["title"] == title

    def patch(changes: dict[str, Any]) -> None:
        assert api("PATCH", path, json=changes).status_code == 200

    probabilities = [deal["probability"]]
    # Initial visit: two contacts and the customer's industry before it can be left.
    for contact in ({"name": "Pat Direct", "email": "pat@acme.example"}, {"name": "Kim Boss"}):
        assert api("POST", f"{path}/contacts", json=contact).status_code == 201
    patch({"customer_fields": {"industry": "Software"}})
    done("Meet the customer")
    error(api("POST", task_path("Identify decision makers")), 400, "invalid_input", "note")
    done("Identify decision makers", note="Kim decides")
    probabilities.append(api("GET", path).get_json()["probability"])

    # Needs analysis.
    patch({"fields": {"budget": 900}, "expected_close_date": "2026-06-30"})
    done("Analyse needs")
    done("Qualify budget")
    probabilities.append(api("GET", path).get_json()["probability"])

    # Solution design: a design with a note and a file; then the manager's approval.
    patch(
        {
            "stage_fields": {
                "solution_design": {"design_summary": "Two sites", "customer_feedback": "Good"}
            }
        }
    )
    uploaded = api(
        "POST",
        f"{path}/attachments",
        data={"file": (io.BytesIO(b"Phase 1: head office.\n"), "design.txt")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201
    done("Design solution", note="Design attached", attachment_ids=[uploaded.get_json()["id"]])
    done("Present solution")
    probabilities.append(api("GET", path).get_json()["probability"])
    manager_tasks = api("GET", "/tasks?role=manager", user="mia").get_json()
    assert [(t["title"], t["kind"], t["assignee"]) for t in manager_tasks] == [
        ("Approve solution", "approval", "mia")
    ]
    approval = task_path("Approve solution")
    approve = {"data": {"decision": "approve"}}
    error(api("POST", approval, user="rob", json=approve), 403, "forbidden")
    error(
        api("POST", approval, user="mia", json={"data": {"approved": True}}),
        400,
        "invalid_input",
        "data.decision",
    )
    done("Approve solution", user="mia", data={"decision": "approve", "comment": "Go"})
    probabilities.append(api("GET", path).get_json()["probability"])

    # Quote and bid.
    done("Send quote")
    done("Negotiate terms")
    probabilities.append(api("GET", path).get_json()["probability"])
    # each stage's win rate, moved by the share of its activity weight done
    assert probabilities == [10, 30, 50, 80, 80, 100]

    assert api("GET", "/tasks?role=manager", user="mia").get_json() == []
    body = error(api("POST", f"{path}/close", json={"outcome": "won"}), 422, "rule_violation")
    assert body["unmet"] == ["an order must exist to win"]
    order = api("POST", f"{path}/orders", json={})
    assert order.status_code == 201
    assert order.get_json()["amount"] == 900.0
    closed = api("POST", f"{path}/close", json={"outcome": "won"})
    assert closed.status_code == 200
    assert (closed.get_json()["status"], closed.get_json()["probability"]) == ("won", 100)
    assert closed.get_json()["stage"] == "installation"
    error(api("POST", f"{path}/close", json={"outcome": "won"}), 409, "invalid_state")

    reopened = api("POST", f"{path}/reopen")
    assert reopened.status_code == 201
    new = reopened.get_json()
    assert reopened.headers["Location"].endswith(f"/api/v1/deals/{new['id']}")
    assert new["reopened_from_id"] == deal["id"]
    assert api("GET", path).get_json()["reopened_as_id"] == new["id"]
    error(api("POST", f"{path}/reopen"), 409, "invalid_state")
    error(api("POST", f"/deals/{new['id']}/reopen"), 409, "invalid_state")

    lost = api("POST", f"/deals/{new['id']}/close", json={"outcome": "lost", "reason": "Other"})
    assert (lost.get_json()["status"], lost.get_json()["lost_reason"]) == ("lost", "Other")

    history = api("GET", f"{path}/history").get_json()
    assert [(h["from_stage"], h["to_stage"]) for h in history if h["from_stage"]] == [
        ("initial_visit", "needs_analysis"),
        ("needs_analysis", "solution_design"),
        ("solution_design", "quote_and_bid"),
        ("quote_and_bid", "installation"),
    ]
    # the win, then the follow-up it cancelled
    assert [h["action"] for h in history[-2:]] == ["closed", "follow_ups_cancelled"]
    assert {d["id"] for d in api("GET", "/deals?status=lost").get_json()} == {new["id"]}


def test_deal_errors(api: Call) -> None:
    deal = api("POST", "/deals", json={"name": "Errors", "value": "10"}).get_json()
    path = f"/deals/{deal['id']}"
    error(api("POST", "/deals", json={"customer": "x"}), 400, "invalid_input", "name")
    error(
        api("POST", "/deals", json={"name": "x", "currency": "EURO"}),
        400,
        "invalid_input",
        "currency",
    )
    error(api("POST", "/deals", json=[1]), 400, "invalid_input", "body")
    error(api("GET", "/deals/9999"), 404, "not_found")
    error(api("POST", "/deals/9999/close", json={"outcome": "won"}), 404, "not_found")
    error(api("GET", "/deals/9999/history"), 404, "not_found")
    # another team's deal is refused exactly as a missing one: ids cannot be enumerated
    error(api("GET", path, user="sara"), 404, "not_found")
    error(api("POST", f"{path}/close", user="olga", json={"outcome": "won"}), 404, "not_found")
    assert api("GET", path, user="sara").get_json() == {
        **api("GET", "/deals/9999").get_json(),
        "id": int(path.rsplit("/", 1)[1]),
        "message": f"deal {path.rsplit('/', 1)[1]} does not exist",
    }
    assert api("GET", path, user="mia").status_code == 200
    error(api("POST", f"{path}/close", json={}), 400, "invalid_input", "outcome")
    error(api("POST", f"{path}/close", json={"outcome": "draw"}), 400, "invalid_input", "outcome")
    error(api("POST", f"{path}/close", json={"outcome": "lost"}), 400, "invalid_input", "reason")
    error(
        api("POST", f"{path}/close", json={"outcome": "lost", "reason": "Bored"}),
        400,
        "invalid_input",
        "reason",
    )
    error(
        api("POST", f"{path}/close", json={"outcome": "won", "version": "abc"}),
        400,
        "invalid_input",
        "version",
    )
    assert api("GET", path).get_json()["version"] == deal["version"]

    # won needs the diagram's win rules: refused with every unmet one, nothing changed
    body = error(api("POST", f"{path}/close", json={"outcome": "won"}), 422, "rule_violation")
    assert "an order must exist to win" in body["unmet"]
    assert "obligatory activity 'Meet the customer' (Initial visit) is not done" in body["unmet"]
    assert api("GET", path).get_json()["version"] == deal["version"]

    # stale versions: in the body and in If-Match
    meet, identify = (
        next(t["task_id"] for t in deal["tasks"] if t["title"] == title)
        for title in ("Meet the customer", "Identify decision makers")
    )
    done = api("POST", f"/tasks/{meet}/complete", json={"version": deal["version"]})
    assert done.status_code == 200
    body = error(
        api("POST", f"{path}/close", json={"outcome": "won", "version": deal["version"]}),
        409,
        "conflict",
    )
    assert body["current_version"] > deal["version"]
    error(
        api(
            "POST",
            f"{path}/close",
            json={"outcome": "won"},
            headers={"If-Match": f'"{deal["version"]}"'},
        ),
        409,
        "conflict",
    )
    error(
        api(
            "POST",
            f"/tasks/{identify}/complete",
            json={"note": "Kim decides"},
            headers={"If-Match": str(deal["version"])},
        ),
        409,
        "conflict",
    )
    assert api("GET", path).get_json()["status"] == "open"


def test_task_errors(api: Call) -> None:
    deal = api("POST", "/deals", json={"name": "Tasks"}).get_json()
    task = next(t["task_id"] for t in deal["tasks"] if t["title"] == "Meet the customer")
    error(api("POST", "/tasks/nope/complete"), 404, "not_found")
    error(api("POST", f"/tasks/{task}/complete", json={"data": [1]}), 400, "invalid_input", "data")
    error(
        api("POST", f"/tasks/{task}/complete", json={"data": {"Bad Key": 1}}),
        400,
        "invalid_input",
    )
    error(
        api("POST", f"/tasks/{task}/complete", json={"data": {"close": 1}}),
        400,
        "invalid_input",
        "data.close",
    )
    error(api("POST", f"/tasks/{task}/complete", user="sara"), 404, "not_found")
    error(api("GET", "/tasks?role=boss"), 400, "invalid_input", "role")
    assert api("GET", f"/deals/{deal['id']}").get_json()["version"] == deal["version"]
    assert api("POST", f"/tasks/{task}/complete").status_code == 200
    error(api("POST", f"/tasks/{task}/complete"), 404, "not_found")


# -- processes --------------------------------------------------------------------------------
def test_processes_list_and_get(api: Call) -> None:
    listed = api("GET", "/processes").get_json()
    assert {p["key"] for p in listed} == {
        "lead_qualification",
        "openfire_pipeline",
        "sales_process",
        "zh_key_account",
    }
    sales = api("GET", "/processes/sales_process").get_json()
    assert sales["version"] == 1
    assert "No budget" in sales["lost_reasons"]
    error(api("GET", "/processes/nope"), 404, "not_found")


def upload(name: str, xml: str) -> dict[str, Any]:
    """A multipart upload of the diagram with the bundled task forms it may name."""
    forms = [(io.BytesIO(p.read_bytes()), p.name) for p in sorted((REPO / "bpmn").glob("*.json"))]
    return {
        "data": {"file": [(io.BytesIO(xml.encode()), name), *forms]},
        "content_type": "multipart/form-data",
    }


def test_deploy_by_multipart(api: Call) -> None:
    changed = SALES_XML.replace('name="Negotiate terms"', 'name="Negotiate the terms"')
    error(
        api("POST", "/processes", user="mia", **upload("sales_process.bpmn", changed)),
        403,
        "forbidden",
    )
    same = api("POST", "/processes", user="admin", **upload("sales_process.bpmn", SALES_XML))
    assert same.status_code == 201
    assert [(r["version"], r["created"]) for r in same.get_json()] == [(1, False)]
    deployed = api("POST", "/processes", user="admin", **upload("sales_process.bpmn", changed))
    assert deployed.status_code == 201
    assert [(r["key"], r["version"], r["created"]) for r in deployed.get_json()] == [
        ("sales_process", 2, True)
    ]
    assert api("GET", "/processes/sales_process").get_json()["versions"] == 2
    error(api("POST", "/processes", user="admin"), 400, "invalid_input", "file")
    third = changed.replace('name="Negotiate the terms"', 'name="Negotiate"')
    switched = api(
        "POST",
        "/processes?disable_previous=true",
        user="admin",
        **upload("sales_process.bpmn", third),
    ).get_json()
    assert [(r["version"], r["previous"], r["disabled"]) for r in switched] == [(3, 2, [1, 2])]


def test_deploy_unsafe_diagram_names_the_element(api: Call) -> None:
    unsafe = LEAD_XML.replace("decision == 'qualify'", "__import__('os').system('id')")
    response = api("POST", "/processes", user="admin", **upload("lead_qualification.bpmn", unsafe))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] in ("diagram_error", "unsafe_expression"), body
    assert body["file"] == "lead_qualification.bpmn"
    assert body["element_id"] == "Flow_Qualify"
    assert "Flow_Qualify" in body["message"]
    assert api("GET", "/processes/lead_qualification").get_json()["versions"] == 1


def test_lint(api: Call) -> None:
    good = api("POST", "/processes/lint", **upload("sales_process.bpmn", SALES_XML))
    assert good.status_code == 200
    assert good.get_json()["ok"] is True
    unsafe = LEAD_XML.replace("decision == 'qualify'", "__import__('os').system('id')")
    bad = api("POST", "/processes/lint", **upload("unsafe.bpmn", unsafe)).get_json()
    assert bad["ok"] is False
    assert any(p["element_id"] == "Flow_Qualify" for p in bad["problems"])


def test_lint_xxe_diagram(api: Call) -> None:
    xxe = LEAD_XML.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ).replace('name="Review lead"', 'name="&xxe;"')
    assert "<!DOCTYPE" in xxe
    response = api("POST", "/processes/lint", **upload("xxe.bpmn", xxe))
    assert response.status_code == 200
    result = response.get_json()
    assert result["ok"] is False
    assert any("DOCTYPE" in p["message"] and p["file"] == "xxe.bpmn" for p in result["problems"])
    assert "root:" not in response.get_data(as_text=True)
    # and deploying it is refused
    error(api("POST", "/processes", user="admin", **upload("xxe.bpmn", xxe)), 400, "diagram_error")


# -- everything else ---------------------------------------------------------------------------
def test_unknown_route_is_json_404(client: FlaskClient) -> None:
    for path in ("/api/v1/nothing", "/api/v1/deals/abc"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.is_json
        assert response.get_json()["error"] == "not_found"
        assert "Traceback" not in response.get_data(as_text=True)
    # Outside /api/ a browser gets a page, a script asking for JSON gets JSON.
    page = client.get("/nothing")
    assert page.status_code == 404 and page.mimetype == "text/html"
    asked = client.get("/nothing", headers={"Accept": "application/json"})
    assert asked.status_code == 404 and asked.get_json()["error"] == "not_found"
    wrong_method = client.delete("/api/v1/deals")
    assert wrong_method.status_code == 405
    assert wrong_method.is_json


def test_index(client: FlaskClient) -> None:
    assert client.get("/api/v1/").get_json()["openapi"] == "/api/v1/openapi.json"
    assert client.get("/").headers["Location"] == "/sign-in"  # the pages start here


@pytest.mark.parametrize("version", [True, 2.7, "2.0", [2]])
def test_non_integer_body_version_is_refused(api: Call, version: Any) -> None:
    """A version that is not an integer is bad input, never silently truncated to one."""
    deal = api("POST", "/deals", json={"name": "Versions"}).get_json()
    assert deal["version"] == 2
    error(
        api("POST", f"/deals/{deal['id']}/close", json={"outcome": "won", "version": version}),
        400,
        "invalid_input",
        "version",
    )
    after = api("GET", f"/deals/{deal['id']}").get_json()
    assert (after["status"], after["version"]) == ("open", deal["version"])


@pytest.mark.parametrize("header", ["abc", "1.5", "\u00b2", "-1", ""])
def test_non_integer_if_match_is_refused(api: Call, header: str) -> None:
    deal = api("POST", "/deals", json={"name": "Versions"}).get_json()
    response = api(
        "POST",
        f"/deals/{deal['id']}/close",
        json={"outcome": "lost", "reason": "No decision"},
        headers={"If-Match": header},
    )
    if header == "":
        assert response.status_code == 200  # an empty If-Match is no precondition
        return
    error(response, 400, "invalid_input", "version")
    assert api("GET", f"/deals/{deal['id']}").get_json()["status"] == "open"


def test_lists_filter_by_owner_and_process(api: Call) -> None:
    """Mia sees her reps' records; the owner and process filters narrow them down."""
    rob_deal = api("POST", "/deals", json={"name": "Rob's"}, user="rob").get_json()
    api("POST", "/deals", json={"name": "Sara's"}, user="sara")
    api(
        "POST",
        "/deals",
        json={"name": "Rob free", "process": "openfire_pipeline"},
        user="rob",
    )
    api("POST", "/leads", json={"name": "Rob lead"}, user="rob")
    api("POST", "/leads", json={"name": "Sara lead"}, user="sara")
    by_rob = api("GET", "/deals?owner=rob", user="mia").get_json()
    assert sorted(d["name"] for d in by_rob) == ["Rob free", "Rob's"]
    sales = api("GET", "/deals?owner=rob&process=sales_process", user="mia").get_json()
    assert [d["id"] for d in sales] == [rob_deal["id"]]
    leads = api("GET", "/leads?owner=sara", user="mia").get_json()
    assert [lead["name"] for lead in leads] == ["Sara lead"]
    error(api("GET", "/deals?owner=nobody", user="mia"), 400, "invalid_input", "owner")
