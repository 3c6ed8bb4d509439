"""CLI fixtures: `run` on a fresh SQLite file, `ready` on a copy of the CLI's own demo.

The CLI tests run on the real clock, as the CLI does. A database the CLI sets up (`init`,
`demo`, ...) is built by those same commands once per session, the first time a test asks for
it, and each test gets a copy of the file (tests/databases.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.cli_checks import DEMO, Cli, CliOn
from tests.databases import snapshot_sqlite, sqlite_path

Setup = tuple[tuple[str, ...], ...]


class CliTemplates:
    """Databases set up by CLI commands, each built once, copied for every test that asks."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built: dict[tuple[Setup, str | None], Path] = {}

    def path(self, setup: Setup, user: str | None) -> Path:
        key = (setup, user)
        if key not in self.built:
            number = len(self.built)
            work = self.folder / f"{number}.build.sqlite3"
            cli = Cli(f"sqlite:///{work}", user)
            for args in setup:
                result = cli(*args)
                assert result.exit_code == 0, (args, result.output)
            self.built[key] = self.folder / f"{number}.sqlite3"
            snapshot_sqlite(work, self.built[key])
        return self.built[key]


@pytest.fixture(scope="session")
def cli_templates(tmp_path_factory: pytest.TempPathFactory) -> CliTemplates:
    return CliTemplates(tmp_path_factory.mktemp("cli-templates"))


@pytest.fixture
def cli_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


@pytest.fixture
def run(cli_url: str) -> Cli:
    """`run(*args, user=...)` against a fresh, empty database."""
    return Cli(cli_url)


@pytest.fixture
def cli_on(cli_url: str, cli_templates: CliTemplates) -> CliOn:
    """`cli_on(("init",), ("demo",), user=None, env=None)`: a CLI on a database those commands
    set up (run as `user`), as a copy of the session's; the CLI runs as `user` too."""

    def make(
        *setup: tuple[str, ...], user: str | None = None, env: dict[str, str] | None = None
    ) -> Cli:
        target = sqlite_path(cli_url)
        assert not target.exists(), f"{target} exists: one database per test"
        shutil.copyfile(cli_templates.path(setup, user), target)
        return Cli(cli_url, user, env)

    return make


@pytest.fixture
def ready(cli_on: CliOn) -> Cli:
    """An initialised database with the demo teams: mia's (rob, sara) and omar's (olga)."""
    return cli_on(*DEMO)
