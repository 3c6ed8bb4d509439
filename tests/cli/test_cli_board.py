"""The `board`, `process enable|disable|departments` and `stage add|delete` verbs."""

from __future__ import annotations

from pathlib import Path

from tests.cli.cli_checks import Run, assert_error, ok_json


def test_board_prints_columns_and_cards(ready: Run) -> None:
    # Rob's board opens on the process most of his open deals run on.
    own = ready("board", user="rob")
    assert own.exit_code == 0, own.output
    assert own.stdout.splitlines()[0] == "Sales process (sales_process): 1 won, 0 lost"
    assert "[1] Initial visit 10%: 1 deal(s) $30,000.00" in own.stdout.splitlines()
    assert "[5] On-site installation after the win: 0 deal(s)" in own.stdout.splitlines()
    text = ready("board", "--process", "openfire_pipeline", user="rob")
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[0] == ("Pipeline (OpenFire) (openfire_pipeline, deals move freely): 0 won, 0 lost")
    assert "[3] Visite technique 50%: 1 deal(s) €12,500.00" in lines
    assert any("Rénovation cuisine (" in line and "owner=rob" in line for line in lines)
    assert not any("Salle de bain" in line for line in lines)
    shown = ok_json(ready("board", "--process", "sales_process", "--team", "mia", "--json"))
    assert [c["key"] for c in shown["columns"]][:2] == ["initial_visit", "needs_analysis"]
    assert (shown["won"], shown["lost"]) == (1, 1)
    assert_error(ready("board", "--owner", "olga", user="rob"), "owner 'olga'")
    assert_error(ready("board", "--process", "nope"), "process 'nope' is not deployed")


def test_process_disable_and_enable(ready: Run) -> None:
    off = ready("process", "disable", "sales_process")
    assert off.stdout.strip() == "sales_process disabled: no new leads or deals start on it"
    refused = ready(
        "deal", "create", "--name", "X", "--value", "1", "--process", "sales_process", user="rob"
    )
    assert_error(refused, "process 'sales_process' is disabled")
    # Without --process the deal starts on the enabled process that applies to rob.
    other = ok_json(ready("deal", "create", "--name", "Y", "--value", "1", "--json", user="rob"))
    assert other["process"].startswith("openfire_pipeline ")
    listed = {p["key"]: p for p in ok_json(ready("processes", "--json"))}
    assert listed["sales_process"]["enabled"] is False
    assert ok_json(ready("process", "enable", "sales_process", "--json"))["enabled"] is True
    assert ready("deal", "create", "--name", "X", "--value", "1", user="rob").exit_code == 0
    assert_error(ready("process", "disable", "sales_process", user="rob"), "only an admin")
    assert_error(ready("process", "enable", "nope"), "process 'nope' is not deployed")


def test_process_departments_shows_sets_and_clears(ready: Run) -> None:
    shown = ready("process", "departments", "sales_process")
    assert shown.stdout.strip() == "sales_process applies to every department"
    chosen = ready("process", "departments", "sales_process", "--set", "Sales, Sales")
    assert chosen.stdout.strip() == "sales_process applies to Sales"
    # Olga (Field sales) no longer gets it by default; rob (Sales) still does.
    olga = ok_json(ready("deal", "create", "--name", "Roof", "--value", "1", "--json", user="olga"))
    assert olga["process"].startswith("openfire_pipeline ")
    assert_error(
        ready("process", "departments", "sales_process", "--set", "Sales,Nowhere"),
        "department 'Nowhere' does not exist (known: ",
    )
    assert ok_json(ready("process", "departments", "sales_process", "--json"))["departments"] == [
        "Sales"
    ]  # the refused --set changed nothing
    cleared = ok_json(ready("process", "departments", "sales_process", "--set", "", "--json"))
    assert cleared["departments"] == []
    assert_error(
        ready("process", "departments", "sales_process", "--set", "", user="rob"), "only an admin"
    )
    assert_error(ready("process", "departments", "nope"), "process 'nope' is not deployed")


def test_stage_add_and_delete(ready: Run) -> None:
    added = ready("stage", "add", "openfire_pipeline", "--after", "devis", "--name", "Signature")
    assert added.stdout.strip() == "stage signature added to openfire_pipeline: version 2"
    shown = ok_json(ready("board", "--process", "openfire_pipeline", "--json"))
    assert [c["key"] for c in shown["columns"]][-2:] == ["devis", "signature"]
    gone = ok_json(ready("stage", "delete", "openfire_pipeline", "signature", "--json"))
    assert gone == {
        "process": "openfire_pipeline",
        "version": 3,
        "stage": "signature",
        "action": "deleted",
    }
    assert_error(
        ready("stage", "delete", "openfire_pipeline", "visite_technique"),
        "2 open deal(s) are at it; move them to another stage first",
    )
    assert_error(
        ready("stage", "add", "openfire_pipeline", "--after", "devis", "--name", "X", user="mia"),
        "only an admin",
    )
    assert_error(
        ready(
            "stage",
            "add",
            "openfire_pipeline",
            "--after",
            "devis",
            "--name",
            "Y",
            "--win-rate",
            "x",
        ),
        "win rate",
    )


def test_process_new_writes_a_lint_clean_diagram_that_deploys(ready: Run, tmp_path: Path) -> None:
    target = tmp_path / "key_account.bpmn"
    made = ready(
        "process",
        "new",
        "key_account",
        "--stages",
        "Qualify:10, Propose:30,Negotiate:60",
        "--free-moves",
        "--post-sale",
        "Install,Train",
        "--name",
        "Key account",
        "--out",
        str(target),
    )
    assert made.stdout.strip() == (
        f"wrote {target}: stages qualify, propose, negotiate, post-sale install, train; lint clean"
    )
    assert ready("lint", str(target)).exit_code == 0
    (deployed,) = ok_json(ready("deploy", str(target), "--json"))
    assert (deployed["key"], deployed["name"]) == ("key_account", "Key account")
    # An existing file is not overwritten.
    again = ready("process", "new", "key_account", "--stages", "Qualify", "--out", str(target))
    assert_error(again, f"{target} exists; choose another --out")
    for stages, message in (
        ("Qualify:10,Propose", "give every stage a win rate, or none (Propose has none)"),
        ("Qualify:50,Propose:20", "the win rate of 'Propose' (20) is lower than that of"),
        ("Qualify:abc", "the win rate of 'Qualify' must be a number from 0 to 100, not 'abc'"),
        ("Qualify,qualify", "stages 'Qualify' and 'qualify' both get the key 'qualify'"),
        (" , ", "name at least one pre-sale stage"),
    ):
        refused = ready("process", "new", "other", "--stages", stages, "--out", str(tmp_path / "o"))
        assert_error(refused, message)
    assert not (tmp_path / "o").exists()
    assert_error(
        ready("process", "new", "1x", "--stages", "Qualify", "--out", str(tmp_path / "o")),
        "'1x' is not a valid process key",
    )
