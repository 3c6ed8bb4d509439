"""The pipeline board page: who sees which cards, moving cards (form and JSON), column settings."""

from __future__ import annotations

import re
from collections.abc import Callable

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]
OPENFIRE = "openfire_pipeline"


def deal_id(ctx: Context, name: str) -> int:
    admin = users.actor_for_username(ctx, "admin")
    return next(d.id for d in deals.list_deals(ctx, admin, limit=500) if d.name == name)


def column_of(page: str, deal: int) -> str:
    """The stage key of the column holding the card of `deal` on a rendered board."""
    at = page.index(f'data-testid="card-{deal}"')
    found = re.findall(r'<section class="board-column" data-stage="([a-z_]+)"', page[:at])
    return found[-1]


def test_the_board_needs_a_signed_in_user(visitor: Visitor) -> None:
    response = visitor(None).get("/board", status=302)
    assert "/sign-in" in response.headers["Location"]


def test_a_rep_sees_their_cards_only_and_no_column_settings(
    visitor: Visitor, demo_ctx: Context
) -> None:
    rob = visitor("rob")
    page = rob.text(rob.get(f"/board?process={OPENFIRE}"))
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    assert "Rénovation cuisine" in page and "Salle de bain" not in page
    assert column_of(page, kitchen) == "visite_technique"
    assert f'href="/deals/{kitchen}"' in page
    assert "Column settings" not in page
    assert 'data-testid="column-count-visite_technique" class="column-count">1<' in page
    assert "€12,500.00" in page and "0 days in stage" in page
    sales = rob.text(rob.get("/board?process=sales_process"))
    assert "Adventure Works rollout" in sales and "Contoso opportunity" not in sales


def test_a_filter_naming_someone_out_of_sight_is_explained_beside_it(visitor: Visitor) -> None:
    rob = visitor("rob")
    page = rob.text(rob.get("/board?owner=olga"))
    assert 'id="owner-error"' in page and "owner &#39;olga&#39; is not someone" in page
    assert "Salle de bain" not in page
    mia = visitor("mia")
    page = mia.text(mia.get("/board?team=rob"))
    assert 'id="team-error"' in page
    mia.get("/board?process=no_such_process", status=404)


def test_managers_filter_by_owner_and_team(visitor: Visitor) -> None:
    admin = visitor("admin")
    # filtered by a team, the board opens on the process that team's open deals run on
    page = admin.text(admin.get("/board?team=omar"))
    assert "Salle de bain" in page and "Rénovation cuisine" not in page
    page = admin.text(admin.get(f"/board?owner=rob&process={OPENFIRE}"))
    assert "Rénovation cuisine" in page and "Salle de bain" not in page


def test_moving_with_the_form_redirects_back_with_the_outcome(
    visitor: Visitor, demo_ctx: Context
) -> None:
    rob = visitor("rob")
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    refused = rob.post(
        "/board/move",
        {"deal_id": kitchen, "stage": "devis", "next": f"/board?process={OPENFIRE}"},
        status=302,
    )
    page = rob.text(rob.follow(refused))
    assert 'data-testid="flash-error"' in page and "obligatory activity" in page
    assert "Réaliser la visite" in page
    assert column_of(page, kitchen) == "visite_technique"
    moved = rob.post("/board/move", {"deal_id": kitchen, "stage": "nouveau"}, status=302)
    page = rob.text(rob.follow(moved))
    assert 'data-testid="flash-success"' in page
    assert column_of(page, kitchen) == "nouveau"
    bad = rob.post("/board/move", {"deal_id": "x", "stage": "nouveau"}, status=302)
    assert "deal_id must be a deal number" in rob.text(rob.follow(bad))


def test_moving_with_json_answers_json(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    rob.get("/board")
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    headers = {"X-CSRF-Token": rob.csrf, "Accept": "application/json"}
    refused = rob.client.post(
        "/board/move", json={"deal_id": kitchen, "stage": "devis"}, headers=headers
    )
    assert refused.status_code == 422
    assert any("Réaliser la visite" in u for u in refused.get_json()["unmet"])
    version = deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), kitchen).version
    moved = rob.client.post(
        "/board/move",
        json={"deal_id": kitchen, "stage": "estimation", "version": version},
        headers=headers,
    )
    assert moved.status_code == 200
    assert moved.get_json()["deal"]["stage"] == "estimation"
    assert moved.get_json()["deal"]["probability"] == 30
    stale = rob.client.post(
        "/board/move",
        json={"deal_id": kitchen, "stage": "nouveau", "version": version},
        headers=headers,
    )
    assert stale.status_code == 409
    olga_deal = deal_id(demo_ctx, "Salle de bain")
    other = rob.client.post(
        "/board/move", json={"deal_id": olga_deal, "stage": "nouveau"}, headers=headers
    )
    assert other.status_code == 404  # olga's deal is not rob's to see
    junk = rob.client.post("/board/move", json=[kitchen], headers=headers)
    assert junk.status_code == 400 and junk.get_json()["field"] == "body"


def test_moving_needs_the_csrf_token(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    response = rob.client.post("/board/move", json={"deal_id": kitchen, "stage": "nouveau"})
    assert response.status_code == 400
    form = rob.client.post("/board/move", data={"deal_id": kitchen, "stage": "nouveau"})
    assert form.status_code == 400 and "CSRF" in rob.text(form)
    assert deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), kitchen).stage == (
        "visite_technique"
    )


def test_managers_rename_and_reorder_columns(visitor: Visitor) -> None:
    mia = visitor("mia")
    page = mia.text(mia.get(f"/board?process={OPENFIRE}"))
    assert "Column settings" in page and "it cannot be removed" in page
    renamed = mia.post("/board/columns/devis/label", {"process": OPENFIRE, "label": "Quote"})
    page = mia.text(mia.follow(renamed))
    assert 'data-testid="column-label-devis">Quote<' in page
    empty = mia.post("/board/columns/devis/label", {"process": OPENFIRE, "label": "  "})
    assert "must not be empty" in mia.text(mia.follow(empty))
    unknown = mia.post("/board/columns/ghost/label", {"process": OPENFIRE, "label": "Boo"})
    assert "is not a stage of this process" in mia.text(mia.follow(unknown))
    moved = mia.post("/board/order", {"process": OPENFIRE, "stage": "devis", "direction": "left"})
    page = mia.text(mia.follow(moved))
    order = re.findall(r'<section class="board-column" data-stage="([a-z_]+)"', page)
    assert order == ["nouveau", "estimation", "devis", "visite_technique"]


def test_a_rep_may_not_change_columns(visitor: Visitor) -> None:
    rob = visitor("rob")
    rob.post("/board/columns/devis/label", {"process": OPENFIRE, "label": "Mine"}, status=403)
    rob.post(
        "/board/order", {"process": OPENFIRE, "stage": "devis", "direction": "left"}, status=403
    )
    page = rob.text(rob.get(f"/board?process={OPENFIRE}"))
    assert "Mine" not in page
    order = re.findall(r'<section class="board-column" data-stage="([a-z_]+)"', page)
    assert order == ["nouveau", "estimation", "visite_technique", "devis"]
    mia = visitor("mia")
    response = mia.client.post(
        "/board/columns/devis/label", data={"process": OPENFIRE, "label": "No token"}
    )
    assert response.status_code == 400
