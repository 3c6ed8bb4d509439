"""How the lifecycle verbs print records: one line per lead, deal, task or history entry."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

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


def _stage_word(s: dict[str, Any]) -> str:
    rate = f" {s['win_rate']:g}%" if s.get("win_rate") is not None else ""
    optional = " (optional)" if s.get("optional") else ""
    after = " (after the win)" if s.get("phase") == "post_sale" else ""
    word = f"{s['name']}{rate}{optional}{after}"
    return f"[{word}]" if s["state"] == "current" else word


def _activity_line(a: dict[str, Any]) -> list[str]:
    marks = [f"weight {a['weight']:g}"]
    marks += ["obligatory"] if a["obligatory"] else []
    marks += ["approval"] if a.get("approval") else []
    if a.get("note_required") in ("note", "note_and_file"):
        marks.append("needs a note" if a["note_required"] == "note" else "needs a note and a file")
    who = ", ".join(a.get("completed_by") or [])
    lines = [f"  {'[x]' if a['done'] else '[ ]'} {a['name']} ({', '.join(marks)}; by {who})"]
    lines += [f"      tip: {a['tip']}"] if a.get("tip") else []
    return lines


def detail_lines(v: DealView) -> list[str]:
    """The deal page's extras, as `deal show --json` has them."""
    d = v.detail
    if not d:
        return []
    lines = [f"  process: {v.process_name or v.process_key} ({v.process})"]
    lines.append("  stages: " + " > ".join(_stage_word(s) for s in d["stages"]))
    stage = d.get("current_stage")
    if stage and stage.get("description"):
        lines.append(f"  about the stage: {stage['description']}")
    if stage and stage.get("requirements"):
        lines.append(f"  requirements: {stage['requirements']}")
    for a in d["checklist"]:
        lines += _activity_line(a)
    lines += [f"  needed to leave the stage: {u}" for u in d["unmet_requirements"]]
    lines += [f"  needed to win: {u}" for u in d["win_blockers"]]
    labels = d.get("field_labels") or {}
    lines += [f"  field {labels.get('deal.' + k, k)}: {x}" for k, x in v.fields.items()]
    customer = d.get("customer") or {}
    lines += [
        f"  customer field {labels.get('customer.' + k, k)}: {x}"
        for k, x in (customer.get("fields") or {}).items()
    ]
    names = {s["key"]: s["name"] for s in d["stages"]}
    lines += [
        f"  {names.get(key, key)} field {labels.get('stage.' + k, k)}: {x}"
        for key, values in v.stage_fields.items()
        for k, x in values.items()
    ]
    lines += [
        f"  contact {c['name']}" + "".join(f", {c[k]}" for k in ("title", "email", "phone") if c[k])
        for c in d.get("contacts") or []
    ]
    lines += [
        f"  {a['by'] or '?'} {'approved' if a['decision'] == 'approve' else 'rejected'} "
        f"{names.get(a['stage'], a['stage'])}" + (f": {a['comment']}" if a["comment"] else "")
        for a in d.get("approvals") or []
    ]
    lines += [
        f"  note by {n['author'] or '?'}"
        + (f" for {n['task_name']}" if n.get("task_name") else "")
        + f": {n['text']}"
        for n in d.get("notes") or []
    ]
    lines += [f"  file {f['filename']} ({f['size']} bytes)" for f in d.get("attachments") or []]
    lines += [
        f"  order {o['number']} {formats.money(Decimal(str(o['amount'])), o['currency'])}"
        for o in d.get("orders") or []
    ]
    lines += [
        f"  follow-up {'[x]' if f['done'] else '[ ]'} {f['title']} due {f['due_on']}"
        + (f" ({f['assignee']})" if f["assignee"] else "")
        for f in d.get("follow_ups") or []
    ]
    linked = d.get("linked") or {}
    if v.lead_id:
        lines.append(f"  qualified from lead {v.lead_id} ({linked.get('lead') or '?'})")
    if v.reopened_from_id:
        lines.append(f"  reopened from deal {v.reopened_from_id} ({linked.get('reopened_from')})")
    if v.reopened_as_id:
        lines.append(f"  reopened as deal {v.reopened_as_id} ({linked.get('reopened_as')})")
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
