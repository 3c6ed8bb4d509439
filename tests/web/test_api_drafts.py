"""The drafts API: an admin saves, lints, discards and deploys a process's draft over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.team import Team
from tests.web.api import Api

Call = Callable[..., TestResponse]
WEIGHT = '<spiffworkflow:property name="weight" value="2" />'


@pytest.fixture
def api(client: FlaskClient, sqlite_team: Team) -> Api:
    """The API on the bundled diagrams, as the small team (admin unless named)."""
    return Api(client, sqlite_team.tokens, "admin")


def weighted(api: Call, weight: str) -> str:
    xml: str = api("GET", "/processes/sales_process/draft?version=1").get_json()["xml"]
    return xml.replace(WEIGHT, f'<spiffworkflow:property name="weight" value="{weight}" />', 1)


def test_save_lint_and_deploy_a_draft(api: Call) -> None:
    opened = api("GET", "/processes/sales_process/draft").get_json()
    assert (opened["source"], opened["version"], opened["revision"]) == ("version", 1, None)
    saved = api("PUT", "/processes/sales_process/draft", json={"xml": weighted(api, "-1")})
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert body["source"] == "draft" and body["updated_by"] == "admin"
    assert [(p["element_id"], p["severity"]) for p in body["problems"]] == [
        ("Activity_MeetCustomer", "error")
    ]
    linted = api("POST", "/processes/sales_process/draft/lint").get_json()
    assert linted["problems"][0]["element_id"] == "Activity_MeetCustomer"
    refused = api("POST", "/processes/sales_process/draft/deploy", json={"mode": "new_version"})
    assert refused.status_code == 400
    assert refused.get_json()["element_id"] == "Activity_MeetCustomer"

    stale = api("PUT", "/processes/sales_process/draft", json={"xml": weighted(api, "3")})
    assert stale.status_code == 409 and stale.get_json()["saved_by"] == "admin"
    fixed = api(
        "PUT",
        "/processes/sales_process/draft",
        json={"xml": weighted(api, "3"), "base_revision": body["revision"]},
    ).get_json()
    assert fixed["problems"] == []
    deployed = api(
        "POST",
        "/processes/sales_process/draft/deploy",
        json={"mode": "migrate", "base_revision": fixed["revision"]},
    )
    assert deployed.status_code == 200, deployed.get_json()
    assert deployed.get_json()["redirect"] == "/processes/sales_process/migrate?from=1&to=2"
    assert api("GET", "/processes/sales_process").get_json()["version"] == 2
    assert api("DELETE", "/processes/sales_process/draft").status_code == 404


def test_discard_and_errors(api: Call) -> None:
    api("PUT", "/processes/sales_process/draft", json={"xml": weighted(api, "3")})
    assert api("DELETE", "/processes/sales_process/draft").status_code == 204
    bad = api("PUT", "/processes/sales_process/draft", json={"xml": "<!DOCTYPE x><x/>"})
    assert bad.status_code == 400 and "DOCTYPE" in bad.get_json()["message"]
    assert api("PUT", "/processes/sales_process/draft", json={}).get_json()["field"] == "xml"
    wrong = api("PUT", "/processes/sales_process/draft", json={"xml": "x", "based_on": "1"})
    assert wrong.get_json()["field"] == "based_on"
    assert api("GET", "/processes/sales_process/draft", user="mia").status_code == 403
    assert api("GET", "/processes/sales_process/draft?version=9").status_code == 404
    mode = api("POST", "/processes/sales_process/draft/deploy", json={"mode": "x"})
    assert mode.status_code == 400 and mode.get_json()["field"] == "mode"
    nothing = api("POST", "/processes/sales_process/draft/deploy")
    assert nothing.status_code == 404 and "no draft" in nothing.get_json()["message"]
