"""The leads list, the new-lead form and the lead page: qualify, disqualify, renew."""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import escape

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.domain import policy
from bpmn_sales.services import leads
from bpmn_sales.services.people import users
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]


def lead_id(ctx: Context, name: str) -> int:
    admin = users.actor_for_username(ctx, "admin")
    return next(lead.id for lead in leads.list_leads(ctx, admin) if lead.name == name)


def version_of(ctx: Context, lead: int) -> int:
    return leads.get_lead(ctx, users.actor_for_username(ctx, "admin"), lead).version


def olgas_lead(ctx: Context) -> int:
    return leads.create_lead(ctx, users.actor_for_username(ctx, "olga"), "Paul Durand").id


def test_leads_list_and_filters(visitor: Visitor, demo_ctx: Context) -> None:
    olgas_lead(demo_ctx)
    rob = visitor("rob")
    page = rob.text(rob.get("/leads"))
    assert "Jane Cooper" in page and "Tom Baker" in page
    assert "Lena Ortiz" not in page and "Paul Durand" not in page
    only = rob.text(rob.get("/leads?status=disqualified"))
    assert "Tom Baker" in only and "Jane Cooper" not in only
    mia = visitor("mia")
    team = mia.text(mia.get("/leads?owner=sara"))
    assert "Lena Ortiz" in team and "Jane Cooper" not in team
    sara = users.actor_for_username(demo_ctx, "sara")
    contoso = leads.get_lead(demo_ctx, sara, lead_id(demo_ctx, "Lena Ortiz"))
    assert f'href="/deals/{contoso.deal_id}"' in team
    bad = rob.text(rob.get("/leads?status=hot", status=400))
    assert re.search(r'id="status-error"[^>]*>status must be new, qualified or disqualified', bad)


def test_new_lead_form(visitor: Visitor) -> None:
    rob = visitor("rob")
    rob.get("/leads/new")
    bad = rob.text(rob.post("/leads/new", {"name": "Ann", "email": "not-mail"}, 400))
    assert re.search(r'id="email-error"[^>]*>email &#39;not-mail&#39; is not an e-mail', bad)
    assert 'value="Ann"' in bad
    bad = rob.text(rob.post("/leads/new", {"name": " ", "estimated_value": "x"}, 400))
    assert 'id="name-error"' in bad or 'id="estimated_value-error"' in bad
    made = rob.post(
        "/leads/new",
        {
            "name": "Ann Lee",
            "company": "Lee Ltd",
            "email": "ann@lee.example",
            "estimated_value": "900",
        },
        302,
    )
    page = rob.text(rob.follow(made))
    assert "Lead &#39;Ann Lee&#39; created" in page and "Lee Ltd" in page
    assert 'data-testid="qualify"' in page and "Review lead" in page


def test_lead_page_authorization(visitor: Visitor, demo_ctx: Context) -> None:
    robs = lead_id(demo_ctx, "Jane Cooper")
    olgas = olgas_lead(demo_ctx)
    olga = visitor("olga")
    with i18n.use_language("fr"):  # olga reads French
        missing = str(escape(policy.missing("lead", robs)))
    assert "n&#39;existe pas" in missing
    assert missing in olga.text(olga.get(f"/leads/{robs}", status=404))
    olga.post(f"/leads/{robs}/qualify", {"version": version_of(demo_ctx, robs)}, 404)
    olga.post(f"/leads/{robs}/disqualify", {"reason": "mine now"}, 404)
    olga.get(f"/leads/{olgas}")
    rob = visitor("rob")
    rob.get(f"/leads/{olgas}", status=404)
    rob.post(f"/leads/{olgas}/disqualify", {"reason": "x"}, 404)
    visitor("mia").get(f"/leads/{robs}")
    rob.get("/leads/9999", status=404)
    assert leads.get_lead(demo_ctx, users.actor_for_username(demo_ctx, "rob"), robs).status == "new"
    response = rob.client.post(f"/leads/{robs}/qualify", data={})
    assert response.status_code == 400 and "CSRF check failed" in rob.text(response)


def test_qualify_opens_the_deal(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    lead = lead_id(demo_ctx, "Jane Cooper")
    done = rob.post(f"/leads/{lead}/qualify", {"version": version_of(demo_ctx, lead)}, 302)
    deal = leads.get_lead(demo_ctx, users.actor_for_username(demo_ctx, "rob"), lead).deal_id
    assert done.headers["Location"] == f"/deals/{deal}"
    page = rob.text(rob.follow(done))
    assert "Lead qualified" in page and f'href="/leads/{lead}" data-testid="link-lead"' in page
    lead_page = rob.text(rob.get(f"/leads/{lead}"))
    assert f'data-testid="lead-deal">deal {deal}' in lead_page
    assert "qualified" in lead_page and 'data-testid="qualify"' not in lead_page


def test_disqualify_needs_a_reason_then_renew(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    lead = lead_id(demo_ctx, "Jane Cooper")
    version = version_of(demo_ctx, lead)
    bad = rob.text(rob.post(f"/leads/{lead}/disqualify", {"reason": "", "version": version}, 400))
    assert re.search(r'id="disqualify-reason-error"[^>]*>a reason is required', bad)
    done = rob.post(f"/leads/{lead}/disqualify", {"reason": "Went quiet", "version": version}, 302)
    page = rob.text(rob.follow(done))
    assert 'data-testid="disqualify-reason">Went quiet' in page and 'data-testid="renew"' in page
    renewed = rob.post(f"/leads/{lead}/renew", {"version": version_of(demo_ctx, lead)}, 302)
    page = rob.text(rob.follow(renewed))
    assert "Lead renewed" in page and 'data-testid="qualify"' in page
    assert "renewed" in page  # in the history


def test_a_stale_lead_version_is_a_conflict(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    lead = lead_id(demo_ctx, "Tom Baker")
    stale = version_of(demo_ctx, lead)
    rob.post(f"/leads/{lead}/renew", {"version": stale}, 302)
    response = rob.post(f"/leads/{lead}/qualify", {"version": stale}, 302)
    assert response.headers["Location"] == f"/leads/{lead}"
    page = rob.text(rob.follow(response))
    assert 'data-testid="flash-error"' in page and "someone else changed it" in page
    assert leads.get_lead(demo_ctx, users.actor_for_username(demo_ctx, "rob"), lead).status == "new"
    wrong = rob.post(f"/leads/{lead}/renew", {"version": version_of(demo_ctx, lead)}, 302)
    assert "only a disqualified lead can be renewed" in rob.text(rob.follow(wrong))
