"""The sales rules over HTTP (Flask test client, real tokens, SQLite and PostgreSQL).

The bundled B2B `sales_process` walked stage by stage: what each stage needs before it can be
left, notes and files, the manager's approval, orders, winning and the post-sale stages; free
moves on `openfire_pipeline`; closing invalid or lost; follow-ups, notifications and the outbox;
attachments; stale versions.

Win probabilities are worked out by hand from the diagram. Pre-sale stages and their rates:
initial_visit 10, needs_analysis 30, solution_design 50, quote_and_bid 80, then won 100; each
stage's activities weigh 3 in all (2 + 1; the approval and revision weigh 0). At a stage with
rate r, next rate n and done weight w: p = r + (n - r) * w / 3, rounded half up.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

from bpmn_sales.context import Context
from bpmn_sales.services.people import users
from bpmn_sales.web import create_app
from bpmn_sales.web.api.document import openapi_document
from tests.fakes import FakeClock
from tests.team import Team
from tests.web.api import Api

Call = Callable[..., TestResponse]

TEXT_FILE = ("solution-design.txt", b"Phase 1: head office.\nPhase 2: branches.\n")


@pytest.fixture
def app(ctx: Context) -> Flask:
    return create_app({"CONTEXT": ctx, "TESTING": True})


@pytest.fixture
def pia(ctx: Context, team: Team) -> str:
    """A presales member with an e-mail address ('Present solution' notifies group:presales)."""
    _, token = users.create_user(
        ctx, None, "pia", "Pia Presales", "rep", "mia", "pia@example.com", groups=["presales"]
    )
    return token


@pytest.fixture
def api(client: FlaskClient, team: Team, pia: str) -> Api:
    """The API on each backend, as the small team and pia (rob unless named)."""
    return Api(client, {**team.tokens, "pia": pia})


def ok(response: TestResponse, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def error(response: TestResponse, status: int, code: str, field: str | None = None) -> Any:
    assert response.status_code == status, (response.status_code, response.get_json())
    body = response.get_json()
    assert body["error"] == code, body
    assert body["message"]
    if field is not None:
        assert body.get("field") == field, body
    return body


def refused(response: TestResponse, *unmet: str) -> Any:
    """A 422 rule violation whose `unmet` list is exactly these, each named in the message."""
    body = error(response, 422, "rule_violation")
    assert body["unmet"] == list(unmet), body
    for problem in unmet:
        assert problem in body["message"], (problem, body["message"])
    return body


def upload(name: str, content: bytes) -> dict[str, Any]:
    return {
        "data": {"file": (io.BytesIO(content), name)},
        "content_type": "multipart/form-data",
    }


def conforms(value: Any, schema: str) -> Any:
    """Check a response body against a schema of the OpenAPI document (JSON Schema 2020-12)."""
    document = Resource.from_contents(openapi_document(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:openapi", document)
    validator = Draft202012Validator(
        {"$ref": f"urn:openapi#/components/schemas/{schema}"}, registry=registry
    )
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(value)]
    assert problems == [], problems
    return value


# -- walking a deal ---------------------------------------------------------------------------
def deal(api: Call, deal_id: int, user: str = "rob") -> Any:
    return ok(api("GET", f"/deals/{deal_id}", user=user))


def task_id(api: Call, deal_id: int, title: str) -> str:
    found = [t for t in deal(api, deal_id)["tasks"] if t["title"] == title]
    assert len(found) == 1, (title, [t["title"] for t in deal(api, deal_id)["tasks"]])
    return str(found[0]["task_id"])


def complete(api: Call, deal_id: int, title: str, user: str = "rob", **json: Any) -> TestResponse:
    return api("POST", f"/tasks/{task_id(api, deal_id, title)}/complete", user=user, json=json)


def create(api: Call, name: str = "Litware rollout", **json: Any) -> Any:
    return ok(
        api("POST", "/deals", json={"name": name, "customer": "Litware", "value": 8000, **json}),
        201,
    )


def initial_visit(api: Call, deal_id: int) -> None:
    ok(api("POST", f"/deals/{deal_id}/contacts", json={"name": "Pat Direct"}), 201)
    ok(api("POST", f"/deals/{deal_id}/contacts", json={"name": "Kim Boss"}), 201)
    ok(api("PATCH", f"/deals/{deal_id}", json={"customer_fields": {"industry": "Software"}}))
    ok(complete(api, deal_id, "Meet the customer"))
    ok(complete(api, deal_id, "Identify decision makers", note="Kim decides."))


def needs_analysis(api: Call, deal_id: int) -> None:
    changes = {"fields": {"budget": 25000}, "expected_close_date": "2026-06-30"}
    ok(api("PATCH", f"/deals/{deal_id}", json=changes))
    ok(complete(api, deal_id, "Analyse needs"))
    ok(complete(api, deal_id, "Qualify budget"))


def solution_design(api: Call, deal_id: int) -> None:
    fields = {"design_summary": "Two sites", "customer_feedback": "Likes it"}
    ok(api("PATCH", f"/deals/{deal_id}", json={"stage_fields": {"solution_design": fields}}))
    design = ok(api("POST", f"/deals/{deal_id}/attachments", **upload(*TEXT_FILE)), 201)
    ok(complete(api, deal_id, "Design solution", note="Design", attachment_ids=[design["id"]]))
    ok(complete(api, deal_id, "Present solution"))
    approval = {"decision": "approve", "comment": "Go"}
    ok(complete(api, deal_id, "Approve solution", user="mia", data=approval))


# -- the B2B walk -----------------------------------------------------------------------------
def test_b2b_deal_walk_over_http(api: Call) -> None:
    created = create(api, expected_close_date="2026-05-31")
    did = created["id"]
    path = f"/deals/{did}"
    assert (created["process_key"], created["stage"], created["probability"]) == (
        "sales_process",
        "initial_visit",
        10,
    )
    assert created["expected_close_date"] == "2026-05-31"
    tasks = {t["title"]: t for t in created["tasks"]}
    assert set(tasks) == {"Meet the customer", "Identify decision makers"}
    assert tasks["Meet the customer"]["tip"].startswith("Meet the direct contact")
    assert tasks["Identify decision makers"]["note_required"] == "note"
    assert {t["kind"] for t in tasks.values()} == {"task"}

    page = deal(api, did)["detail"]
    assert [(s["key"], s["state"]) for s in page["stages"]][:2] == [
        ("initial_visit", "current"),
        ("needs_analysis", "todo"),
    ]
    assert [(a["name"], a["done"]) for a in page["checklist"]] == [
        ("Meet the customer", False),
        ("Identify decision makers", False),
    ]
    assert page["unmet_requirements"] == [
        "Industry is empty",
        "the customer needs at least 2 contacts (has 0)",
        "obligatory activity 'Meet the customer' is not done",
    ]
    assert page["free_moves"] is False
    assert {t["outcome"] for t in page["terminals"]} == {"won", "lost", "invalid"}

    # initial visit: 10 % -> 10 + 20 * 2/3 = 23.3 after "Meet the customer" (weight 2 of 3)
    ok(complete(api, did, "Meet the customer"))
    assert deal(api, did)["probability"] == 23
    error(complete(api, did, "Identify decision makers"), 400, "invalid_input", "note")
    refused(
        complete(api, did, "Identify decision makers", note="Kim decides; Pat buys."),
        "Initial visit: Industry is empty",
        "Initial visit: the customer needs at least 2 contacts (has 0)",
    )
    contact = ok(
        api(
            "POST",
            f"{path}/contacts",
            json={"name": "Pat Direct", "email": "pat@customer.example", "title": "Buyer"},
        ),
        201,
    )
    assert (contact["name"], contact["email"], contact["title"]) == (
        "Pat Direct",
        "pat@customer.example",
        "Buyer",
    )
    error(api("POST", f"{path}/contacts", json={"email": "x@y.example"}), 400, "invalid_input")
    refused(
        complete(api, did, "Identify decision makers", note="Kim decides; Pat buys."),
        "Initial visit: Industry is empty",
        "Initial visit: the customer needs at least 2 contacts (has 1)",
    )
    ok(api("POST", f"{path}/contacts", json={"name": "Kim Boss", "phone": "+1 555 0100"}), 201)
    patched = ok(api("PATCH", path, json={"customer_fields": {"industry": "Software"}}))
    assert patched["detail"]["customer"]["fields"] == {"industry": "Software"}
    assert [c["name"] for c in patched["detail"]["contacts"]] == ["Pat Direct", "Kim Boss"]
    assert patched["detail"]["unmet_requirements"] == []
    ok(complete(api, did, "Identify decision makers", note="Kim decides; Pat buys."))
    view = deal(api, did)
    assert (view["stage"], view["probability"]) == ("needs_analysis", 30)
    assert view["detail"]["notes"][0]["text"] == "Kim decides; Pat buys."
    assert view["detail"]["notes"][0]["author"] == "rob"

    # needs analysis: deal.budget:number and deal.expected_close_date
    error(api("PATCH", path, json={"fields": {"budget": "lots"}}), 400, "invalid_input")
    ok(api("PATCH", path, json={"expected_close_date": None}))
    ok(complete(api, did, "Analyse needs"))
    assert deal(api, did)["probability"] == 43  # 30 + 20 * 2/3 = 43.3
    refused(
        complete(api, did, "Qualify budget"),
        "Needs analysis: Budget is empty",
        "Needs analysis: Expected close date is empty",
    )
    patched = ok(
        api(
            "PATCH", path, json={"fields": {"budget": "25000"}, "expected_close_date": "2026-06-30"}
        )
    )
    assert (patched["fields"], patched["expected_close_date"]) == (
        {"budget": 25000},
        "2026-06-30",
    )
    ok(complete(api, did, "Qualify budget"))
    assert (deal(api, did)["stage"], deal(api, did)["probability"]) == ("solution_design", 50)

    # orders only from quote_and_bid on
    body = error(api("POST", f"{path}/orders", json={}), 422, "rule_violation")
    assert "Quote and bid" in body["message"]

    # solution design: a note and a file, both stage fields, the direct manager's approval
    error(complete(api, did, "Design solution"), 400, "invalid_input", "note")
    error(complete(api, did, "Design solution", note="Design"), 400, "invalid_input", "files")
    design = ok(api("POST", f"{path}/attachments", **upload(*TEXT_FILE)), 201)
    assert (design["filename"], design["size"], design["note_id"]) == (
        "solution-design.txt",
        len(TEXT_FILE[1]),
        None,
    )
    ok(complete(api, did, "Design solution", note="Design attached", attachment_ids=[design["id"]]))
    assert deal(api, did)["probability"] == 70  # 50 + 30 * 2/3
    attached = deal(api, did)["detail"]["attachments"]
    assert [(a["id"], a["note_id"] is not None) for a in attached] == [(design["id"], True)]
    # the stage's fields are empty: the rep is told, the approval waits out of mia's list
    presented = ok(complete(api, did, "Present solution"))
    assert presented["approval_waits_for"] == [
        "The approval of stage 'Solution design' waits for: Design summary is empty; "
        "Customer feedback is empty"
    ]
    view = deal(api, did)
    assert (view["stage"], view["probability"]) == ("solution_design", 80)  # all 3 of 3 done
    assert view["detail"]["unmet_requirements"] == [
        "Design summary is empty",
        "Customer feedback is empty",
        "the direct manager's approval is missing",
    ]
    [approval] = view["tasks"]
    assert (approval["title"], approval["kind"], approval["assignee"], approval["waiting"]) == (
        "Approve solution",
        "approval",
        "mia",
        True,
    )
    assert all(t["task_id"] != approval["task_id"] for t in ok(api("GET", "/tasks", user="mia")))

    body = error(
        complete(api, did, "Approve solution", data={"decision": "approve"}), 403, "forbidden"
    )
    assert "direct manager (mia)" in body["message"], body
    error(
        complete(api, did, "Approve solution", user="mia", data={"decision": "reject"}),
        400,
        "invalid_input",
        "data.comment",
    )
    reject = {"decision": "reject", "comment": "Add the branch offices"}
    refused(
        complete(api, did, "Approve solution", user="mia", data=reject),
        "Design summary is empty",
        "Customer feedback is empty",
    )
    stage_fields = {"design_summary": "Two sites, phased", "customer_feedback": "Likes it"}
    patched = ok(api("PATCH", path, json={"stage_fields": {"solution_design": stage_fields}}))
    assert patched["stage_fields"] == {"solution_design": stage_fields}
    offered = ok(api("GET", "/tasks", user="mia"))
    assert [t["waiting"] for t in offered if t["task_id"] == approval["task_id"]] == [False]

    ok(complete(api, did, "Approve solution", user="mia", data=reject))
    view = deal(api, did)
    assert [(a["decision"], a["comment"], a["by"]) for a in view["detail"]["approvals"]] == [
        ("reject", "Add the branch offices", "mia")
    ]
    assert "the direct manager's approval was rejected" in view["detail"]["unmet_requirements"]
    assert [(t["title"], t["assignee"]) for t in view["tasks"]] == [("Revise solution", "rob")]
    notes = ok(api("GET", "/notifications?unread=1"))
    assert notes["unread"] == 1
    [notice] = notes["notifications"]
    assert (notice["kind"], notice["subject_id"], notice["read_at"]) == ("approval", did, None)
    assert "mia rejected" in notice["message"]
    assert "Add the branch offices" in notice["message"]

    ok(complete(api, did, "Revise solution"))
    ok(complete(api, did, "Approve solution", user="mia", data={"decision": "approve"}))
    view = deal(api, did)
    assert (view["stage"], view["probability"]) == ("quote_and_bid", 80)
    assert [a["decision"] for a in view["detail"]["approvals"]] == ["reject", "approve"]
    assert ok(api("GET", "/notifications"))["unread"] == 2

    # quote and bid: orders allowed now, but winning needs one
    ok(complete(api, did, "Send quote"))
    assert deal(api, did)["probability"] == 87  # 80 + 20 * 1/3 = 86.7
    ok(complete(api, did, "Negotiate terms"))
    view = deal(api, did)
    assert (view["stage"], view["probability"], view["tasks"]) == ("quote_and_bid", 100, [])
    assert view["detail"]["win_blockers"] == ["an order must exist to win"]
    refused(api("POST", f"{path}/close", json={"outcome": "won"}), "an order must exist to win")
    error(api("POST", f"{path}/orders", json={"amount": "-5"}), 400, "invalid_input", "amount")
    order = ok(api("POST", f"{path}/orders", json={"amount": 7500, "currency": "eur"}), 201)
    assert (order["number"], order["amount"], order["currency"], order["status"]) == (
        f"SO-{did:05d}-1",
        7500.0,
        "EUR",
        "open",
    )
    won = ok(api("POST", f"{path}/close", json={"outcome": "won"}))
    assert (won["status"], won["stage"], won["probability"], won["outcome_label"]) == (
        "won",
        "installation",
        100,
        "Won",
    )
    assert [t["title"] for t in won["tasks"]] == ["Install the solution"]
    view = deal(api, did)
    assert [o["number"] for o in view["detail"]["orders"]] == [order["number"]]
    assert view["detail"]["win_blockers"] == []
    # a second order on the won deal is still allowed
    assert ok(api("POST", f"{path}/orders"), 201)["amount"] == 8000.0

    history = [h["action"] for h in ok(api("GET", f"{path}/history"))]
    assert (history[0], history[-1]) == ("created", "order_created")
    # the win cancelled the open follow-up ("Analyse needs" made one)
    assert history[-3:-1] == ["closed", "follow_ups_cancelled"]
    for action in ("contact_added", "updated", "file_added", "order_created", "task_completed"):
        assert action in history, action


def test_post_sale_stages_run_to_delivered(api: Call) -> None:
    did = create(api)["id"]
    initial_visit(api, did)
    needs_analysis(api, did)
    solution_design(api, did)
    ok(complete(api, did, "Send quote"))
    ok(complete(api, did, "Negotiate terms"))
    ok(api("POST", f"/deals/{did}/orders"), 201)
    ok(api("POST", f"/deals/{did}/close", json={"outcome": "won"}))
    ok(complete(api, did, "Install the solution"))
    ok(complete(api, did, "Train the users"))
    refused(complete(api, did, "Obtain sign-off"), "Acceptance: Acceptance date is empty")
    error(
        api(
            "PATCH",
            f"/deals/{did}",
            json={"stage_fields": {"acceptance": {"acceptance_date": "soon"}}},
        ),
        400,
        "invalid_input",
    )
    ok(
        api(
            "PATCH",
            f"/deals/{did}",
            json={"stage_fields": {"acceptance": {"acceptance_date": "2026-02-01"}}},
        )
    )
    ok(complete(api, did, "Obtain sign-off"))
    view = deal(api, did)
    assert (view["status"], view["outcome_label"], view["probability"], view["tasks"]) == (
        "won",
        "Won and delivered",
        100,
        [],
    )


def test_winning_early_names_every_obligatory_activity(api: Call) -> None:
    did = create(api)["id"]
    ok(complete(api, did, "Meet the customer"))
    refused(
        api("POST", f"/deals/{did}/close", json={"outcome": "won"}),
        "obligatory activity 'Analyse needs' (Needs analysis) is not done",
        "obligatory activity 'Design solution' (Solution design) is not done",
        "obligatory activity 'Send quote' (Quote and bid) is not done",
        "an order must exist to win",
    )
    assert deal(api, did)["status"] == "open"


# -- free moves -------------------------------------------------------------------------------
def test_free_moves_on_openfire_pipeline(api: Call) -> None:
    created = create(api, "Rénovation cuisine", process="openfire_pipeline", currency="EUR")
    did = created["id"]
    path = f"/deals/{did}"
    assert (created["process_key"], created["stage"], created["probability"]) == (
        "openfire_pipeline",
        "nouveau",
        10,
    )
    assert deal(api, did)["detail"]["free_moves"] is True

    # forward over the optional Estimation: allowed
    moved = ok(api("POST", f"{path}/move", json={"stage": "visite_technique"}))
    assert (moved["stage"], moved["probability"]) == ("visite_technique", 50)
    assert [t["title"] for t in moved["tasks"]] == ["Planifier la visite"]
    error(api("POST", f"{path}/move", json={"stage": "visite_technique"}), 409, "invalid_state")
    error(api("POST", f"{path}/move", json={"stage": "nowhere"}), 400, "invalid_input", "stage")
    error(api("POST", f"{path}/move", json={}), 400, "invalid_input", "stage")

    # forward out of Visite technique before its obligatory activity: refused
    refused(
        api("POST", f"{path}/move", json={"stage": "devis"}),
        "Visite technique: obligatory activity 'Réaliser la visite' is not done",
    )
    # back: always allowed; then forward over the non-optional Visite technique: refused
    back = ok(api("POST", f"{path}/move", json={"stage": "nouveau"}))
    assert (back["stage"], back["probability"]) == ("nouveau", 10)
    refused(
        api("POST", f"{path}/move", json={"stage": "devis"}),
        "Visite technique: obligatory activity 'Réaliser la visite' is not done",
    )
    assert deal(api, did)["stage"] == "nouveau"

    ok(api("POST", f"{path}/move", json={"stage": "visite_technique"}))
    ok(complete(api, did, "Planifier la visite"))
    assert deal(api, did)["probability"] == 60  # 50 + (80 - 50) * 1/3
    error(complete(api, did, "Réaliser la visite"), 400, "invalid_input", "note")
    ok(complete(api, did, "Réaliser la visite", note="Cuisine de 12 m2"))
    view = deal(api, did)
    assert (view["stage"], view["probability"]) == ("devis", 80)  # the stage ran to its end

    # back to the optional stage, then forward over the visited one: allowed now
    back = ok(api("POST", f"{path}/move", json={"stage": "estimation"}))
    assert (back["stage"], back["probability"]) == ("estimation", 30)
    moved = ok(api("POST", f"{path}/move", json={"stage": "devis"}))
    assert (moved["stage"], moved["probability"]) == ("devis", 80)
    assert [h["action"] for h in ok(api("GET", f"{path}/history"))].count("moved") == 5

    # a stale version is refused before anything moves
    error(
        api("POST", f"{path}/move", json={"stage": "nouveau", "version": created["version"]}),
        409,
        "conflict",
    )


def test_moves_refused_on_the_b2b_process(api: Call) -> None:
    did = create(api)["id"]
    body = error(
        api("POST", f"/deals/{did}/move", json={"stage": "needs_analysis"}), 422, "rule_violation"
    )
    assert "does not allow moving" in body["message"]
    body = error(
        api("POST", f"/deals/{did}/move", json={"stage": "installation"}), 422, "rule_violation"
    )
    assert "post-sale" in body["message"]
    assert deal(api, did)["stage"] == "initial_visit"


# -- closing ----------------------------------------------------------------------------------
def test_close_invalid_and_lost_reasons(api: Call) -> None:
    spam = create(api, "Test entry")["id"]
    closed = ok(api("POST", f"/deals/{spam}/close", json={"outcome": "invalid"}))
    assert (closed["status"], closed["outcome_label"], closed["probability"], closed["tasks"]) == (
        "invalid",
        "Invalid",
        0,
        [],
    )
    assert spam in [d["id"] for d in ok(api("GET", "/deals?status=invalid"))]
    error(api("POST", f"/deals/{spam}/close", json={"outcome": "won"}), 409, "invalid_state")
    error(api("PATCH", f"/deals/{spam}", json={"name": "x"}), 409, "invalid_state")

    lost = create(api, "Tailspin pilot")["id"]
    body = error(
        api("POST", f"/deals/{lost}/close", json={"outcome": "lost", "reason": "Bored"}),
        400,
        "invalid_input",
        "reason",
    )
    assert "Lost to a competitor" in body["message"]
    error(api("POST", f"/deals/{lost}/close", json={"outcome": "lost"}), 400, "invalid_input")
    error(api("POST", f"/deals/{lost}/close", json={"outcome": "draw"}), 400, "invalid_input")
    closed = ok(
        api(
            "POST",
            f"/deals/{lost}/close",
            json={"outcome": "lost", "reason": "Lost to a competitor"},
        )
    )
    assert (closed["status"], closed["lost_reason"], closed["probability"]) == (
        "lost",
        "Lost to a competitor",
        0,
    )

    # the OpenFire pipeline has no invalid outcome
    kitchen = create(api, "Cuisine", process="openfire_pipeline")["id"]
    body = error(
        api("POST", f"/deals/{kitchen}/close", json={"outcome": "invalid"}),
        400,
        "invalid_input",
        "outcome",
    )
    assert "won, lost" in body["message"]


def test_create_deal_input_errors(api: Call) -> None:
    error(api("POST", "/deals", json={"name": "x", "process": "nope"}), 404, "not_found")
    error(
        api("POST", "/deals", json={"name": "x", "process": "lead_qualification"}),
        400,
        "invalid_input",
        "process",
    )
    error(
        api("POST", "/deals", json={"name": "x", "expected_close_date": "31/05/2026"}),
        400,
        "invalid_input",
        "expected_close_date",
    )


# -- follow-ups, notifications, outbox ---------------------------------------------------------
def test_follow_up_appears_in_tasks_and_completes(api: Call, clock: FakeClock) -> None:
    did = create(api)["id"]
    initial_visit(api, did)
    ok(api("PATCH", f"/deals/{did}", json={"fields": {"budget": 1}}))
    clock.advance(days=1)  # 2026-01-06
    ok(complete(api, did, "Analyse needs"))

    follow_ups = [t for t in ok(api("GET", "/tasks")) if t["kind"] == "follow_up"]
    assert len(follow_ups) == 1
    [task] = follow_ups
    assert task["task_id"].startswith("follow-up-")
    assert (task["title"], task["due_on"], task["assignee"], task["subject_id"]) == (
        "Send the needs summary to the customer",
        "2026-01-08",
        "rob",
        did,
    )
    assert task in ok(api("GET", "/tasks", user="mia"))  # the manager sees the rep's deals
    assert [t for t in ok(api("GET", "/tasks", user="olga"))] == []
    assert [t for t in ok(api("GET", "/tasks?role=manager", user="mia"))] == []
    error(api("POST", f"/tasks/{task['task_id']}/complete", user="olga"), 404, "not_found")

    done = ok(api("POST", f"/tasks/{task['task_id']}/complete"))
    assert (done["task_id"], done["kind"]) == (task["task_id"], "follow_up")
    assert [t for t in ok(api("GET", "/tasks")) if t["kind"] == "follow_up"] == []
    assert deal(api, did)["detail"]["follow_ups"] == [
        {
            "id": int(task["task_id"].removeprefix("follow-up-")),
            "title": "Send the needs summary to the customer",
            "due_on": "2026-01-08",
            "assignee": "rob",
            "done": True,
            "cancelled": False,
        }
    ]
    error(api("POST", f"/tasks/{task['task_id']}/complete"), 409, "invalid_state")
    error(api("POST", "/tasks/follow-up-999999/complete"), 404, "not_found")


def test_notifications_read_and_outbox(api: Call) -> None:
    did = create(api)["id"]
    initial_visit(api, did)
    needs_analysis(api, did)
    solution_design(api, did)  # Present solution notifies group:presales (pia, with an e-mail)
    ok(complete(api, did, "Send quote"))  # notifies the direct manager (mia, no e-mail)

    pias = ok(api("GET", "/notifications", user="pia"))
    assert pias["unread"] == 1
    assert pias["notifications"][0]["kind"] == "activity_done"
    assert "Present solution" in pias["notifications"][0]["message"]
    mias = ok(api("GET", "/notifications", user="mia"))
    assert [n["kind"] for n in mias["notifications"]] == ["activity_done"]
    assert "Send quote" in mias["notifications"][0]["message"]
    robs = ok(api("GET", "/notifications?unread=1"))
    assert (robs["unread"], [n["kind"] for n in robs["notifications"]]) == (1, ["approval"])

    outbox = ok(api("GET", "/outbox", user="admin"))
    assert [(m["recipient"], m["status"], m["channel"]) for m in outbox] == [
        ("pia@example.com", "pending", "mail")
    ]
    assert "Present solution" in outbox[0]["subject"]
    assert ok(api("GET", "/outbox?status=sent", user="admin")) == []
    error(api("GET", "/outbox", user="mia"), 403, "forbidden")

    # marking read: only one's own, by id or all
    first = robs["notifications"][0]["id"]
    assert ok(api("POST", "/notifications/read", user="pia", json={"ids": [first]})) == {
        "marked": 0
    }
    assert ok(api("POST", "/notifications/read", json={"ids": [first]})) == {"marked": 1}
    assert ok(api("GET", "/notifications?unread=1")) == {"unread": 0, "notifications": []}
    assert ok(api("GET", "/notifications"))["notifications"][0]["read_at"] is not None
    error(api("POST", "/notifications/read", json={"ids": ["x"]}), 400, "invalid_input", "ids")
    assert ok(api("POST", "/notifications/read", user="pia")) == {"marked": 1}
    assert ok(api("GET", "/notifications", user="pia"))["unread"] == 0

    groups = {g["name"]: g["members"] for g in ok(api("GET", "/groups"))}
    assert groups == {"presales": ["pia"]}


# -- notes and files --------------------------------------------------------------------------
def test_attachments_download_and_refusals(
    api: Call, client: FlaskClient, ctx: Context, team: Team
) -> None:
    did = create(api)["id"]
    path = f"/deals/{did}/attachments"
    pdf = ok(api("POST", path, **upload("../../etc/quote <1>.pdf", b"%PDF-1.4\n%%EOF\n")), 201)
    assert (pdf["filename"], pdf["content_type"]) == ("quote <1>.pdf", "application/pdf")

    response = api("GET", f"/attachments/{pdf['id']}")
    assert response.status_code == 200
    assert response.data == b"%PDF-1.4\n%%EOF\n"
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename*=UTF-8''quote%20%3C1%3E.pdf"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    error(api("GET", f"/attachments/{pdf['id']}", user="sara"), 404, "not_found")
    error(api("GET", "/attachments/999999"), 404, "not_found")
    unauthorised = client.get(f"/api/v1/attachments/{pdf['id']}")
    assert unauthorised.status_code == 401

    for name, content in (
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        ("notes.txt", b"<html><body>hi</body></html>"),
        ("fake.pdf", b"<html>not a pdf</html>"),
        ("empty.txt", b""),
    ):
        error(api("POST", path, **upload(name, content)), 400, "invalid_input", "file")
    error(api("POST", path, json={}), 400, "invalid_input", "file")

    ctx.max_upload_bytes = 64
    body = error(api("POST", path, **upload("big.txt", b"x" * 65)), 400, "invalid_input", "file")
    assert "limit is 64" in body["message"]
    ok(api("POST", path, **upload("small.txt", b"x" * 64)), 201)

    # a note with files: each file goes to one note only, and only files of this deal
    text = ok(api("POST", path, **upload("minutes.txt", b"Minutes\n")), 201)
    note = ok(
        api(
            "POST",
            f"/deals/{did}/notes",
            json={"text": "Meeting minutes", "attachment_ids": [text["id"]]},
        ),
        201,
    )
    assert (note["text"], note["attachments"]) == ("Meeting minutes", [text["id"]])
    error(
        api(
            "POST",
            f"/deals/{did}/notes",
            json={"text": "Again", "attachment_ids": [text["id"]]},
        ),
        400,
        "invalid_input",
        "attachment_ids",
    )
    other = create(api, "Other deal")["id"]
    error(
        api("POST", f"/deals/{other}/notes", json={"text": "x", "attachment_ids": [pdf["id"]]}),
        400,
        "invalid_input",
        "attachment_ids",
    )
    error(api("POST", f"/deals/{did}/notes", json={"text": " "}), 400, "invalid_input", "text")
    error(api("POST", f"/deals/{did}/notes", user="olga", json={"text": "x"}), 404, "not_found")
    page = deal(api, did)["detail"]
    assert [n["text"] for n in page["notes"]] == ["Meeting minutes"]
    assert [a["filename"] for a in page["attachments"]] == [
        "quote <1>.pdf",
        "small.txt",
        "minutes.txt",
    ]


# -- editing ----------------------------------------------------------------------------------
def test_patch_deal_versions_and_errors(api: Call) -> None:
    created = create(api)
    did, path = created["id"], f"/deals/{created['id']}"
    patched = ok(api("PATCH", path, json={"name": "Litware renewal", "value": "9000.50"}))
    assert (patched["name"], patched["value"]) == ("Litware renewal", 9000.5)
    assert patched["version"] > created["version"]

    body = error(
        api("PATCH", path, json={"name": "Stale", "version": created["version"]}), 409, "conflict"
    )
    assert body["current_version"] == patched["version"]
    error(
        api(
            "PATCH",
            path,
            json={"name": "Stale"},
            headers={"If-Match": f'"{created["version"]}"'},
        ),
        409,
        "conflict",
    )
    assert deal(api, did)["name"] == "Litware renewal"
    fresh = ok(
        api("PATCH", path, json={"currency": "eur"}, headers={"If-Match": str(patched["version"])})
    )
    assert fresh["currency"] == "EUR"

    error(api("PATCH", path, json={}), 400, "invalid_input")
    error(api("PATCH", path, json={"status": "won"}), 400, "invalid_input", "status")
    error(api("PATCH", path, json={"name": ""}), 400, "invalid_input", "name")
    error(api("PATCH", path, json={"fields": {"Bad Name": 1}}), 400, "invalid_input")
    error(
        api("PATCH", path, json={"stage_fields": {"initial_visit": {"nope": "x"}}}),
        400,
        "invalid_input",
        "stage_fields.initial_visit.nope",
    )
    error(api("PATCH", path, json={"stage_fields": {"nowhere": {}}}), 400, "invalid_input")
    error(api("PATCH", path, user="sara", json={"name": "x"}), 404, "not_found")
    error(api("PATCH", "/deals/999999", json={"name": "x"}), 404, "not_found")

    # a deal without a customer has no customer fields until it gets one
    bare = ok(api("POST", "/deals", json={"name": "No customer"}), 201)["id"]
    error(
        api("PATCH", f"/deals/{bare}", json={"customer_fields": {"industry": "x"}}),
        409,
        "invalid_state",
    )
    given = ok(api("PATCH", f"/deals/{bare}", json={"customer": "Fabrikam"}))
    assert given["detail"]["customer"]["name"] == "Fabrikam"
    assert deal(api, bare)["version"] == given["version"]


# -- the contract -----------------------------------------------------------------------------
def test_responses_match_the_openapi_document(api: Call) -> None:
    """The bodies of the new routes, as the document describes them."""
    created = conforms(create(api), "Deal")
    did, path = created["id"], f"/deals/{created['id']}"
    assert "detail" not in created
    conforms(
        ok(api("POST", f"{path}/contacts", json={"name": "Pat", "email": "p@x.example"}), 201),
        "Contact",
    )
    conforms(ok(api("PATCH", path, json={"customer_fields": {"industry": "Software"}})), "Deal")
    conforms(error(complete(api, did, "Identify decision makers"), 400, "invalid_input"), "Error")
    won = error(api("POST", f"{path}/close", json={"outcome": "won"}), 422, "rule_violation")
    assert conforms(won, "RuleViolation")["unmet"]
    initial_visit(api, did)
    needs_analysis(api, did)  # "Analyse needs" leaves a follow-up
    file = conforms(ok(api("POST", f"{path}/attachments", **upload(*TEXT_FILE)), 201), "Attachment")
    note = {"text": "Minutes", "attachment_ids": [file["id"]]}
    conforms(ok(api("POST", f"{path}/notes", json=note), 201), "Note")
    conforms(error(api("POST", f"{path}/orders"), 422, "rule_violation"), "RuleViolation")
    page = conforms(deal(api, did), "Deal")
    for key in ("contacts", "notes", "attachments", "follow_ups", "checklist", "stages"):
        assert page["detail"][key], key
    tasks = [conforms(t, "Task") for t in ok(api("GET", "/tasks"))]
    assert {t["kind"] for t in tasks} == {"task", "follow_up"}
    for item in ok(api("GET", "/deals")):
        conforms(item, "Deal")
    for group in ok(api("GET", "/groups")):
        conforms(group, "Group")

    solution_design(api, did)
    ok(complete(api, did, "Send quote"))
    ok(complete(api, did, "Negotiate terms"))
    conforms(ok(api("POST", f"{path}/orders"), 201), "Order")
    conforms(ok(api("POST", f"{path}/close", json={"outcome": "won"})), "Deal")
    page = conforms(deal(api, did), "Deal")
    for key in ("approvals", "orders"):
        assert page["detail"][key], key
    for user in ("rob", "mia", "pia"):
        for notice in ok(api("GET", "/notifications", user=user))["notifications"]:
            conforms(notice, "Notification")
    outbox = ok(api("GET", "/outbox", user="admin"))
    assert outbox
    for message in outbox:
        conforms(message, "OutboxMessage")
    kitchen = create(api, "Cuisine", process="openfire_pipeline")["id"]
    conforms(ok(api("POST", f"/deals/{kitchen}/move", json={"stage": "estimation"})), "Deal")
