"""`bpmn-sales task list` says when each task is due and in which group; `lead qualify` takes
the deal's terms."""

from __future__ import annotations

import re

from tests.cli.cli_checks import DEMO, CliOn, assert_error, ok_json


def test_task_list_shows_due_times_grouped(cli_on: CliOn) -> None:
    run = cli_on(*DEMO, user="rob")
    created = ok_json(run("deal", "create", "--name", "Due soon", "--customer", "Soon", "--json"))
    listed = run("task", "list", "--scope", "mine", "--all")
    assert listed.exit_code == 0, listed.stderr
    lines = [line for line in listed.stdout.splitlines() if f"deal {created['id']} " in line]
    assert lines, listed.stdout
    for line in lines:
        assert re.search(r"due=\d{4}-\d{2}-\d{2} \d{2}:\d{2} \((overdue|today|upcoming)\)", line)
    as_json = ok_json(run("task", "list", "--scope", "mine", "--all", "--json"))
    groups = [t["due"] for t in as_json]
    order = ["overdue", "today", "upcoming", "none"]
    assert groups == sorted(groups, key=order.index)


def test_lead_qualify_takes_the_terms_and_refuses_a_bad_date(cli_on: CliOn) -> None:
    run = cli_on(*DEMO, user="rob")
    lead = ok_json(run("lead", "create", "--name", "Kai Berg", "--company", "Berg AB", "--json"))
    assert_error(
        run("lead", "qualify", str(lead["id"]), "--close-date", "31/12/2026"),
        "expected_close_date",
    )
    qualified = ok_json(
        run(
            "lead",
            "qualify",
            str(lead["id"]),
            "--value",
            "900",
            "--currency",
            "SEK",
            "--close-date",
            "2026-12-31",
            "--json",
        )
    )
    deal = ok_json(run("deal", "show", str(qualified["deal_id"]), "--json"))
    assert (deal["value"], deal["currency"], deal["expected_close_date"]) == (
        900,
        "SEK",
        "2026-12-31",
    )
