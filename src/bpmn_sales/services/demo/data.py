"""Demo data: a small sales team with leads and deals at every point of the lifecycle."""

from __future__ import annotations

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.persistence.models import User
from bpmn_sales.services import deals, leads
from bpmn_sales.services.deals import records
from bpmn_sales.services.demo import steps
from bpmn_sales.services.demo.history import load_history, load_targets
from bpmn_sales.services.demo.key_accounts import load_key_accounts
from bpmn_sales.services.demo.people import DEMO_USERS
from bpmn_sales.services.people import preferences, users

# Every demo user signs in to the web pages with this password.
DEMO_PASSWORD = "demo-sales"  # noqa: S105 - documented demo-only password


def load_demo(ctx: Context, if_empty: bool = False, history: bool = False) -> dict[str, str]:
    """Create the demo users, leads and deals; return each demo user's API token.

    `history` adds months of won and lost deals for the analytics page (`bpmn-sales demo
    --history`; it takes a few seconds, so page tests load it only where they need it).
    """
    with ctx.uow() as store:
        if if_empty and store.count(User) > 0:
            return {}
    tokens = {}
    for person in DEMO_USERS:
        _, tokens[person.username] = users.create_user(
            ctx,
            None,
            person.username,
            person.name,
            person.role,
            person.manager,
            f"{person.username}@example.com",
            department=person.department,
            groups=list(person.groups),
            password=DEMO_PASSWORD,
        )
        if person.language != i18n.DEFAULT_LANGUAGE:
            preferences.update_user_preferences(
                ctx, None, person.username, language=person.language, time_zone=person.time_zone
            )
    rob = users.actor_for_username(ctx, "rob")
    sara = users.actor_for_username(ctx, "sara")
    mia = users.actor_for_username(ctx, "mia")

    leads.create_lead(
        ctx,
        rob,
        "Jane Cooper",
        "Northwind Traders",
        "jane@northwind.example",
        estimated_value="12000",
    )
    dropped = leads.create_lead(ctx, rob, "Tom Baker", "Fabrikam", "tom@fabrikam.example")
    leads.disqualify_lead(ctx, rob, dropped.id, "No budget this year")
    contoso = leads.create_lead(
        ctx, sara, "Lena Ortiz", "Contoso", "lena@contoso.example", estimated_value="48000"
    )
    qualified = leads.qualify_lead(ctx, sara, contoso.id)

    # Sara's opportunity from the lead: through needs analysis, waiting for Mia's approval.
    assert qualified.deal_id is not None
    steps.initial_visit(ctx, sara, qualified.deal_id, "Manufacturing")
    steps.needs_analysis(ctx, sara, qualified.deal_id, 48000)
    steps.solution_design(ctx, sara, qualified.deal_id)

    # Rob's: one just opened, one in needs analysis.
    deals.create_deal(ctx, rob, "Adventure Works rollout", "Adventure Works", "30000")
    fourth = deals.create_deal(ctx, rob, "Wide World upgrade", "Wide World Importers", "22000")
    steps.initial_visit(ctx, rob, fourth.id, "Logistics")

    # Won and in post-sale installation: every stage, an approval, an order.
    won = deals.create_deal(ctx, rob, "Litware renewal", "Litware", "8000")
    steps.initial_visit(ctx, rob, won.id, "Software")
    steps.needs_analysis(ctx, rob, won.id, 8000)
    steps.solution_design(ctx, rob, won.id)
    steps.do(ctx, mia, won.id, "Approve solution", data={"decision": "approve", "comment": "Go"})
    steps.do(ctx, rob, won.id, "Send quote")
    steps.do(ctx, rob, won.id, "Negotiate terms")
    records.create_order(ctx, rob, won.id)
    deals.close_deal(ctx, rob, won.id, "won")

    lost = deals.create_deal(ctx, sara, "Tailspin pilot", "Tailspin Toys", "15000")
    deals.close_deal(ctx, sara, lost.id, "lost", "Lost to a competitor")
    spam = deals.create_deal(ctx, sara, "Test entry", None, "0")
    deals.close_deal(ctx, sara, spam.id, "invalid", "Created by mistake")

    # The OpenFire-style pipeline, where deals move freely between stages.
    kitchen = deals.create_deal(
        ctx,
        rob,
        "Rénovation cuisine",
        "Famille Martin",
        "12500",
        "EUR",
        process="openfire_pipeline",
    )
    deals.move_deal(ctx, rob, kitchen.id, "visite_technique")
    olga = users.actor_for_username(ctx, "olga")
    bathroom = deals.create_deal(
        ctx,
        olga,
        "Salle de bain",
        "Famille Petit",
        "7800",
        "EUR",
        process="openfire_pipeline",
    )
    deals.move_deal(ctx, olga, bathroom.id, "visite_technique")
    # Appended after the records above (tests rely on their ids): this month's targets and,
    # with `history`, months of won and lost deals and a reopened one for the analytics page.
    if history:
        load_history(ctx)
    load_targets(ctx)
    # The Chinese key-account team and Kasia's Polish deal, after everything above.
    load_key_accounts(ctx)
    return tokens
