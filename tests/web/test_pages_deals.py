"""The deals list, the new-deal form, the deal page and its diagram data (Flask test client)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from markupsafe import escape

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.domain import policy
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]


def deal_id(ctx: Context, name: str) -> int:
    admin = users.actor_for_username(ctx, "admin")
    return next(d.id for d in deals.list_deals(ctx, admin) if d.name == name)


def test_deals_list_shows_only_what_the_visitor_may_see(
    visitor: Visitor, demo_ctx: Context
) -> None:
    rob = visitor("rob")
    page = rob.text(rob.get("/deals"))
    assert "Adventure Works rollout" in page and "Rénovation cuisine" in page
    assert "Salle de bain" not in page  # olga's, another team
    assert "Tailspin pilot" not in page  # sara's
    assert f'href="/deals/{deal_id(demo_ctx, "Litware renewal")}"' in page
    mia = visitor("mia")
    team = mia.text(mia.get("/deals"))
    assert "Tailspin pilot" in team and "Adventure Works rollout" in team
    assert "Salle de bain" not in team
    owners = re.search(r'<select id="f-owner".*?</select>', team, re.S)
    assert owners is not None and "olga" not in owners[0] and "sara" in owners[0]


def test_deals_list_filters(visitor: Visitor) -> None:
    mia = visitor("mia")
    openfire = mia.text(mia.get("/deals?process=openfire_pipeline"))
    assert "Rénovation cuisine" in openfire and "Adventure Works rollout" not in openfire
    closed = mia.text(mia.get("/deals?status=lost"))
    assert "Tailspin pilot" in closed and "Litware renewal" not in closed
    by_stage = mia.text(mia.get("/deals?stage=needs_analysis&owner=rob"))
    assert "Wide World upgrade" in by_stage and "Adventure Works rollout" not in by_stage
    assert mia.text(mia.get("/deals?owner=sara&status=open")).count('data-testid="deal-row-') == 1


def test_bad_filters_are_named_beside_the_field(visitor: Visitor) -> None:
    rob = visitor("rob")
    page = rob.text(rob.get("/deals?status=sold", status=400))
    assert re.search(r'id="status-error"[^>]*>status must be one of', page)
    page = rob.text(rob.get("/deals?owner=nobody", status=400))
    assert "owner &#39;nobody&#39; does not exist" in page


def test_new_deal_form_creates_a_deal_and_names_bad_fields(visitor: Visitor) -> None:
    rob = visitor("rob")
    form = rob.text(rob.get("/deals/new"))
    assert 'name="process"' in form and "openfire_pipeline" in form
    bad = rob.post("/deals/new", {"name": "", "value": "12", "process": "sales_process"}, 400)
    assert re.search(r'id="name-error"[^>]*>name is required', rob.text(bad))
    bad = rob.post("/deals/new", {"name": "Fresh", "value": "1.234"}, 400)
    page = rob.text(bad)
    assert re.search(r'id="value-error"[^>]*>value has more than two decimals', page)
    assert 'value="Fresh"' in page  # what was typed stays
    bad = rob.post("/deals/new", {"name": "Fresh", "process": "no_such"}, 400)
    assert 'id="process-error"' in rob.text(bad)
    made = rob.post(
        "/deals/new",
        {
            "name": "Fresh deal",
            "customer": "Fresh Co",
            "value": "1500",
            "currency": "eur",
            "process": "openfire_pipeline",
            "expected_close_date": "2027-01-31",
        },
        302,
    )
    page = rob.text(rob.follow(made))
    assert "Deal &#39;Fresh deal&#39; created" in page
    assert 'data-testid="deal-customer">Fresh Co' in page
    assert "€1,500.00" in page and "Jan 31, 2027" in page


def test_deal_page_shows_stage_path_checklist_and_what_is_missing(
    visitor: Visitor, demo_ctx: Context
) -> None:
    rob = visitor("rob")
    wide_world = deal_id(demo_ctx, "Wide World upgrade")
    page = rob.text(rob.get(f"/deals/{wide_world}"))
    assert 'data-testid="deal-name">Wide World upgrade' in page
    assert 'data-testid="deal-probability">' in page and "30%" in page
    path = re.search(r'data-testid="stage-path">(.*?)</ol>', page, re.S)
    assert path is not None
    assert re.search(r'stage-passed[^>]*data-stage="initial_visit"', path[1])
    assert re.search(
        r'stage-current[^>]*data-stage="needs_analysis"[^>]*aria-current="step"', path[1]
    )
    assert "after the win" in path[1]  # the post-sale stage is shown as such
    rob_view = deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), wide_world)
    for task in rob_view.tasks:
        assert f'href="/tasks/{task.task_id}"' in page
    assert "weight " in page and "Who may complete it" in page
    assert 'data-testid="unmet-requirements"' in page or 'data-testid="win-blockers"' in page
    for item in rob_view.detail["win_blockers"]:  # type: ignore[index]
        assert item.replace("'", "&#39;") in page
    assert f'data-diagram-url="/deals/{wide_world}/diagram"' in page
    assert "Wide World upgrade is <strong>open</strong>, in stage <strong>Needs analysis" in page
    assert "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in page


def test_deal_page_offers_what_the_process_has(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    sales = rob.text(rob.get(f"/deals/{deal_id(demo_ctx, 'Adventure Works rollout')}"))
    assert 'data-testid="close-invalid"' in sales and 'data-testid="move-deal"' not in sales
    assert "Lost to a competitor" in sales  # one of the process's lost reasons
    kitchen = rob.text(rob.get(f"/deals/{deal_id(demo_ctx, 'Rénovation cuisine')}"))
    assert 'data-testid="move-deal"' in kitchen and 'data-testid="close-invalid"' not in kitchen
    assert "Trop cher" in kitchen
    won = rob.text(rob.get(f"/deals/{deal_id(demo_ctx, 'Litware renewal')}"))
    assert 'data-testid="reopen"' in won and 'data-testid="close-won"' not in won
    assert "SO-" in won  # its order
    # "Won" beside the "won" badge would say it twice: the outcome's label shows when it differs
    assert 'data-testid="outcome-label"' not in won and 'class="badge badge-won"' in won


def test_deal_diagram_data(visitor: Visitor, demo_ctx: Context, site: Flask) -> None:
    rob = visitor("rob")
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    response = rob.get(f"/deals/{kitchen}/diagram")
    data = response.get_json()
    assert data["xml"].lstrip().startswith("<?xml") and "Stage_VisiteTechnique" in data["xml"]
    assert data["current"] == ["Activity_PlanifierVisite", "Stage_VisiteTechnique"]
    assert "Event_AffaireCreee" in data["completed"]
    assert "Gateway_EntrerNouveau" not in data["completed"]  # routing is not work
    token = users.rotate_token(demo_ctx, users.actor_for_username(demo_ctx, "rob"), "rob")
    api = site.test_client().get(
        f"/api/v1/deals/{kitchen}/diagram", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 200 and api.get_json()["current"] == data["current"]
    olga_token = users.rotate_token(demo_ctx, users.actor_for_username(demo_ctx, "olga"), "olga")
    refused = site.test_client().get(
        f"/api/v1/deals/{kitchen}/diagram", headers={"Authorization": f"Bearer {olga_token}"}
    )
    assert refused.status_code == 404 and refused.get_json()["error"] == "not_found"


def test_other_teams_cannot_see_or_touch_a_deal(visitor: Visitor, demo_ctx: Context) -> None:
    robs = deal_id(demo_ctx, "Rénovation cuisine")
    olgas = deal_id(demo_ctx, "Salle de bain")
    olga = visitor("olga")
    # another team's deal is a "Not found" page, the same as a deal that does not exist
    with i18n.use_language("fr"):  # olga reads French
        missing = str(escape(policy.missing("deal", robs)))
    assert "n&#39;existe pas" in missing
    assert missing in olga.text(olga.get(f"/deals/{robs}", status=404))
    olga.get(f"/deals/{robs}/diagram", status=404)
    olga.post(f"/deals/{robs}/notes", {"text": "sneaky"}, 404)
    olga.post(f"/deals/{robs}/close", {"outcome": "lost", "reason": "Autre"}, 404)
    olga.get(f"/deals/{olgas}")
    rob = visitor("rob")
    rob.get(f"/deals/{olgas}", status=404)
    rob.post(f"/deals/{olgas}/move", {"stage": "devis"}, 404)
    visitor("omar").get(f"/deals/{robs}", status=404)
    visitor("mia").get(f"/deals/{robs}")  # rob's manager
    visitor("rob").get("/deals/9999", status=404)
    notes = deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "admin"), robs).detail
    assert notes is not None and all(n["text"] != "sneaky" for n in notes["notes"])


def test_files_download_only_to_those_who_see_the_deal(visitor: Visitor, demo_ctx: Context) -> None:
    litware = deal_id(demo_ctx, "Litware renewal")
    view = deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), litware)
    attachment = view.detail["attachments"][0]  # type: ignore[index]
    rob = visitor("rob")
    assert f'href="/attachments/{attachment["id"]}"' in rob.text(rob.get(f"/deals/{litware}"))
    response = rob.client.get(f"/attachments/{attachment['id']}")
    assert response.status_code == 200
    assert response.data.startswith(b"Phase 1")
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert visitor("olga").client.get(f"/attachments/{attachment['id']}").status_code == 404
    assert rob.client.get("/attachments/9999").status_code == 404


def test_deal_pages_need_sign_in(visitor: Visitor) -> None:
    anonymous = visitor(None)
    for path in ("/deals", "/deals/1", "/deals/1/diagram", "/deals/new", "/attachments/1"):
        response = anonymous.client.get(path)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
