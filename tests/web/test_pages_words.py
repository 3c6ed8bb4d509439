"""Small page fixes in people's words: the board's own process and its Move to menu, target
scopes from lists, process names (versions for admins), the favicon."""

from __future__ import annotations

import re
from collections.abc import Callable

from bpmn_sales.context import Context
from bpmn_sales.services import deals, leads
from bpmn_sales.services.people import users
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]


def deal_id(ctx: Context, name: str) -> int:
    admin = users.actor_for_username(ctx, "admin")
    return next(d.id for d in deals.list_deals(ctx, admin, limit=500) if d.name == name)


def test_the_board_opens_on_the_readers_own_process(visitor: Visitor) -> None:
    for user, process in [
        ("rob", "sales_process"),  # three of his four open deals
        ("olga", "openfire_pipeline"),
        ("omar", "openfire_pipeline"),  # his team's deals
        ("lilei", "zh_key_account"),
        ("wangfang", "zh_key_account"),
    ]:
        page = visitor(user)
        text = page.text(page.get("/board"))
        assert f'data-process="{process}"' in text, user
    admin = visitor("admin")
    shown = admin.text(admin.get("/board?process=openfire_pipeline"))
    assert 'data-process="openfire_pipeline"' in shown


def test_move_to_starts_on_choose_a_stage(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    board = rob.text(rob.get("/board?process=openfire_pipeline"))
    select = re.search(rf'<select id="move-{kitchen}".*?</select>', board, re.S)
    assert select is not None
    options = re.findall(r"<option ([^>]*)>([^<]*)</option>", select.group(0))
    assert options[0] == ('value="" selected', "Choose a stage…")
    assert not any("selected" in attrs for attrs, _label in options[1:])
    before = deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), kitchen)
    moved = rob.post(
        "/board/move",
        {"deal_id": str(kitchen), "stage": "", "version": str(before.version)},
        302,
    )
    assert "choose the stage to move the deal to" in rob.text(rob.follow(moved))
    after = deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), kitchen)
    assert (after.stage, after.version) == (before.stage, before.version)


def _scopes(page: str) -> list[tuple[str, str]]:
    select = re.search(r'<select id="f-scope".*?</select>', page, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))


def test_target_scopes_are_chosen_from_lists(visitor: Visitor) -> None:
    mia = visitor("mia")
    offered = _scopes(mia.text(mia.get("/analytics")))
    assert offered[0] == ("", "Choose…")
    assert ("team:mia", "Team mia") in offered
    assert {"user:rob", "user:sara", "user:kasia"} <= {value for value, _ in offered}
    assert not any(v == "company" or v.startswith("department:") for v, _ in offered)
    admin = visitor("admin")
    every = _scopes(admin.text(admin.get("/analytics")))
    assert ("company", "The whole company") in every
    assert ("department:Sales", "Department Sales") in every
    assert ("team:mia", "Team mia") in every
    # the values are what set_target takes: a scope picked from the list is saved
    for scope in ("team:mia", "user:kasia"):
        mia.post(
            "/analytics/targets",
            {"period": "2026-Q1", "scope": scope, "amount": "75000", "currency": "USD"},
            302,
        )


def test_the_analytics_menus_name_processes(visitor: Visitor) -> None:
    mia = visitor("mia")
    page = mia.text(mia.get("/analytics"))
    assert '<option value="sales_process" selected>Sales process</option>' in page
    assert ">sales_process<" not in page


def test_processes_by_name_and_versions_for_admins_only(
    visitor: Visitor, demo_ctx: Context
) -> None:
    contoso = deal_id(demo_ctx, "Contoso opportunity")
    mia = visitor("mia")
    seen = mia.text(mia.get(f"/deals/{contoso}"))
    assert 'data-testid="deal-process">Sales process</dd>' in seen
    assert "sales_process v" not in seen and "version 1" not in seen
    admin = visitor("admin")
    shown = admin.text(admin.get(f"/deals/{contoso}"))
    assert 'data-testid="deal-process">Sales process, version 1</dd>' in shown
    listed = mia.text(mia.get("/deals"))
    assert "Sales process" in listed and "sales_process v1" not in listed
    lead = leads.list_leads(demo_ctx, users.actor_for_username(demo_ctx, "admin"), limit=1)
    [first] = list(lead)
    lead_page = mia.text(mia.get(f"/leads/{first.id}"))
    assert "Lead qualification" in lead_page and "lead_qualification v1" not in lead_page


def test_the_favicon_is_served(visitor: Visitor) -> None:
    anyone = visitor(None)
    icon = anyone.get("/favicon.ico")
    assert icon.mimetype == "image/svg+xml" and b"<svg" in icon.get_data()
    page = anyone.text(anyone.get("/sign-in"))
    assert 'rel="icon" type="image/svg+xml" href="/static/favicon.svg"' in page
