"""Deal and lead reads carry their version as an ETag; a method a path does not take is a 405
naming the methods it does take (Allow)."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.team import Team
from tests.web.api import Api


def test_a_deal_read_carries_its_version_and_a_current_copy_is_not_sent_again(
    client: FlaskClient, sqlite_team: Team
) -> None:
    api = Api(client, sqlite_team.tokens, "rob")
    deal = api("POST", "/deals", json={"name": "Tagged", "value": "10"}).get_json()
    path = f"/deals/{deal['id']}"
    read = api("GET", path)
    assert read.headers["ETag"] == f'"{deal["version"]}"'

    same = api("GET", path, headers={"If-None-Match": read.headers["ETag"]})
    assert (same.status_code, same.data, same.headers["ETag"]) == (304, b"", read.headers["ETag"])

    # the ETag is what If-Match takes: a write with it passes and answers the new ETag
    changed = api(
        "PATCH", path, json={"name": "Renamed"}, headers={"If-Match": read.headers["ETag"]}
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.headers["ETag"] == f'"{changed.get_json()["version"]}"' != read.headers["ETag"]
    # ... the old one no longer does, and the old copy is no longer current
    stale = api("PATCH", path, json={"name": "Again"}, headers={"If-Match": read.headers["ETag"]})
    assert stale.status_code == 409 and stale.get_json()["error"] == "conflict"
    fresh = api("GET", path, headers={"If-None-Match": read.headers["ETag"]})
    assert fresh.status_code == 200 and fresh.get_json()["name"] == "Renamed"
    assert fresh.headers["ETag"] == changed.headers["ETag"]
    # someone who may not see the deal learns nothing from a tag either
    assert api("GET", path, user="olga", headers={"If-None-Match": "*"}).status_code == 404


def test_a_lead_read_carries_its_version(client: FlaskClient, sqlite_team: Team) -> None:
    api = Api(client, sqlite_team.tokens, "rob")
    lead = api("POST", "/leads", json={"name": "Tagged lead"}).get_json()
    read = api("GET", f"/leads/{lead['id']}")
    assert read.headers["ETag"] == f'"{lead["version"]}"'
    assert api("GET", f"/leads/{lead['id']}", headers={"If-None-Match": "*"}).status_code == 304
    renewed = api("POST", f"/leads/{lead['id']}/disqualify", json={"reason": "No budget"})
    assert renewed.headers["ETag"] == f'"{renewed.get_json()["version"]}"'


def test_a_method_a_path_does_not_take_names_those_it_does(
    client: FlaskClient, sqlite_team: Team
) -> None:
    api = Api(client, sqlite_team.tokens, "admin")
    deals = api("PUT", "/deals")
    assert deals.status_code == 405 and deals.get_json()["error"] == "method_not_allowed"
    assert set(deals.headers["Allow"].split(", ")) == {"GET", "POST", "HEAD", "OPTIONS"}
    # a route of its own is not also read as a process key
    lint = api("GET", "/processes/lint")
    assert lint.status_code == 405
    assert set(lint.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    bearer = {"Authorization": f"Bearer {sqlite_team.tokens['admin']}"}
    imports = client.options("/api/v1/processes/import", headers=bearer)
    assert set(imports.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    process = client.options("/api/v1/processes/sales_process", headers=bearer)
    assert {"GET", "PATCH", "DELETE"} <= set(process.headers["Allow"].split(", "))
