"""`bpmn-sales lead import` and `deal import`: the summary, one line per row, exit codes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from tests.cli.cli_checks import Cli, assert_error, ok_json

FRENCH = (
    "\ufeffNom;Société;Courriel;Valeur estimée;Propriétaire\n"
    "Jeanne Dupont;Acmé;jeanne@acme.test;12 000,50;rob\n"
    "Paul Martin;Acmé;JEANNE@acme.test;;rob\n"
    "Sans Courriel;Acmé;pas-une-adresse;;rob\n"
)


def write(tmp_path: Path, text: str, name: str = "leads.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_dry_run_prints_counts_and_each_row_then_exits_2(ready: Cli, tmp_path: Path) -> None:
    result = ready("lead", "import", write(tmp_path, FRENCH), "--dry-run")
    assert result.stdout.splitlines() == [
        "would create 1 lead; 1 duplicate skipped; 1 bad row of 3",
        "line 3: Courriel: duplicate of line 2 (skipped)",
        "line 4: Courriel: email 'pas-une-adresse' is not an e-mail address",
    ]
    assert_error(result, "1 bad row; nothing written", "--skip-invalid")
    assert "Jeanne" not in ready("lead", "list").stdout


def test_all_or_nothing_then_skip_invalid_then_a_rerun(ready: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, FRENCH)
    refused = ready("lead", "import", path)
    assert_error(refused, "nothing imported")
    assert refused.stdout.startswith("would create 1 lead;") and "nothing imported" in (
        refused.stdout
    )
    assert "Jeanne" not in ready("lead", "list").stdout
    partial = ready("lead", "import", path, "--skip-invalid")
    assert_error(partial, "1 bad row skipped; the others were imported")
    assert partial.stdout.startswith("1 lead created; 1 duplicate skipped")
    assert "Jeanne Dupont" in ready("lead", "list").stdout


def test_a_rerun_creates_nothing(ready: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "name,email\nA,a@x.test\nB,b@x.test\n")
    assert ok_json(ready("lead", "import", path, "--json"))["created"] == 2
    again = ok_json(ready("lead", "import", path, "--json"))
    assert (again["created"], len(again["duplicates"]), again["applied"]) == (0, 2, True)


def test_unknown_columns_need_map_or_ignore(ready: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Source,Tel\nA,fair,123\n")
    assert_error(ready("lead", "import", path), "column 'Source' is not a field", "--ignore")
    assert_error(ready("lead", "import", path, "--map", "Source"), "HEADER=FIELD")
    done = ok_json(
        ready("lead", "import", path, "--map", "Tel=phone", "--ignore", "source", "--json")
    )
    assert done["created"] == 1
    assert_error(ready("lead", "import", str(tmp_path / "missing.csv")), "cannot read")


def test_deals_with_an_id_column_and_a_progress_bar(ready: Cli, tmp_path: Path) -> None:
    text = "Ref;Opportunité;Client;Montant;Devise\nX-1;Rollout;Northwind;1 000,00;EUR\n"
    path = write(tmp_path, text, "deals.csv")
    result = ready("deal", "import", path, "--id-column", "Ref", "--progress", user="rob")
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 deal created; 0 duplicates skipped; 0 bad rows of 1\n"
    assert "checking" in result.stderr and "importing" in result.stderr
    again = ready("deal", "import", path, "--id-column", "Ref", user="rob")
    # The demo's deals are 1 to 14: the imported one is 15.
    assert again.stdout.splitlines()[1] == "line 2: Ref: deal 15 has it already (skipped)"
    assert again.stderr == ""
    assert "Rollout" in ready("deal", "show", "15").stdout


def test_an_xlsx_workbook_of_deals_at_their_stages_with_a_progress_bar(
    ready: Cli, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Affaire", "Client", "Étape", "Statut", "Clôturée le"])
    sheet.append(["Toiture", "Dupont SA", "Devis", None, None])
    sheet.append(["Isolation", "Martin SARL", "Estimation", "gagnée", datetime(2026, 5, 4)])
    path = tmp_path / "affaires.xlsx"
    book.save(path)
    command = ("deal", "import", str(path), "--process", "openfire_pipeline", "--progress")
    result = ready(*command, user="olga")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 deals created; 0 duplicates skipped; 0 bad rows of 2\n"
    assert "checking" in result.stderr and "importing" in result.stderr
    listed = ready("deal", "list", "--json", user="olga")
    deals = {d["name"]: d for d in ok_json(listed)}
    assert (deals["Toiture"]["stage"], deals["Toiture"]["status"]) == ("devis", "open")
    assert (deals["Isolation"]["stage"], deals["Isolation"]["status"]) == ("estimation", "won")
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert_error(ready("deal", "import", str(xls), user="olga"), "old Excel (.xls) files")


def test_the_summary_speaks_the_language_of_the_environment_with_its_plurals(
    ready: Cli, tmp_path: Path
) -> None:
    path = write(tmp_path, FRENCH)
    french = ready("lead", "import", path, "--dry-run", env={"BPMN_SALES_LANGUAGE": "fr"})
    assert french.stdout.splitlines()[0] == (
        "créerait 1 piste; 1 doublon ignoré; 1 ligne erronée sur 3"
    )
    assert_error(french, "1 ligne erronée ; rien n'est écrit")
    rows = "".join(f"Lead {n},l{n}@x.test\n" for n in range(5))
    five = write(tmp_path, "name,email\n" + rows + "Bad,nope\n", "five.csv")
    polish = ready("lead", "import", five, "--skip-invalid", env={"BPMN_SALES_LANGUAGE": "pl"})
    assert polish.stdout.splitlines()[0] == (
        "utworzono 5 leadów; pominięto 0 duplikatów; 1 błędny wiersz z 6"
    )
    chinese = ready("lead", "import", five, env={"BPMN_SALES_LANGUAGE": "zh_Hans"})
    assert chinese.stdout.splitlines()[0].startswith("将创建 0 条线索; 跳过 5 条重复")
