"""Steps the demo takes with a deal: complete a task by its title, work through a stage."""

from __future__ import annotations

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.services import deals, worklist
from bpmn_sales.services.deals import records


def do(ctx: Context, actor: Actor, deal_id: int, title: str, **kwargs: object) -> None:
    """Complete the ready task of a deal with this title."""
    task = next(t for t in deals.deal_tasks(ctx, actor, deal_id) if t.title == title)
    worklist.complete_task(ctx, actor, task.task_id, **kwargs)  # type: ignore[arg-type]


def initial_visit(ctx: Context, rep: Actor, deal_id: int, industry: str) -> None:
    records.add_contact(ctx, rep, deal_id, "Pat Direct", "pat@customer.example", title="Buyer")
    records.add_contact(ctx, rep, deal_id, "Kim Boss", title="Chief executive")
    deals.update_deal(ctx, rep, deal_id, {"customer_fields": {"industry": industry}})
    do(ctx, rep, deal_id, "Meet the customer")
    do(ctx, rep, deal_id, "Identify decision makers", note="Kim decides; Pat buys.")


def needs_analysis(ctx: Context, rep: Actor, deal_id: int, budget: int) -> None:
    deals.update_deal(
        ctx, rep, deal_id, {"fields": {"budget": budget}, "expected_close_date": "2027-03-31"}
    )
    do(ctx, rep, deal_id, "Analyse needs")
    do(ctx, rep, deal_id, "Qualify budget")


def solution_design(ctx: Context, rep: Actor, deal_id: int) -> None:
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
    design = records.upload_attachment(
        ctx, rep, deal_id, "solution-design.txt", b"Phase 1: head office.\nPhase 2: branches.\n"
    )
    do(
        ctx,
        rep,
        deal_id,
        "Design solution",
        note="Design attached",
        attachment_ids=[design["id"]],
    )
    do(ctx, rep, deal_id, "Present solution")
