"""The board and process-admin API: the board as JSON, column settings, enable/disable."""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.test import TestResponse

Call = Callable[..., TestResponse]


def test_board_as_json(api: Call) -> None:
    # without ?process, the process most of the caller's open deals run on (rob: the B2B one)
    assert api("GET", "/board").get_json()["process"] == "sales_process"
    board = api("GET", "/board?process=openfire_pipeline").get_json()
    assert board["process"] == "openfire_pipeline"
    names = [card["name"] for col in board["columns"] for card in col["cards"]]
    assert names == ["Rénovation cuisine"]
    visit = next(c for c in board["columns"] if c["key"] == "visite_technique")
    assert visit["totals"] == {"EUR": 12500.0} and visit["in_use"] is None
    sales = api("GET", "/board?process=sales_process&team=mia", user="admin").get_json()
    assert (sales["won"], sales["lost"]) == (1, 1)
    bad = api("GET", "/board?owner=olga")
    assert bad.status_code == 400 and bad.get_json()["field"] == "owner"
    assert api("GET", "/board?process=nope").status_code == 404


def test_column_settings_over_the_api(api: Call) -> None:
    body = {"process": "openfire_pipeline", "label": "Quote"}
    assert api("POST", "/board/columns/devis/label", json=body).status_code == 403
    renamed = api("POST", "/board/columns/devis/label", user="mia", json=body)
    assert renamed.get_json() == {"stage": "devis", "label": "Quote"}
    empty = api("POST", "/board/columns/devis/label", user="mia", json={**body, "label": ""})
    assert empty.status_code == 400 and empty.get_json()["field"] == "label"
    order = api(
        "POST",
        "/board/order",
        user="mia",
        json={"process": "openfire_pipeline", "order": ["devis"]},
    )
    assert order.get_json()["order"] == ["devis", "nouveau", "estimation", "visite_technique"]
    unknown = api(
        "POST",
        "/board/order",
        user="mia",
        json={"process": "openfire_pipeline", "order": ["ghost"]},
    )
    assert unknown.status_code == 400 and "ghost" in unknown.get_json()["message"]
    columns = api("GET", "/board?process=openfire_pipeline").get_json()["columns"]
    assert (columns[0]["key"], columns[0]["label"]) == ("devis", "Quote")


def test_enable_disable_and_departments_over_the_api(api: Call) -> None:
    assert api("POST", "/processes/sales_process/disable").status_code == 403
    off = api("POST", "/processes/sales_process/disable", user="admin").get_json()
    assert off["enabled"] is False and off["open_deals"] == 4
    refused = api("POST", "/deals", json={"name": "X", "value": "1", "process": "sales_process"})
    assert refused.status_code == 409 and "sales_process" in refused.get_json()["message"]
    # Without a process named, the deal starts on the enabled one that applies to its owner.
    other = api("POST", "/deals", json={"name": "X", "value": "1"})
    assert other.status_code == 201 and other.get_json()["process"].startswith("openfire_pipeline")
    listed = {p["key"]: p for p in api("GET", "/processes").get_json()}
    assert listed["sales_process"]["enabled"] is False
    assert api("POST", "/processes/sales_process/enable", user="admin").get_json()["enabled"]
    assert api("POST", "/deals", json={"name": "X", "value": "1"}).status_code == 201
    put = api(
        "PUT", "/processes/sales_process/departments", user="admin", json={"departments": ["Sales"]}
    )
    assert put.get_json()["departments"] == ["Sales"]
    bad = api(
        "PUT", "/processes/sales_process/departments", user="admin", json={"departments": "Sales"}
    )
    assert bad.status_code == 400 and bad.get_json()["field"] == "departments"
    assert api("POST", "/processes/nope/enable", user="admin").status_code == 404


def test_stages_added_and_deleted_through_the_api(api: Call) -> None:
    path = "/processes/openfire_pipeline/stages"
    added = api("POST", path, "admin", json={"after": "nouveau", "name": "Call back"})
    assert added.status_code == 201
    assert added.get_json() == {
        "process": "openfire_pipeline",
        "version": 2,
        "stage": "call_back",
        "action": "added",
    }
    assert api("POST", path, "mia", json={"after": "nouveau", "name": "X"}).status_code == 403
    bad = api("POST", path, "admin", json={"after": "nouveau", "name": "Y", "win_rate": "high"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "win_rate"
    refused = api("DELETE", f"{path}/visite_technique", "admin")
    assert refused.status_code == 409 and refused.get_json()["deals"] == 2
    deleted = api("DELETE", f"{path}/call_back", "admin")
    assert deleted.status_code == 200 and deleted.get_json()["version"] == 3
    assert api("DELETE", "/processes/nope/stages/x", "admin").status_code == 404
