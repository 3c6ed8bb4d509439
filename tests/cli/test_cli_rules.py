"""The sales rules from a shell (`bpmn-sales` through click's runner, SQLite and PostgreSQL).

The journeys of tests/web/test_api_rules.py with the CLI verbs: a B2B deal through its stages
(contacts, fields, notes and files, the manager's approval, orders, winning), free moves on the
OpenFire pipeline, closing invalid or lost, follow-ups and notifications. A refusal is exit code
2 and one `error: ...` line on stderr; `--json` prints what the API returns.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.cli.cli_checks import Cli, Run, assert_error, ok_json


@pytest.fixture
def run(database_url: str) -> Cli:
    """`run(*args, user=...)` against a fresh database on each backend."""
    return Cli(database_url)


@pytest.fixture
def ready(run: Run) -> Run:
    """Initialised, with mia (manager, presales, e-mail), her reps rob and sara, and olga."""
    assert run("init").exit_code == 0
    for args in (
        ("admin", "--name", "Ada Admin", "--role", "admin"),
        ("mia", "--name", "Mia", "--role", "manager", "--email", "mia@example.com"),
        ("rob", "--name", "Rob", "--manager", "mia"),
        ("sara", "--name", "Sara", "--manager", "mia", "--group", "presales"),
        ("olga", "--name", "Olga"),
    ):
        result = run("user", "add", *args)
        assert result.exit_code == 0, result.output
    assert run("user", "groups", "mia", "presales").exit_code == 0
    return run


def ok_text(result: Result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stderr == ""
    return result.stdout


def show(run: Run, deal_id: int, user: str = "rob") -> Any:
    return ok_json(run("deal", "show", str(deal_id), "--json", user=user))


def task_id(run: Run, deal_id: int, title: str) -> str:
    found = [t["task_id"] for t in show(run, deal_id)["tasks"] if t["title"] == title]
    assert len(found) == 1, (title, [t["title"] for t in show(run, deal_id)["tasks"]])
    return str(found[0])


def complete(run: Run, deal_id: int, title: str, *args: str, user: str = "rob") -> Result:
    return run("task", "complete", task_id(run, deal_id, title), *args, user=user)


def create(run: Run, *args: str, name: str = "Litware rollout") -> Any:
    return ok_json(
        run(
            "deal",
            "create",
            "--name",
            name,
            "--customer",
            "Litware",
            "--value",
            "8000",
            *args,
            "--json",
            user="rob",
        )
    )


# -- the B2B walk -----------------------------------------------------------------------------
def test_b2b_deal_walk_by_shell(ready: Run, tmp_path: Path) -> None:
    deal = create(ready, "--expected-close-date", "2026-05-31")
    did = str(deal["id"])
    assert (deal["process_key"], deal["stage"], deal["probability"]) == (
        "sales_process",
        "initial_visit",
        10,
    )
    assert deal["expected_close_date"] == "2026-05-31"
    text = ok_text(ready("deal", "show", did, user="rob"))
    assert "stages: [Initial visit 10%] > Needs analysis 30%" in text
    assert "[ ] Meet the customer (weight 2, obligatory; by anyone)" in text
    assert "      tip: Meet the direct contact in person; bring the reference list." in text
    assert "  requirements: Confirm the direct contact and the key decision maker" in text
    assert "needed to leave the stage: Industry is empty" in text
    assert "needed to win: an order must exist to win" in text

    # initial visit: a note, two contacts and the customer's industry
    ok_json(complete(ready, deal["id"], "Meet the customer", "--json"))
    assert show(ready, deal["id"])["probability"] == 23  # 10 + 20 * 2/3
    assert_error(complete(ready, deal["id"], "Identify decision makers"), "needs a note")
    line = assert_error(
        complete(ready, deal["id"], "Identify decision makers", "--note", "Kim decides.")
    )
    assert "Initial visit: Industry is empty" in line
    assert "Initial visit: the customer needs at least 2 contacts (has 0)" in line
    contact = ok_json(
        ready(
            "deal",
            "contact",
            did,
            "--name",
            "Pat Direct",
            "--email",
            "pat@customer.example",
            "--json",
            user="rob",
        )
    )
    assert (contact["name"], contact["email"]) == ("Pat Direct", "pat@customer.example")
    assert ok_text(ready("deal", "contact", did, "--name", "Kim Boss", user="rob")).startswith(
        "contact "
    )
    assert_error(
        ready("deal", "contact", did, "--name", "X", "--email", "nope", user="rob"), "nope"
    )
    updated = ok_json(
        ready("deal", "update", did, "--customer-field", "industry=Software", "--json", user="rob")
    )
    assert updated["detail"]["customer"]["fields"] == {"industry": "Software"}
    ok_json(
        complete(ready, deal["id"], "Identify decision makers", "--note", "Kim decides.", "--json")
    )
    assert (show(ready, deal["id"])["stage"], show(ready, deal["id"])["probability"]) == (
        "needs_analysis",
        30,
    )

    # needs analysis: typed deal fields
    assert_error(ready("deal", "update", did, "--field", "budget=lots", user="rob"), "budget")
    assert_error(ready("deal", "update", did, "--field", "budget", user="rob"), "NAME=VALUE")
    ok_json(complete(ready, deal["id"], "Analyse needs", "--json"))
    ok_json(
        ready(
            "deal",
            "update",
            did,
            "--field",
            "budget=25000",
            "--expected-close-date",
            "2026-06-30",
            "--json",
            user="rob",
        )
    )
    ok_json(complete(ready, deal["id"], "Qualify budget", "--json"))
    assert show(ready, deal["id"])["stage"] == "solution_design"

    # solution design: a note with a file, stage fields, the direct manager's approval
    assert_error(ready("deal", "order", did, user="rob"), "Quote and bid")
    design = tmp_path / "solution-design.txt"
    design.write_text("Phase 1: head office.\nPhase 2: branches.\n")
    assert_error(
        complete(ready, deal["id"], "Design solution", "--note", "Design"), "at least one file"
    )
    done = ok_json(
        complete(
            ready,
            deal["id"],
            "Design solution",
            "--note",
            "Design",
            "--file",
            str(design),
            "--json",
        )
    )
    assert done["note_required"] == "note_and_file"
    page = show(ready, deal["id"])["detail"]
    assert [a["filename"] for a in page["attachments"]] == ["solution-design.txt"]
    assert page["attachments"][0]["note_id"] == page["notes"][-1]["id"]
    ok_json(
        ready(
            "deal",
            "update",
            did,
            "--stage-field",
            "solution_design.design_summary=Two sites",
            "--stage-field",
            "solution_design.customer_feedback=Likes it",
            "--json",
            user="rob",
        )
    )
    assert_error(
        ready("deal", "update", did, "--stage-field", "design_summary=x", user="rob"),
        "STAGE.NAME=VALUE",
    )
    ok_json(complete(ready, deal["id"], "Present solution", "--json"))
    assert show(ready, deal["id"])["probability"] == 80  # 50 + 30 * 3/3, waiting for approval

    assert_error(
        complete(ready, deal["id"], "Approve solution", "--approve"), "direct manager (mia)"
    )
    assert_error(complete(ready, deal["id"], "Approve solution", "--reject", user="mia"), "comment")
    ok_json(
        complete(
            ready,
            deal["id"],
            "Approve solution",
            "--reject",
            "--comment",
            "Add the branches",
            "--json",
            user="mia",
        )
    )
    approvals = show(ready, deal["id"])["detail"]["approvals"]
    assert [(a["decision"], a["comment"], a["by"]) for a in approvals] == [
        ("reject", "Add the branches", "mia")
    ]
    unread = ok_json(ready("notifications", "list", "--unread", "--json", user="rob"))
    assert unread["unread"] == 1
    assert "mia rejected" in unread["notifications"][0]["message"]
    assert "Add the branches" in unread["notifications"][0]["message"]
    ok_json(complete(ready, deal["id"], "Revise solution", "--json"))
    ok_json(complete(ready, deal["id"], "Approve solution", "--approve", "--json", user="mia"))
    assert (show(ready, deal["id"])["stage"], show(ready, deal["id"])["probability"]) == (
        "quote_and_bid",
        80,
    )

    # quote and bid, the order, winning, post-sale
    ok_json(complete(ready, deal["id"], "Send quote", "--json"))
    ok_json(complete(ready, deal["id"], "Negotiate terms", "--json"))
    assert show(ready, deal["id"])["probability"] == 100
    assert_error(ready("deal", "close", did, "--won", user="rob"), "an order must exist to win")
    order = ok_json(ready("deal", "order", did, "--amount", "7500", "--json", user="rob"))
    assert (order["number"], order["amount"], order["currency"]) == (
        f"SO-{deal['id']:05d}-1",
        7500.0,
        "USD",
    )
    won = ok_json(ready("deal", "close", did, "--won", "--json", user="rob"))
    assert (won["status"], won["stage"], won["outcome_label"]) == ("won", "installation", "Won")
    assert [t["title"] for t in won["tasks"]] == ["Install the solution"]
    text = ok_text(ready("deal", "order", did, user="rob"))
    assert text.strip() == f"order SO-{deal['id']:05d}-2 8000.00 USD"


def test_notes_and_files_by_shell(ready: Run, tmp_path: Path) -> None:
    did = str(create(ready)["id"])
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("Minutes of the visit\n")
    page = tmp_path / "page.html"
    page.write_text("<html><script>alert(1)</script></html>")
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')

    note = ok_json(ready("deal", "note", did, "Visit done", "--file", str(minutes), "--json"))
    assert note["text"] == "Visit done"
    assert len(note["attachments"]) == 1
    stored = ok_json(ready("deal", "attach", did, str(minutes), "--json", user="rob"))
    assert ok_text(ready("deal", "attach", did, str(minutes), user="rob")) == (
        f"attachment {stored['id'] + 1} stored\n"
    )
    assert_error(ready("deal", "attach", did, str(page), user="rob"), ".html is not accepted")
    assert_error(ready("deal", "attach", did, str(svg), user="rob"), ".svg is not accepted")
    assert_error(ready("deal", "attach", did, str(tmp_path / "missing.txt"), user="rob"))
    assert_error(
        ready("deal", "attach", did, str(minutes), user="olga"), f"deal {did} does not exist"
    )
    detail = show(ready, int(did))["detail"]
    assert [n["text"] for n in detail["notes"]] == ["Visit done"]
    assert [a["filename"] for a in detail["attachments"]] == ["minutes.txt"] * 3


# -- free moves -------------------------------------------------------------------------------
def test_free_moves_by_shell(ready: Run) -> None:
    deal = create(ready, "--process", "openfire_pipeline", "--currency", "EUR", name="Cuisine")
    did = str(deal["id"])
    assert (deal["process_key"], deal["stage"]) == ("openfire_pipeline", "nouveau")

    moved = ok_json(ready("deal", "move", did, "visite_technique", "--json", user="rob"))
    assert (moved["stage"], moved["probability"]) == ("visite_technique", 50)
    assert_error(
        ready("deal", "move", did, "devis", user="rob"),
        "Visite technique: obligatory activity 'Réaliser la visite' is not done",
    )
    back = ok_json(ready("deal", "move", did, "nouveau", "--json", user="rob"))
    assert (back["stage"], back["probability"]) == ("nouveau", 10)
    assert_error(ready("deal", "move", did, "devis", user="rob"), "Réaliser la visite")
    assert_error(ready("deal", "move", did, "nowhere", user="rob"), "nowhere")
    assert_error(
        ready("deal", "move", did, "estimation", "--expect-version", "1", user="rob"), "version"
    )
    text = ok_text(ready("deal", "move", did, "estimation", user="rob"))
    assert text.startswith(f"deal {did}")
    assert "stage=Estimation" in text

    b2b = str(create(ready)["id"])
    assert_error(ready("deal", "move", b2b, "needs_analysis", user="rob"), "does not allow moving")


# -- closing ----------------------------------------------------------------------------------
def test_close_invalid_and_lost_by_shell(ready: Run) -> None:
    spam = str(create(ready, name="Test entry")["id"])
    closed = ok_json(ready("deal", "close", spam, "--invalid", "--json", user="rob"))
    assert (closed["status"], closed["outcome_label"], closed["probability"]) == (
        "invalid",
        "Invalid",
        0,
    )
    listed = ok_json(ready("deal", "list", "--status", "invalid", "--json", user="rob"))
    assert [d["id"] for d in listed] == [int(spam)]
    assert_error(ready("deal", "close", spam, "--won", user="rob"), "not open")

    lost = str(create(ready, name="Tailspin")["id"])
    assert_error(
        ready("deal", "close", lost, "--lost", "--reason", "Bored", user="rob"),
        "'Bored' is not one of the configured reasons",
    )
    assert_error(ready("deal", "close", lost, user="rob"), "--won, --lost or --invalid")
    done = ok_json(
        ready("deal", "close", lost, "--lost", "--reason", "No budget", "--json", user="mia")
    )
    assert (done["status"], done["lost_reason"]) == ("lost", "No budget")

    early = str(create(ready, name="Early")["id"])
    line = assert_error(ready("deal", "close", early, "--won", user="rob"))
    assert "obligatory activity 'Meet the customer' (Initial visit) is not done" in line
    assert "an order must exist to win" in line


# -- follow-ups and notifications -------------------------------------------------------------
def test_follow_ups_and_notifications_by_shell(ready: Run) -> None:
    did = create(ready)["id"]
    for args in (
        ("contact", str(did), "--name", "Pat"),
        ("contact", str(did), "--name", "Kim"),
        ("update", str(did), "--customer-field", "industry=Retail"),
    ):
        assert ready("deal", *args, user="rob").exit_code == 0
    ok_json(complete(ready, did, "Meet the customer", "--json"))
    ok_json(complete(ready, did, "Identify decision makers", "--note", "Kim", "--json"))
    before = datetime.now(UTC).date()
    ok_json(complete(ready, did, "Analyse needs", "--json"))
    after = datetime.now(UTC).date()

    [follow_up] = [
        t for t in ok_json(ready("task", "list", "--json", user="rob")) if t["kind"] == "follow_up"
    ]
    assert follow_up["task_id"].startswith("follow-up-")
    assert follow_up["title"] == "Send the needs summary to the customer"
    assert follow_up["assignee"] == "rob"
    assert follow_up["due_on"] in {
        (before + timedelta(days=2)).isoformat(),
        (after + timedelta(days=2)).isoformat(),
    }
    assert "Send the needs summary" in ok_text(ready("task", "list", user="rob"))
    assert_error(
        ready("task", "complete", follow_up["task_id"], user="olga"),
        f"task '{follow_up['task_id']}' does not exist",
    )
    done = ok_json(ready("task", "complete", follow_up["task_id"], "--json", user="rob"))
    assert (done["task_id"], done["kind"]) == (follow_up["task_id"], "follow_up")
    tasks = ok_json(ready("task", "list", "--json", user="rob"))
    assert [t for t in tasks if t["kind"] == "follow_up"] == []
    assert_error(ready("task", "complete", follow_up["task_id"], user="rob"), "already done")

    # Send quote notifies the direct manager; Present solution the presales group
    mias = ok_json(ready("notifications", "list", "--json", user="mia"))
    assert mias == {"unread": 0, "notifications": []}
    ok_json(
        ready(
            "deal",
            "update",
            str(did),
            "--field",
            "budget=1",
            "--expected-close-date",
            "2026-06-30",
            "--json",
            user="rob",
        )
    )
    ok_json(complete(ready, did, "Qualify budget", "--json"))
    ok_json(complete(ready, did, "Present solution", "--json"))
    sara = ok_json(ready("notifications", "list", "--unread", "--json", user="sara"))
    mia = ok_json(ready("notifications", "list", "--unread", "--json", user="mia"))
    for found in (sara, mia):
        assert found["unread"] == 1
        assert "Present solution" in found["notifications"][0]["message"]
    text = ok_text(ready("notifications", "list", user="mia"))
    assert text.splitlines()[0] == "1 unread"
    assert ok_text(ready("notifications", "read", user="sara")) == "1 marked read\n"
    notice = mia["notifications"][0]["id"]
    assert ok_text(ready("notifications", "read", str(notice), user="rob")) == "0 marked read\n"
    assert ok_text(ready("notifications", "read", str(notice), user="mia")) == "1 marked read\n"
    assert ok_json(ready("notifications", "list", "--unread", "--json", user="mia")) == {
        "unread": 0,
        "notifications": [],
    }


def test_stale_update_is_refused(ready: Run) -> None:
    deal = create(ready)
    did = str(deal["id"])
    changed = ok_json(ready("deal", "update", did, "--name", "Renamed", "--json", user="rob"))
    assert changed["version"] > deal["version"]
    assert_error(
        ready(
            "deal",
            "update",
            did,
            "--name",
            "Stale",
            "--expect-version",
            str(deal["version"]),
            user="rob",
        ),
        f"not {deal['version']}",
    )
    assert_error(ready("deal", "update", did, user="rob"), "nothing to change")
    assert_error(
        ready("deal", "update", did, "--name", "x", user="sara"), f"deal {did} does not exist"
    )
    assert show(ready, deal["id"])["name"] == "Renamed"
