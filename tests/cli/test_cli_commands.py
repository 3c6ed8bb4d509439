"""The `bpmn-sales` command line on a SQLite file: operator verbs and the whole lifecycle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.services.people import sessions
from tests.cli.cli_checks import Run, assert_error, ok_json

REPO = Path(__file__).resolve().parents[2]
BUNDLED = sorted((REPO / "bpmn").glob("*.bpmn"))


def copy_forms(folder: Path) -> None:
    """Put the bundled task forms next to a copied diagram, as `deploy` expects to find them."""
    for form in (REPO / "bpmn").glob("*.json"):
        (folder / form.name).write_bytes(form.read_bytes())


def test_user_password_lets_the_user_sign_in(run: Run, tmp_path: Path) -> None:
    assert run("init").exit_code == 0
    assert run("user", "add", "nina", "--name", "Nina New").exit_code == 0
    short = run("user", "password", "nina", "--stdin", stdin="short\n")
    assert_error(short, "the password must have at least 8 characters")
    typed = run("user", "password", "nina", stdin="long-enough-1\nlong-enough-1\n")
    assert typed.exit_code == 0, typed.output
    assert "nina: password set" in typed.stdout
    assert_error(run("user", "password", "nobody", "--stdin", stdin="whatever-1\n"), "nobody")
    ctx = Context(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    try:
        assert sessions.sign_in(ctx, "nina", "long-enough-1", "127.0.0.1").username == "nina"
    finally:
        ctx.close()


def test_init_is_idempotent(run: Run) -> None:
    first = run("init")
    assert first.exit_code == 0, first.output
    assert sorted(first.stdout.splitlines()) == [
        "deployed lead_qualification v1",
        "deployed openfire_pipeline v1",
        "deployed sales_process v1",
        "deployed zh_key_account v1",
    ]
    second = run("init")
    assert second.exit_code == 0
    assert sorted(second.stdout.splitlines()) == [
        "unchanged lead_qualification v1",
        "unchanged openfire_pipeline v1",
        "unchanged sales_process v1",
        "unchanged zh_key_account v1",
    ]


def test_demo_if_empty_loads_once(run: Run) -> None:
    run("init")
    first = run("demo", "--if-empty")
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    users = [line.split()[1] for line in lines if line.startswith("user ")]
    assert users == [
        "admin",
        "mia",
        "rob",
        "sara",
        "omar",
        "olga",
        "kasia",
        "wangfang",
        "lilei",
        "zhangwei",
    ]
    assert lines[-6:] == [
        "web sign-in: any user above with password 'demo-sales'",
        "The demo users' languages:",
        "  English: 4 users (admin, mia, rob, sara)",
        "  Chinese (Simplified): 3 users (wangfang, lilei, zhangwei)",
        "  Polish: 1 user (kasia)",
        "  French: 2 users (omar, olga)",
    ]
    second = run("demo", "--if-empty")
    assert second.exit_code == 0
    assert "nothing loaded" in second.stdout
    assert "token" not in second.stdout
    listed = ok_json(run("deal", "list", "--json"))
    assert len(listed) == 14
    assert {d["status"] for d in listed} == {"open", "won", "lost", "invalid"}
    assert {d["process_key"] for d in listed} == {
        "sales_process",
        "openfire_pipeline",
        "zh_key_account",
    }


def test_lint_bundled_diagrams(run: Run) -> None:
    result = run("lint", *map(str, BUNDLED))
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.stderr
    report = ok_json(run("lint", "--json", *map(str, BUNDLED)))
    assert report["errors"] == 0
    assert [p for p in report["problems"] if p["severity"] == "error"] == []


def test_lint_unsafe_condition_names_file_and_element(run: Run, tmp_path: Path) -> None:
    xml = (REPO / "bpmn" / "lead_qualification.bpmn").read_text(encoding="utf-8")
    assert "decision == 'qualify'" in xml
    bad = tmp_path / "unsafe.bpmn"
    copy_forms(tmp_path)
    bad.write_text(xml.replace("decision == 'qualify'", "__import__('os').system('id')"))
    result = run("lint", str(bad))
    assert result.exit_code == 2
    assert "unsafe.bpmn" in result.stdout
    assert "Flow_Qualify" in result.stdout
    assert "Traceback" not in result.output
    report = json.loads(run("lint", "--json", str(bad)).stdout)
    assert report["errors"] >= 1
    assert any(
        p["file"] == str(bad) and p["element_id"] == "Flow_Qualify" and p["severity"] == "error"
        for p in report["problems"]
    )


def test_lint_missing_file(run: Run, tmp_path: Path) -> None:
    assert_error(run("lint", str(tmp_path / "missing.bpmn")), "missing.bpmn")


def test_deploy_and_processes(ready: Run, tmp_path: Path) -> None:
    same = ok_json(ready("deploy", "--json", *map(str, BUNDLED), user="admin"))
    assert sorted((r["key"], r["version"], r["created"]) for r in same) == [
        ("lead_qualification", 1, False),
        ("openfire_pipeline", 1, False),
        ("sales_process", 1, False),
        ("zh_key_account", 1, False),
    ]
    xml = (REPO / "bpmn" / "sales_process.bpmn").read_text(encoding="utf-8")
    assert xml.count('name="Send quote"') == 1
    changed = tmp_path / "sales_process.bpmn"
    copy_forms(tmp_path)
    changed.write_text(xml.replace('name="Send quote"', 'name="Send the quote"'))
    result = ready("deploy", str(changed), user="admin")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "deployed sales_process v2"

    listed = {p["key"]: p for p in ok_json(ready("processes", "--json"))}
    assert set(listed) == {
        "lead_qualification",
        "openfire_pipeline",
        "sales_process",
        "zh_key_account",
    }
    sales = listed["sales_process"]
    assert (sales["version"], sales["versions"], sales["enabled"]) == (2, 2, True)
    assert [s["key"] for s in sales["stages"]] == [
        "initial_visit",
        "needs_analysis",
        "solution_design",
        "quote_and_bid",
        "installation",
        "training",
        "acceptance",
    ]
    assert "Lost to a competitor" in sales["lost_reasons"]
    assert sales["in_use"] == 7  # the seven demo deals of the sales process stay on v1

    assert_error(ready("deploy", str(changed), user="rob"), "admin")

    # A third version that switches the older ones off for new deals; running deals stay.
    changed.write_text(xml.replace('name="Send quote"', 'name="Send our quote"'))
    third = ready("deploy", "--disable-previous", str(changed), user="admin")
    assert third.stdout.strip() == "deployed sales_process v3 (disabled v1, v2)"
    listed = {p["key"]: p for p in ok_json(ready("processes", "--json"))}
    assert (listed["sales_process"]["version"], listed["sales_process"]["in_use"]) == (3, 7)


def test_deploy_unsafe_diagram_is_refused(ready: Run, tmp_path: Path) -> None:
    xml = (REPO / "bpmn" / "lead_qualification.bpmn").read_text(encoding="utf-8")
    bad = tmp_path / "lead_qualification.bpmn"
    copy_forms(tmp_path)
    bad.write_text(xml.replace("decision == 'qualify'", "open('/etc/passwd').read()"))
    assert_error(ready("deploy", str(bad), user="admin"), "Flow_Qualify")
    listed = {p["key"]: p for p in ok_json(ready("processes", "--json"))}
    assert listed["lead_qualification"]["versions"] == 1


def test_lead_lifecycle(ready: Run) -> None:
    lead = ok_json(
        ready(
            "lead",
            "create",
            "--name",
            "Jane",
            "--company",
            "Northwind",
            "--value",
            "1200",
            "--json",
            user="rob",
        )
    )
    assert (lead["status"], lead["owner"], lead["estimated_value"]) == ("new", "rob", 1200.0)
    assert [t["title"] for t in lead["tasks"]] == ["Review lead"]
    lid = str(lead["id"])

    dropped = ok_json(
        ready("lead", "disqualify", lid, "--reason", "No budget", "--json", user="rob")
    )
    assert (dropped["status"], dropped["disqualify_reason"]) == ("disqualified", "No budget")
    renewed = ok_json(ready("lead", "renew", lid, "--json", user="rob"))
    assert renewed["status"] == "new"
    assert [t["title"] for t in renewed["tasks"]] == ["Review lead"]
    qualified = ok_json(
        ready(
            "lead",
            "qualify",
            lid,
            "--expect-version",
            str(renewed["version"]),
            "--json",
            user="rob",
        )
    )
    assert qualified["status"] == "qualified"
    deal = ok_json(ready("deal", "show", str(qualified["deal_id"]), "--json", user="rob"))
    assert (deal["lead_id"], deal["name"], deal["value"]) == (
        lead["id"],
        "Northwind opportunity",
        1200.0,
    )

    history = ok_json(ready("lead", "history", lid, "--json", user="rob"))
    assert [h["action"] for h in history] == ["created", "disqualified", "renewed", "qualified"]
    assert {h["actor"] for h in history} == {"rob"}
    shown = ok_json(ready("lead", "show", lid, "--json", user="mia"))
    assert shown["deal_id"] == deal["id"]
    listed = ok_json(ready("lead", "list", "--status", "qualified", "--json", user="rob"))
    assert lead["id"] in [v["id"] for v in listed]
    assert_error(ready("lead", "show", lid, user="sara"), f"lead {lid} does not exist")
    assert_error(ready("lead", "qualify", lid, user="rob"), "qualified")


def test_deal_lifecycle_by_shell(ready: Run, tmp_path: Path) -> None:
    deal = ok_json(
        ready(
            "deal",
            "create",
            "--name",
            "Shell deal",
            "--customer",
            "Acme",
            "--value",
            "900",
            "--json",
            user="rob",
        )
    )
    did = str(deal["id"])
    assert (deal["status"], deal["stage"], deal["probability"]) == ("open", "initial_visit", 10)

    def shown(user: str = "rob") -> Any:
        return ok_json(ready("deal", "show", did, "--json", user=user))

    def task_id(title: str) -> str:
        found = [t["task_id"] for t in shown()["tasks"] if t["title"] == title]
        assert len(found) == 1, (title, shown()["tasks"])
        return str(found[0])

    def done(title: str, *options: str, user: str = "rob") -> None:
        result = ready("task", "complete", task_id(title), *options, "--json", user=user)
        assert ok_json(result)["title"] == title

    seen = [deal["probability"]]
    # Initial visit: leaving it needs two contacts and the customer's industry.
    for contact in (("--name", "Pat Direct", "--email", "pat@acme.example"), ("--name", "Kim")):
        assert ready("deal", "contact", did, *contact, user="rob").exit_code == 0
    updated = ok_json(
        ready("deal", "update", did, "--customer-field", "industry=Software", "--json", user="rob")
    )
    assert updated["detail"]["customer"]["fields"] == {"industry": "Software"}
    assert len(updated["detail"]["contacts"]) == 2
    done("Meet the customer")
    assert_error(
        ready("task", "complete", task_id("Identify decision makers"), user="rob"), "needs a note"
    )
    done("Identify decision makers", "--note", "Kim decides; Pat buys.")
    seen.append(shown()["probability"])

    # Needs analysis: a budget and an expected close date.
    budget = ("--field", "budget=900", "--expected-close-date", "2026-06-30")
    assert ok_json(ready("deal", "update", did, *budget, "--json", user="rob"))["fields"] == {
        "budget": 900
    }
    done("Analyse needs")
    follow_ups = [
        t
        for t in ok_json(ready("task", "list", "--json", user="rob"))
        if t["kind"] == "follow_up" and t["subject_id"] == deal["id"]
    ]
    assert [t["title"] for t in follow_ups] == ["Send the needs summary to the customer"]
    done("Qualify budget")
    seen.append(shown()["probability"])

    # Solution design: two stage fields, a design with a note and a file, then mia approves.
    fields = ok_json(
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
    )["stage_fields"]
    assert fields == {
        "solution_design": {"design_summary": "Two sites", "customer_feedback": "Likes it"}
    }
    design = tmp_path / "design.txt"
    design.write_text("Phase 1: head office.\n")
    assert_error(
        ready("task", "complete", task_id("Design solution"), "--note", "x", user="rob"), "file"
    )
    done("Design solution", "--note", "Design attached", "--file", str(design))
    done("Present solution")
    seen.append(shown()["probability"])
    approval = task_id("Approve solution")
    assert_error(ready("task", "complete", approval, "--approve", user="rob"), "direct manager")
    assert_error(ready("task", "complete", approval, "--reject", user="mia"), "comment")
    done("Approve solution", "--approve", "--comment", "Go ahead", user="mia")
    seen.append(shown()["probability"])

    # Quote and bid.
    done("Send quote")
    done("Negotiate terms")
    seen.append(shown()["probability"])
    # each stage's win rate, moved by the share of its activity weight done
    assert seen == [10, 30, 50, 80, 80, 100]
    assert shown()["tasks"] == []

    listed = ok_json(ready("deal", "list", "--status", "open", "--json", user="rob"))
    assert deal["id"] in [d["id"] for d in listed]
    assert all(d["owner"] == "rob" for d in listed)
    assert_error(ready("deal", "close", did, "--won", user="rob"), "an order must exist to win")
    order = ok_json(ready("deal", "order", did, "--json", user="rob"))
    assert (order["amount"], order["currency"]) == (900.0, "USD")
    won = ok_json(ready("deal", "close", did, "--won", "--json", user="rob"))
    assert (won["status"], won["probability"], won["stage"]) == ("won", 100, "installation")
    reopened = ok_json(ready("deal", "reopen", did, "--json", user="rob"))
    assert reopened["reopened_from_id"] == deal["id"]
    lost = ok_json(
        ready(
            "deal",
            "close",
            str(reopened["id"]),
            "--lost",
            "--reason",
            "No decision",
            "--json",
            user="mia",
        )
    )
    assert (lost["status"], lost["lost_reason"]) == ("lost", "No decision")

    history = ok_json(ready("deal", "history", did, "--json", user="rob"))
    moves = [(h["from_stage"], h["to_stage"]) for h in history if h["from_stage"]]
    assert moves == [
        ("initial_visit", "needs_analysis"),
        ("needs_analysis", "solution_design"),
        ("solution_design", "quote_and_bid"),
        ("quote_and_bid", "installation"),
    ]
    # the win, then the follow-up it cancelled
    assert [h["action"] for h in history[-2:]] == ["closed", "follow_ups_cancelled"]
    assert history[-2]["to_status"] == "won"
    text = ready("deal", "history", did, user="rob")
    assert text.exit_code == 0
    assert "stage solution_design -> quote_and_bid" in text.stdout
    assert_error(ready("deal", "reopen", did, user="rob"), "already reopened")


def test_bad_input_is_one_error_line(ready: Run) -> None:
    deal = ok_json(ready("deal", "create", "--name", "Errors", "--json", user="rob"))
    did = str(deal["id"])
    assert_error(ready("deal", "show", "9999", user="rob"), "9999")
    assert_error(ready("deal", "close", "9999", "--won", user="rob"), "9999")
    assert_error(ready("deal", "close", did, user="rob"), "--won")
    assert_error(ready("deal", "close", did, "--lost", user="rob"), "reason")
    assert_error(ready("deal", "close", did, "--lost", "--reason", "Bored", user="rob"), "Bored")
    assert_error(ready("deal", "show", did, user="olga"), f"deal {did} does not exist")
    assert_error(ready("deal", "create", "--name", "x", "--value", "abc", user="rob"), "value")
    assert_error(ready("deal", "list", user="nobody"), "nobody")

    (task,) = [t["task_id"] for t in deal["tasks"] if t["title"] == "Meet the customer"]
    assert_error(ready("task", "complete", task, "--data", "{not json", user="rob"), "--data")
    assert_error(ready("task", "complete", task, "--data", "[1, 2]", user="rob"), "data")
    assert_error(
        ready("task", "complete", task, "--expect-version", str(deal["version"] - 1), user="rob"),
        "version",
    )
    assert_error(ready("task", "complete", "no-such-task", user="rob"), "no-such-task")
    # none of that changed the deal
    same = ok_json(ready("deal", "show", did, "--json", user="rob"))
    assert (same["version"], same["status"]) == (deal["version"], "open")

    ok_json(
        ready(
            "task", "complete", task, "--expect-version", str(deal["version"]), "--json", user="rob"
        )
    )
    assert_error(
        ready("deal", "close", did, "--won", "--expect-version", str(deal["version"]), user="rob"),
        "version",
    )
    assert ok_json(ready("deal", "show", did, "--json", user="rob"))["status"] == "open"
    # won needs the obligatory activities and an order: every one is named on the line
    assert_error(
        ready("deal", "close", did, "--won", user="rob"),
        "'Analyse needs'",
        "'Send quote'",
        "an order must exist to win",
    )
    assert_error(ready("deal", "order", did, user="rob"), "Quote and bid")
    ok_json(ready("deal", "close", did, "--invalid", "--json", user="rob"))
    assert_error(ready("deal", "close", did, "--won", user="rob"), "not open")


def test_deploy_of_a_diagram_without_executable_process_exits_2(ready: Run, tmp_path: Path) -> None:
    """Even when lint has a warning too (here a flow node without a label), nothing deploys."""
    clean = (REPO / "tests" / "data" / "lint" / "clean_deal.bpmn").read_text(encoding="utf-8")
    drawing = tmp_path / "drawing.bpmn"
    drawing.write_text(
        clean.replace('isExecutable="true"', 'isExecutable="false"').replace(
            '<bpmn:endEvent id="Event_Won" name="Won">', '<bpmn:endEvent id="Event_Won">'
        )
    )
    deploy = ready("deploy", "--json", str(drawing), user="admin")
    line = assert_error(deploy, "drawing.bpmn, element clean_deal")
    assert "no executable process found: process 'Lint case' is not executable" in line
    assert deploy.stdout == ""
    lint = ready("lint", str(drawing))
    assert lint.exit_code == 2
    assert [row.split(": ")[2] for row in lint.stdout.splitlines()] == ["error", "warning"]
    assert len(ok_json(ready("processes", "--json"))) == 4  # the bundled ones, nothing more


def test_deploy_names_every_error_causes_first(ready: Run, tmp_path: Path) -> None:
    """A misspelt stage_win_rate also makes the win rates mixed: the misspelling comes first."""
    clean = (REPO / "tests" / "data" / "lint" / "clean_deal.bpmn").read_text(encoding="utf-8")
    typo = tmp_path / "typo.bpmn"
    typo.write_text(
        clean.replace('name="stage_win_rate" value="60"', 'name="stage_win_rte" value="60"')
    )
    line = assert_error(ready("deploy", str(typo), user="admin"))
    assert line == (
        "error: typo.bpmn, element Stage_Propose, line 41: unknown property 'stage_win_rte' on a "
        "stage (did you mean 'stage_win_rate'?); then element Stage_Propose, line 36: stage has "
        "no stage_win_rate while other pre-sale stages have one (Stage_Qualify): give every "
        "pre-sale stage a win rate, or none"
    )
