"""`bpmn-sales settings show|set` and `user preferences`; the CLI's language from the
environment (BPMN_SALES_LANGUAGE, else LANG)."""

from __future__ import annotations

from tests.cli.cli_checks import Cli, assert_error, ok_json


def test_settings_show_and_set(ready: Cli) -> None:
    assert ok_json(ready("settings", "show", "--json")) == {
        "language": "en",
        "time_zone": "UTC",
        "currency": "USD",
    }
    changed = ready("settings", "set", "--currency", "pln", "--time-zone", "Europe/Warsaw")
    assert changed.exit_code == 0, changed.output
    assert changed.stdout.splitlines() == [
        "language: en",
        "time zone: Europe/Warsaw",
        "currency: PLN",
    ]
    assert_error(ready("settings", "set", "--currency", "ZZZ"), "'ZZZ' is not a currency code")
    assert_error(ready("settings", "set", "--language", "klingon"), "Choose a language from")
    assert ok_json(ready("settings", "show", "--json"))["currency"] == "PLN"


def test_the_cli_speaks_the_language_of_its_environment(ready: Cli) -> None:
    polish = ready("settings", "show", env={"BPMN_SALES_LANGUAGE": "", "LANG": "pl_PL.UTF-8"})
    assert polish.stdout.splitlines()[2] == "waluta: USD", polish.output
    french = ready("settings", "show", env={"BPMN_SALES_LANGUAGE": "fr", "LANG": "pl_PL.UTF-8"})
    assert french.stdout.splitlines()[0] == "langue : en"
    chinese = ready("settings", "set", "--time-zone", "Mars", env={"BPMN_SALES_LANGUAGE": "zh-CN"})
    assert_error(chinese, "'Mars' 不是有效的时区")
    plain = ready("settings", "show", env={"BPMN_SALES_LANGUAGE": "", "LANG": "C.UTF-8"})
    assert plain.stdout.splitlines()[0] == "language: en"


def test_user_preferences(ready: Cli) -> None:
    done = ready(
        "user", "preferences", "rob", "--language", "pl-PL", "--time-zone", "Europe/Warsaw"
    )
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "rob: language pl, time zone Europe/Warsaw"
    listed = ok_json(ready("user", "list", "--json"))
    rob = next(u for u in listed if u["username"] == "rob")
    assert (rob["language"], rob["time_zone"]) == ("pl", "Europe/Warsaw")
    cleared = ready("user", "preferences", "rob", "--language", "")
    assert cleared.stdout.strip() == "rob: language (the company's), time zone Europe/Warsaw"
    assert_error(ready("user", "preferences", "nobody", "--language", "fr"), "nobody")
    assert_error(ready("user", "preferences", "rob", "--time-zone", "Asia/Nowhere"), "Asia/Nowhere")
