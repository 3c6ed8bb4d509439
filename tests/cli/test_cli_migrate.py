"""`bpmn-sales migrate PROCESS --preview|--apply`: the table, JSON, progress and exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import helpers
from tests import migration_edits as edits
from tests.cli.cli_checks import Cli, Run, assert_error, ok_json


@pytest.fixture
def ready(ready: Cli, tmp_path: Path) -> Cli:
    """The demo on version 1 and a version 2 without 'Needs analysis', deployed by the CLI."""
    diagram = tmp_path / "sales_process.bpmn"
    diagram.write_bytes(edits.remove_stage(edits.sales_xml(), "needs_analysis"))
    for name, data in helpers.FORMS.items():
        (tmp_path / name).write_bytes(data)
    assert ready("deploy", str(diagram)).stdout.strip() == "deployed sales_process v2"
    return ready


def test_preview_lists_where_each_deal_lands_or_why_not(ready: Run) -> None:
    shown = ready("migrate", "sales_process", "--preview")
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[0] == "Sales process (sales_process): open deals on every older version -> v2"
    assert any(
        "Wide World upgrade" in line
        and line.endswith("-> REFUSED: its stage 'Needs analysis' is not in version 2")
        for line in lines
    )
    assert any(
        "Adventure Works rollout" in line
        and line.endswith("-> Initial visit / Meet the customer, Identify decision makers")
        for line in lines
    )
    assert lines[-1] == "2 can move, 2 refused; 3 closed deal(s) keep their version"
    data = ok_json(ready("migrate", "sales_process", "--preview", "--json"))
    assert (data["to"], data["movable"], data["refused"]) == (2, 2, 2)
    assert {d["name"]: d["movable"] for d in data["deals"]}["Wide World upgrade"] is False


def test_apply_moves_in_batches_and_lists_the_refused(ready: Run) -> None:
    applied = ready("migrate", "sales_process", "--apply", "--batch", "1")
    assert applied.exit_code == 0, applied.output
    assert applied.stdout.splitlines() == [
        "deal 3 Wide World upgrade: REFUSED: its stage 'Needs analysis' is not in version 2",
        "deal 14 Wdrożenie CRM: REFUSED: its stage 'Needs analysis' is not in version 2",
        "run 1: 2 moved, 2 refused, 0 remaining to v2",
    ]
    assert "migrating" in applied.stderr
    again = ok_json(ready("migrate", "sales_process", "--apply", "--json"))
    assert (again["run"], again["moved"], again["refused"], again["finished"]) == (2, 0, 2, True)
    history = ok_json(ready("deal", "history", "2", "--json"))
    assert [h["action"] for h in history].count("migrated") == 1


def test_migrate_refuses_what_it_cannot_do(ready: Run) -> None:
    assert_error(ready("migrate", "sales_process"), "choose --preview")
    assert_error(ready("migrate", "sales_process", "--preview", "--apply"), "choose --preview")
    assert_error(ready("migrate", "sales_process", "--preview", "--to", "7"), "no version 7")
    assert_error(ready("migrate", "sales_process", "--preview", "--from", "2"), "not older")
    assert_error(ready("migrate", "nope", "--preview"), "process 'nope' is not deployed")
    assert_error(ready("migrate", "sales_process", "--apply", user="rob"), "only an admin")


def test_preview_pages_and_all_plans_every_deal(ready: Run) -> None:
    first = ready("migrate", "sales_process", "--preview", "--limit", "2")
    assert first.exit_code == 0, first.output
    head, *rows, summary = first.stdout.splitlines()
    assert head.endswith("-> v2") and len(rows) == 2
    assert summary == (
        "this page: can move: 2, refused: 0; open deals on these versions: 4 (--all plans every "
        "one); closed deals, which keep their version: 3"
    )
    more = re.search(r"^more: --after (\S+)$", first.stderr, re.M)
    assert more, first.stderr
    rest = ready("migrate", "sales_process", "--preview", "--limit", "2", "--after", more[1])
    assert rest.exit_code == 0 and "more:" not in rest.stderr
    assert len(rest.stdout.splitlines()) == 4  # the head, the third and fourth deals, counts
    every = ready("migrate", "sales_process", "--preview", "--limit", "1", "--all")
    assert every.exit_code == 0 and "more:" not in every.stderr
    assert every.stdout.splitlines() == [
        head,
        *rows,
        *rest.stdout.splitlines()[1:3],
        "2 can move, 2 refused; 3 closed deal(s) keep their version",
    ]
    every_json = ready("migrate", "sales_process", "--preview", "--limit", "1", "--all", "--json")
    data = ok_json(every_json)
    assert (data["open"], data["complete"], data["movable"], data["refused"]) == (4, True, 2, 2)
    assert [d["deal_id"] for d in data["deals"]] == sorted(d["deal_id"] for d in data["deals"])
    page = ok_json(ready("migrate", "sales_process", "--preview", "--limit", "1", "--json"))
    assert (page["open"], page["complete"], len(page["deals"])) == (4, False, 1)
    bad = ready("migrate", "sales_process", "--preview", "--after", "bm90LW91cnM")
    assert_error(bad, "cursor", "start again without a cursor")
