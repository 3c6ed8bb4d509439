"""Forms report every bad field at once, each message beside its field (aria-invalid,
aria-describedby), with the values typed kept; the API lists them all in `errors`."""

from __future__ import annotations

import re
from collections.abc import Callable

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests.web.api import Api
from tests.web.pages import Pages
from tests.web.test_pages_deal_actions import deal_id, version_of

Visitor = Callable[[str | None], Pages]


def error_beside(page: str, field_id: str) -> str:
    """The message shown beside the field with this id, which points to it."""
    field = re.search(rf'id="{re.escape(field_id)}"[^>]*>', page)
    assert field is not None, field_id
    assert 'aria-invalid="true"' in field[0], field[0]
    described = re.search(r'aria-describedby="([^"]+)"', field[0])
    assert described is not None, field[0]
    message = re.search(rf'id="{re.escape(described[1])}"[^>]*>(.*?)</p>', page, re.S)
    assert message is not None, described[1]
    return message[1]


def test_a_new_deal_with_three_bad_fields_shows_three_messages(
    visitor: Visitor, demo_ctx: Context
) -> None:
    rob = visitor("rob")
    before = len(deals.list_deals(demo_ctx, users.actor_for_username(demo_ctx, "admin")))
    form = {
        "name": "",
        "customer": "Northwind",
        "value": "lots",
        "currency": "EURO",
        "expected_close_date": "next week",
    }
    page = rob.text(rob.post("/deals/new", form, 400))
    assert "is required" in error_beside(page, "f-name")
    assert "lots is not an amount" in error_beside(page, "f-value")
    assert "currency" in error_beside(page, "f-currency")
    assert "expected_close_date" in error_beside(page, "f-expected_close_date")
    assert "Check the form: 4 fields need a change" in page
    assert 'value="Northwind"' in page and 'value="lots"' in page and 'value="next week"' in page
    assert len(deals.list_deals(demo_ctx, users.actor_for_username(demo_ctx, "admin"))) == before


def test_a_new_lead_reports_every_bad_field(visitor: Visitor) -> None:
    rob = visitor("rob")
    form = {"name": " ", "email": "not-an-address", "estimated_value": "-5", "currency": "usd"}
    page = rob.text(rob.post("/leads/new", form, 400))
    assert "is required" in error_beside(page, "f-name")
    assert "e-mail" in error_beside(page, "f-email")
    assert "estimated_value" in error_beside(page, "f-estimated_value")
    assert 'value="not-an-address"' in page


def test_the_deal_edit_form_reports_every_bad_field_and_changes_nothing(
    visitor: Visitor, demo_ctx: Context
) -> None:
    rob = visitor("rob")
    deal = deal_id(demo_ctx, "Wide World upgrade")
    form = {
        "name": "",
        "value": "lots",
        "expected_close_date": "soon",
        "deal_fields.budget": "much",
        "version": str(version_of(demo_ctx, deal)),
    }
    page = rob.text(rob.post(f"/deals/{deal}/edit", form, 400))
    assert "is required" in error_beside(page, "edit-name")
    assert "lots is not an amount" in error_beside(page, "edit-value")
    assert "expected_close_date" in error_beside(page, "edit-expected_close_date")
    assert "deal_fields.budget must be a number" in error_beside(page, "edit-deal_fields.budget")
    view = deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), deal)
    assert view.name == "Wide World upgrade" and view.version == int(form["version"])


def test_the_api_lists_every_bad_field(api: Api) -> None:
    response = api(
        "POST", "/deals", json={"name": "", "value": "-1", "expected_close_date": "soon"}
    )
    assert response.status_code == 400 and response.json is not None
    body = response.json
    assert body["field"] == "name"
    assert sorted(body["errors"]) == ["expected_close_date", "name", "value"]
