"""Demo history for the analytics page: deals won and lost over past months; targets.

The use cases run on a clock set back in time (then put back), so the recorded history, the
stage visits and the close dates are those a real team would have left behind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bpmn_sales.context import Context
from bpmn_sales.domain.analytics import month_key
from bpmn_sales.domain.model import Actor
from bpmn_sales.services import deals
from bpmn_sales.services.analytics import targets
from bpmn_sales.services.deals import records
from bpmn_sales.services.demo import steps
from bpmn_sales.services.people import users

# (owner, deal, customer, value, months ago, stages passed, outcome, lost reason)
PAST_DEALS: tuple[tuple[str, str, str, str, int, int, str, str | None], ...] = (
    ("rob", "Proseware CRM", "Proseware", "18000", 6, 4, "won", None),
    ("sara", "Lucerne pilot", "Lucerne Publishing", "9000", 6, 1, "lost", "Too expensive"),
    ("rob", "Coho expansion", "Coho Winery", "26000", 5, 3, "lost", "Lost to a competitor"),
    ("sara", "Alpine rollout", "Alpine Ski House", "14000", 5, 4, "won", None),
    ("olga", "Margie travel desk", "Margie's Travel", "7000", 4, 2, "lost", "No budget"),
    ("rob", "Fourth Coffee POS", "Fourth Coffee", "11000", 4, 1, "lost", "No decision"),
    ("sara", "Trey research", "Trey Research", "31000", 3, 4, "won", None),
    ("rob", "Datum upgrade", "A. Datum", "16000", 2, 2, "lost", "Too expensive"),
    ("olga", "Bellows install", "Bellows College", "12000", 2, 4, "won", None),
    (
        "sara",
        "Humongous data",
        "Humongous Insurance",
        "22000",
        1,
        3,
        "lost",
        "Lost to a competitor",
    ),
)


class _Rewound:
    """A clock the demo moves by hand while it writes history in the past."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def _advance(ctx: Context, actor: Actor, deal_id: int, stage: int, mia: Actor) -> None:
    """Complete the activities of one stage (1: initial visit ... 4: quote and bid)."""
    if stage == 1:
        records.add_contact(ctx, actor, deal_id, "Sam Buyer", "sam@customer.example")
        records.add_contact(ctx, actor, deal_id, "Alex Chief", title="Chief executive")
        deals.update_deal(ctx, actor, deal_id, {"customer_fields": {"industry": "Services"}})
        steps.do(ctx, actor, deal_id, "Meet the customer")
        steps.do(ctx, actor, deal_id, "Identify decision makers", note="Alex decides.")
    elif stage == 2:
        close_on = (ctx.clock() + timedelta(days=45)).date().isoformat()
        changes = {"fields": {"budget": 10000}, "expected_close_date": close_on}
        deals.update_deal(ctx, actor, deal_id, changes)
        steps.do(ctx, actor, deal_id, "Analyse needs")
        steps.do(ctx, actor, deal_id, "Qualify budget")
    elif stage == 3:
        steps.solution_design(ctx, actor, deal_id)
        steps.do(
            ctx, mia, deal_id, "Approve solution", data={"decision": "approve", "comment": "OK"}
        )
    else:
        steps.do(ctx, actor, deal_id, "Send quote")
        steps.do(ctx, actor, deal_id, "Negotiate terms")
        records.create_order(ctx, actor, deal_id)


def load_history(ctx: Context) -> None:
    """Append past deals (won, lost, one reopened), open deals to forecast, and targets."""
    real_clock: Callable[[], datetime] = ctx.clock
    today = real_clock()
    clock = _Rewound(today)
    ctx.clock = clock
    try:
        actors = {
            u: users.actor_for_username(ctx, u) for u in ("rob", "sara", "olga", "mia", "omar")
        }
        boss = {"rob": actors["mia"], "sara": actors["mia"], "olga": actors["omar"]}
        reopen_id = None
        for owner, name, customer, value, ago, passed, outcome, reason in PAST_DEALS:
            clock.now = today - timedelta(days=30 * ago + 3)
            actor = actors[owner]
            deal = deals.create_deal(ctx, actor, name, customer, value)
            for stage in range(1, passed + 1):
                clock.now += timedelta(days=2 + (stage * ago) % 5, hours=3 * stage)
                _advance(ctx, actor, deal.id, stage, boss[owner])
            clock.now += timedelta(days=3)
            deals.close_deal(ctx, actor, deal.id, outcome, reason)
            if name == "Coho expansion":
                reopen_id = deal.id
        # A lost deal reopened a month later, now in needs analysis; open deals to forecast.
        clock.now = today - timedelta(days=40)
        if reopen_id is not None:
            again = deals.reopen_deal(ctx, actors["rob"], reopen_id)
            clock.now += timedelta(days=4)
            _advance(ctx, actors["rob"], again.id, 1, actors["mia"])
        for owner, name, value, months, passed in (
            ("sara", "Northwind phase 2", "27000", 1, 2),
            ("rob", "Wingtip kiosks", "19000", 2, 1),
            ("olga", "Graphic Design studio", "9500", 1, 3),
        ):
            clock.now = today - timedelta(days=20 + 5 * passed)
            deal = deals.create_deal(ctx, actors[owner], name, name.split()[0], value)
            for stage in range(1, passed + 1):
                clock.now += timedelta(days=3)
                _advance(ctx, actors[owner], deal.id, stage, boss[owner])
            close_on = (today + timedelta(days=31 * months)).date().isoformat()
            deals.update_deal(ctx, actors[owner], deal.id, {"expected_close_date": close_on})
    finally:
        ctx.clock = real_clock


def load_targets(ctx: Context) -> None:
    """This month's targets: the company's split into departments, teams and people."""
    month = month_key(ctx.clock().date())
    admin = users.actor_for_username(ctx, "admin")
    for scope, amount in (
        ("company", "120000"),
        ("department:Sales", "80000"),
        ("department:Field sales", "40000"),
        ("team:mia", "80000"),
        ("team:omar", "40000"),
        ("user:rob", "35000"),
        ("user:sara", "40000"),
        ("user:olga", "30000"),
    ):
        targets.set_target(ctx, admin, month, scope, amount)
