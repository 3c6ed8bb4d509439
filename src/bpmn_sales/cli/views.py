"""How the lifecycle verbs print records: one line per lead, deal, task or history entry."""

from __future__ import annotations

import json

import click

from bpmn_sales.cli.base import State, emit
from bpmn_sales.domain.model import DealView, HistoryView, LeadView, TaskView
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import formats
from bpmn_sales.services.deals import records

version_option = click.option(
    "--expect-version",
    "expected_version",
    type=int,
    default=None,
    help="Refuse if the record is no longer at this version.",
)


def lead_line(v: LeadView) -> str:
    deal = f" -> deal {v.deal_id}" if v.deal_id else ""
    reason = f" ({v.disqualify_reason})" if v.disqualify_reason else ""
    return (
        f"lead {v.id:<5} {v.status:<12}{reason} {v.name} / {v.company or '-'} owner={v.owner}{deal}"
    )


def deal_line(v: DealView) -> str:
    stage = v.stage_name or "-"
    extra = f" reason={v.lost_reason}" if v.lost_reason else ""
    link = f" reopened-from={v.reopened_from_id}" if v.reopened_from_id else ""
    return (
        f"deal {v.id:<5} {v.status:<5} stage={stage:<16} p={v.probability:>3}% "
        f"{v.value:>12} {v.currency} {v.name} owner={v.owner}{extra}{link}"
    )


def task_line(t: TaskView) -> str:
    return (
        f"{t.task_id}  {t.title:<28} role={t.role:<8} {t.subject_type} {t.subject_id} "
        f"({t.subject_name}) due={due_text(t)}"
    )


def due_text(t: TaskView) -> str:
    """When the task is due, in the time zone in force, and its group: `2027-03-02 (today)`."""
    group = f" ({t.due})" if t.due != "none" else ""
    if t.due_at is not None:
        return f"{formats.in_zone(t.due_at):%Y-%m-%d %H:%M}{group}"
    if t.due_on is not None:
        return f"{t.due_on.isoformat()}{group}"
    return "-"


def history_line(h: HistoryView) -> str:
    move = ""
    if h.from_stage != h.to_stage and (h.from_stage or h.to_stage):
        move = f" stage {h.from_stage or '-'} -> {h.to_stage or '-'}"
    status = (
        f" status {h.from_status or '-'} -> {h.to_status}" if h.from_status != h.to_status else ""
    )
    detail = f" {json.dumps(h.detail)}" if h.detail else ""
    return f"{h.at:%Y-%m-%d %H:%M:%S} {h.actor or '-':<10} {h.action:<15}{move}{status}{detail}"


def show_lead(v: LeadView, as_json: bool) -> None:
    emit(v.to_dict(), as_json, [lead_line(v), *(f"  task {task_line(t)}" for t in v.tasks)])


def detail_lines(v: DealView) -> list[str]:
    if not v.detail:
        return []
    path = " > ".join(
        f"[{s['name']}]" if s["state"] == "current" else s["name"] for s in v.detail["stages"]
    )
    lines = [f"  stages: {path}"]
    lines += [
        f"  {'[x]' if a['done'] else '[ ]'} {a['name']} (weight {a['weight']:g}"
        f"{', obligatory' if a['obligatory'] else ''})"
        for a in v.detail["checklist"]
    ]
    lines += [f"  needed to leave the stage: {u}" for u in v.detail["unmet_requirements"]]
    lines += [f"  needed to win: {u}" for u in v.detail["win_blockers"]]
    return lines


def show_deal(v: DealView, as_json: bool) -> None:
    emit(
        v.to_dict(),
        as_json,
        [deal_line(v), *detail_lines(v), *(f"  task {task_line(t)}" for t in v.tasks)],
    )


def upload_files(state: State, deal_id: int, paths: tuple[str, ...]) -> list[int]:
    ids = []
    for path in paths:
        try:
            with open(path, "rb") as handle:
                content = handle.read()
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="file") from None
        attachment = records.upload_attachment(state.ctx, state.actor(), deal_id, path, content)
        ids.append(int(attachment["id"]))
    return ids
