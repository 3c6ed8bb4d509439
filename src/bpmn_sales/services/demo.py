"""Demo data: a small sales team with leads and deals at every point of the lifecycle."""

from __future__ import annotations

from bpmn_sales.context import Context
from bpmn_sales.persistence.models import User
from bpmn_sales.services import deals, leads, users, worklist

DEMO_USERS = (
    ("admin", "Ada Admin", "admin", None),
    ("mia", "Mia Manager", "manager", None),
    ("rob", "Rob Rep", "rep", "mia"),
    ("sara", "Sara Seller", "rep", "mia"),
)


def load_demo(ctx: Context, if_empty: bool = False) -> dict[str, str]:
    """Create the demo users, leads and deals; return each demo user's API token."""
    with ctx.uow() as store:
        if if_empty and store.count(User) > 0:
            return {}
    tokens = {}
    for username, name, role, manager in DEMO_USERS:
        _, tokens[username] = users.create_user(
            ctx, None, username, name, role, manager, f"{username}@example.com"
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
    won_lead = leads.create_lead(
        ctx, sara, "Lena Ortiz", "Contoso", "lena@contoso.example", estimated_value="48000"
    )
    qualified = leads.qualify_lead(ctx, sara, won_lead.id)

    # Sara's opportunity from the lead: needs analysis done, now in Proposal.
    assert qualified.deal_id is not None
    for task in deals.get_deal(ctx, sara, qualified.deal_id).tasks:
        worklist.complete_task(ctx, sara, task.task_id)

    direct = deals.create_deal(ctx, rob, "Adventure Works rollout", "Adventure Works", "30000")
    won = deals.create_deal(ctx, rob, "Litware renewal", "Litware", "8000")
    deals.close_deal(ctx, mia, won.id, "won")
    lost = deals.create_deal(ctx, sara, "Tailspin pilot", "Tailspin Toys", "15000")
    deals.close_deal(ctx, sara, lost.id, "lost", "Lost to a competitor")
    del direct
    return tokens
