"""Walk a deal of the bundled B2B sales process through its stages with the real use cases.

The bundled `bpmn/sales_process.bpmn` has four pre-sale stages, each with rules to leave it:

- initial_visit (10 %): customer.industry, two contacts; Meet the customer (weight 2,
  obligatory), Identify decision makers (weight 1, needs a note);
- needs_analysis (30 %): deal.budget:number, deal.expected_close_date; Analyse needs (2,
  obligatory, creates a follow-up), Qualify budget (1);
- solution_design (50 %): stage fields design_summary and customer_feedback; Design solution
  (2, obligatory, needs a note and a file), Present solution (1); then Approve solution by the
  owner's direct manager (weight 0);
- quote_and_bid (80 %): Send quote (1, obligatory), Negotiate terms (2); orders from here on.

Winning needs every obligatory activity and an order. After won: installation, training and
acceptance (stage.acceptance_date), then the process ends at "Delivered".

The `run_*` functions at the end drive a bare engine instance (tests/workflow), where none of
these rules is checked: only the diagram's gateways see the approval.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, DealView, TaskView
from bpmn_sales.services import deals, worklist
from bpmn_sales.services.deals import records

PRE_SALE = ("initial_visit", "needs_analysis", "solution_design", "quote_and_bid")
# Each stage's activities in the order the walks complete them.
ACTIVITIES = {
    "initial_visit": ("Meet the customer", "Identify decision makers"),
    "needs_analysis": ("Analyse needs", "Qualify budget"),
    "solution_design": ("Design solution", "Present solution"),
    "quote_and_bid": ("Send quote", "Negotiate terms"),
}
APPROVAL = "Approve solution"
BUNDLED = Path(__file__).resolve().parents[1] / "bpmn"
# The JSON task forms the bundled diagrams name (formJsonSchemaFilename), deployed with them.
FORMS = {p.name: p.read_bytes() for p in sorted(BUNDLED.glob("*.json"))}
DESIGN_FILE = ("solution-design.txt", b"Phase 1: head office.\nPhase 2: branches.\n")


def bundled_files() -> dict[str, bytes]:
    """The bundled diagrams and their form files, as `deploy` and `init` read them."""
    return {**{p.name: p.read_bytes() for p in sorted(BUNDLED.glob("*.bpmn"))}, **FORMS}


def ready_task(ctx: Context, actor: Actor, deal_id: int, title: str) -> TaskView:
    """The deal's one ready task with this title."""
    tasks = deals.deal_tasks(ctx, actor, deal_id)
    found = [t for t in tasks if t.title == title]
    titles = sorted(t.title for t in tasks)
    assert len(found) == 1, f"expected one ready '{title}' on deal {deal_id}, got {titles}"
    return found[0]


def complete(ctx: Context, actor: Actor, deal_id: int, title: str, **kwargs: Any) -> TaskView:
    """Complete the deal's ready task with this title as `actor` (kwargs: data, note, ...)."""
    task = ready_task(ctx, actor, deal_id, title)
    return worklist.complete_task(ctx, actor, task.task_id, **kwargs)


# -- what each stage needs before it can be left ------------------------------------------------
def prepare_initial_visit(ctx: Context, rep: Actor, deal_id: int) -> None:
    """Two contacts and the customer's industry (and a customer, if the deal has none)."""
    if deals.get_deal(ctx, rep, deal_id).customer is None:
        deals.update_deal(ctx, rep, deal_id, {"customer": "Acme"})
    records.add_contact(ctx, rep, deal_id, "Pat Direct", "pat@customer.example", title="Buyer")
    records.add_contact(ctx, rep, deal_id, "Kim Boss", title="Chief executive")
    deals.update_deal(ctx, rep, deal_id, {"customer_fields": {"industry": "Software"}})


def prepare_needs_analysis(ctx: Context, rep: Actor, deal_id: int) -> None:
    deals.update_deal(
        ctx, rep, deal_id, {"fields": {"budget": 25000}, "expected_close_date": "2026-06-30"}
    )


def prepare_solution_design(ctx: Context, rep: Actor, deal_id: int) -> None:
    deals.update_deal(
        ctx,
        rep,
        deal_id,
        {
            "stage_fields": {
                "solution_design": {
                    "design_summary": "Two sites, phased roll-out",
                    "customer_feedback": "Likes the phasing",
                }
            }
        },
    )


# -- the stages -------------------------------------------------------------------------------
def initial_visit(ctx: Context, rep: Actor, deal_id: int) -> DealView:
    prepare_initial_visit(ctx, rep, deal_id)
    complete(ctx, rep, deal_id, "Meet the customer")
    complete(ctx, rep, deal_id, "Identify decision makers", note="Kim decides; Pat buys.")
    return deals.get_deal(ctx, rep, deal_id)


def needs_analysis(ctx: Context, rep: Actor, deal_id: int) -> DealView:
    prepare_needs_analysis(ctx, rep, deal_id)
    complete(ctx, rep, deal_id, "Analyse needs")
    complete(ctx, rep, deal_id, "Qualify budget")
    return deals.get_deal(ctx, rep, deal_id)


def solution_design(ctx: Context, rep: Actor, deal_id: int) -> DealView:
    """The rep's part of the stage; it then waits for the manager's approval."""
    prepare_solution_design(ctx, rep, deal_id)
    design = records.upload_attachment(ctx, rep, deal_id, *DESIGN_FILE)
    complete(
        ctx, rep, deal_id, "Design solution", note="Design attached", attachment_ids=[design["id"]]
    )
    complete(ctx, rep, deal_id, "Present solution")
    return deals.get_deal(ctx, rep, deal_id)


def approve(
    ctx: Context, manager: Actor, deal_id: int, decision: str = "approve", comment: str = "Go"
) -> DealView:
    complete(ctx, manager, deal_id, APPROVAL, data={"decision": decision, "comment": comment})
    return deals.get_deal(ctx, manager, deal_id)


def quote_and_bid(ctx: Context, rep: Actor, deal_id: int) -> DealView:
    complete(ctx, rep, deal_id, "Send quote")
    complete(ctx, rep, deal_id, "Negotiate terms")
    return deals.get_deal(ctx, rep, deal_id)


def complete_stage(ctx: Context, rep: Actor, manager: Actor, deal_id: int) -> DealView:
    """Meet the current stage's rules and complete its activities (and approval)."""
    stage = deals.get_deal(ctx, rep, deal_id).stage
    if stage == "initial_visit":
        return initial_visit(ctx, rep, deal_id)
    if stage == "needs_analysis":
        return needs_analysis(ctx, rep, deal_id)
    if stage == "solution_design":
        solution_design(ctx, rep, deal_id)
        return approve(ctx, manager, deal_id)
    if stage == "quote_and_bid":
        return quote_and_bid(ctx, rep, deal_id)
    raise AssertionError(f"deal {deal_id} is at stage {stage!r}, not a pre-sale stage")


def walk_to(ctx: Context, rep: Actor, manager: Actor, deal_id: int, stage: str) -> DealView:
    """Complete stages until the deal stands at the start of `stage`."""
    view = deals.get_deal(ctx, rep, deal_id)
    while view.stage != stage:
        assert view.stage in PRE_SALE[: PRE_SALE.index(stage)], (view.stage, stage)
        view = complete_stage(ctx, rep, manager, deal_id)
    return view


def develop(ctx: Context, rep: Actor, manager: Actor, deal_id: int) -> DealView:
    """Complete every pre-sale stage: the deal then waits to be closed."""
    view = deals.get_deal(ctx, rep, deal_id)
    while view.tasks:
        view = complete_stage(ctx, rep, manager, deal_id)
    return view


def ready_to_win(ctx: Context, rep: Actor, manager: Actor, deal_id: int) -> DealView:
    """Every pre-sale stage done and an order placed: closing won is now allowed."""
    develop(ctx, rep, manager, deal_id)
    records.create_order(ctx, rep, deal_id)
    return deals.get_deal(ctx, rep, deal_id)


def walk_to_won(ctx: Context, rep: Actor, manager: Actor, deal_id: int) -> DealView:
    ready_to_win(ctx, rep, manager, deal_id)
    return deals.close_deal(ctx, rep, deal_id, "won")


# -- engine level: a bare instance (tests/workflow `Run`), where no sales rule is checked ------
APPROVED = {"approval": {"decision": "approve", "comment": "Go", "by": "mia"}}
REJECTED = {"approval": {"decision": "reject", "comment": "Too costly", "by": "mia"}}


def run_stage(run: Any, key: str) -> None:
    """Complete a stage's activities on the instance (and approve it, where it needs that)."""
    for title in ACTIVITIES[key]:
        run.complete(title, {"note": f"{title} done"})
    if key == "solution_design":
        run.complete(APPROVAL, APPROVED)


def run_pre_sale(run: Any) -> None:
    for key in PRE_SALE:
        run_stage(run, key)
