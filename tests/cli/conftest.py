"""The CLI tests' `ready` fixture: a fresh SQLite database with the demo loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bpmn_sales.cli import main
from tests.cli.cli_checks import Run


@pytest.fixture
def ready(tmp_path: Path) -> Run:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    runner = CliRunner()

    def invoke(*args: str, user: str | None = None) -> Result:
        argv = ["--database-url", url, *(["--as", user] if user else [])]
        return runner.invoke(main, [*argv, *args], catch_exceptions=False)

    assert invoke("init").exit_code == 0
    assert invoke("demo").exit_code == 0
    return invoke
