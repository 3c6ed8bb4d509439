"""The CLI tests' runner, and their assertions: a clean JSON success, a one-line error (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from click.testing import CliRunner, Result

from bpmn_sales.cli import main

Run = Callable[..., Result]
# The commands that set up the CLI's demo database.
DEMO: tuple[tuple[str, ...], ...] = (("init",), ("demo",))


class Cli:
    """`cli(*args, user=..., stdin=..., env=...)`: `bpmn-sales` on one database, in process.

    `user` (default: the runner's, else the CLI's own default) is passed as `--as`; `env` adds
    to the runner's environment.
    """

    def __init__(
        self, database_url: str, user: str | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.database_url = database_url
        self.user = user
        self.env = env or {}
        self.runner = CliRunner()

    def __call__(
        self,
        *args: str,
        user: str | None = None,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
    ) -> Result:
        who = user or self.user
        argv = ["--database-url", self.database_url, *(["--as", who] if who else []), *args]
        environment = {**self.env, **(env or {})}
        return self.runner.invoke(
            main, argv, input=stdin, env=environment or None, catch_exceptions=False
        )


CliOn = Callable[..., Cli]


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def assert_error(result: Result, *needles: str) -> str:
    """Exit 2, exactly one line on stderr starting `error:`, no traceback anywhere."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]
