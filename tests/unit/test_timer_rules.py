"""Timer-related rules read from the bundled diagrams, and the `notify` service task."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bpmn_sales.context import shared_process_engine
from bpmn_sales.errors import InvalidInput
from bpmn_sales.services.delivery.texts import notice
from bpmn_sales.tasks.notifications import notify

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def test_reminder_after_comes_from_each_stage_reminder_timer() -> None:
    engine = shared_process_engine()
    files = {p.name: p.read_bytes() for p in BPMN.iterdir() if p.is_file()}
    sales = next(p for p in engine.compile(files) if p.key == "sales_process")
    digest = hashlib.sha256(sales.spec_json.encode()).hexdigest()
    rules = engine.info(digest, lambda: sales.spec_json).rules
    assert {s.key: s.reminder_after for s in rules.stages} == {
        "initial_visit": "P7D",
        "needs_analysis": "P7D",
        "solution_design": "P10D",
        "quote_and_bid": "P5D",
        # post-sale stages have a timeout, not a reminder
        "installation": None,
        "training": None,
        "acceptance": None,
    }


def test_notify_names_parties_and_kind() -> None:
    assert notify("owner; group:delivery", "timeout") == {
        "notify": ["owner", "group:delivery"],
        "kind": "timeout",
        "text": None,
    }
    with pytest.raises(InvalidInput, match="recipients 'anyone'") as bad:
        notify("anyone", "reminder")
    assert bad.value.field == "recipients"
    with pytest.raises(InvalidInput, match="kind must be one of"):
        notify("owner", "shout")
    with pytest.raises(InvalidInput):
        notify(["owner"], "reminder")


def test_notice_texts_name_deal_stage_and_since() -> None:
    subject, text = (p.text() for p in notice("reminder", "Acme", 7, "Initial visit", "2026-01-05"))
    assert subject == "Reminder: deal Acme is waiting in stage 'Initial visit'"
    assert text == (
        "Deal 7 (Acme) has been in stage 'Initial visit' since 2026-01-05; time to move it on."
    )
    assert notice("escalation", "Acme", 7, None, None)[0].text() == "Escalation: deal Acme is stuck"
