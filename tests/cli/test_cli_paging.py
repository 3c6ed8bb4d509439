"""Paged lists at the command line: --limit, the `more: --after` hint, --after, --all."""

from __future__ import annotations

import re

from tests.cli.cli_checks import Run, assert_error, ok_json

MORE = re.compile(r"^more: --after (\S+)$", re.M)


def test_deal_list_pages_with_after_and_all(ready: Run) -> None:
    whole = [d["id"] for d in ok_json(ready("deal", "list", "--limit", "500", "--json"))]
    assert len(whole) >= 5
    first = ready("deal", "list", "--limit", "2", "--json")
    assert [d["id"] for d in ok_json(first)] == whole[:2]
    after = MORE.search(first.stderr)
    assert after is not None, first.stderr
    second = ready("deal", "list", "--limit", "2", "--after", after[1], "--json")
    assert [d["id"] for d in ok_json(second)] == whole[2:4]
    every = ready("deal", "list", "--limit", "2", "--all", "--json")
    assert [d["id"] for d in ok_json(every)] == whole
    assert "more:" not in every.stderr
    lines = ready("deal", "list", "--limit", "2", "--all")
    assert lines.exit_code == 0 and len(lines.stdout.splitlines()) == len(whole)


def test_a_bad_after_is_one_error_line_naming_cursor(ready: Run) -> None:
    assert_error(ready("deal", "list", "--after", "not-ours"), "cursor")
    assert_error(ready("task", "list", "--after", "bm90LW91cnM"), "cursor")
