"""A new user's first commands: where the database is, a missing one, the first admin, pipes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bpmn_sales.context import Context
from bpmn_sales.services.people import sessions, users
from tests.cli.cli_checks import DEMO, Cli, CliOn, Run, assert_error, ok_json

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE = REPO / "var" / "bpmn-sales.sqlite3"
BIN = Path(sys.executable).parent


def cli_process(
    *args: str, cwd: Path, env: dict[str, str], stdout: int | None = None
) -> tuple[int, str, str]:
    """`bpmn-sales ARGS` as a process of its own: (exit code, stdout, stderr)."""
    done = subprocess.run(
        [str(BIN / "bpmn-sales"), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE if stdout is None else stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def plain_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BPMN_SALES_USER")}
    return {**env, **extra}


def test_a_missing_database_is_refused_in_one_line_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "sales.sqlite3"
    run = Cli(f"sqlite:///{missing}")
    for args in (("deal", "list"), ("processes",), ("demo",), ("serve",), ("user", "list")):
        assert_error(run(*args), f"no database at {missing}; run 'bpmn-sales init'")
    assert not missing.parent.exists()


def test_a_database_without_tables_is_refused_too(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    assert_error(
        Cli(f"sqlite:///{empty}")("deal", "list"), f"no database at {empty}", "bpmn-sales init"
    )


def test_lint_needs_no_database_and_makes_none(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "sales.sqlite3"
    result = Cli(f"sqlite:///{missing}")("lint", str(REPO / "bpmn" / "sales_process.bpmn"))
    assert result.exit_code == 0, result.output
    assert not missing.parent.exists()


def test_from_outside_the_checkout_the_cli_uses_the_checkouts_database(tmp_path: Path) -> None:
    """The default database is found from the package, not from where the command runs: it
    is used if it exists, else named in one `error:` line; nothing is created either way."""
    existed = DEFAULT_DATABASE.exists()
    code, _, err = cli_process("deal", "list", cwd=tmp_path, env=plain_env())
    if existed:
        assert code == 0, err
    else:
        assert code == 2
        assert err.splitlines() == [
            f"error: no database at {DEFAULT_DATABASE}; run 'bpmn-sales init'"
        ]
    assert list(tmp_path.iterdir()) == []
    assert DEFAULT_DATABASE.exists() == existed


def test_help_names_the_default_database(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert str(DEFAULT_DATABASE) in result.stdout


def test_init_says_how_to_get_a_first_user(run: Run) -> None:
    result = run("init")
    assert result.exit_code == 0, result.output
    assert "no users yet: `bpmn-sales init --admin NAME` creates an admin" in result.stderr
    assert run("demo").exit_code == 0
    assert "no users yet" not in run("init").stderr


def test_init_admin_creates_an_admin_who_can_sign_in_and_use_the_api(
    run: Run, cli_url: str
) -> None:
    result = run("init", "--admin", "ada")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "created admin ada; these are shown once:" in lines
    password = next(line.split()[2] for line in lines if line.startswith("  web password"))
    token = next(line.split()[2] for line in lines if line.startswith("  API token"))
    assert "export BPMN_SALES_USER=ada" in result.stderr
    ctx = Context(cli_url)
    try:
        assert sessions.sign_in(ctx, "ada", password, "127.0.0.1").username == "ada"
        assert users.actor_for_token(ctx, token).role == "admin"
    finally:
        ctx.close()
    assert [u["username"] for u in ok_json(run("user", "list", "--json", user="ada"))] == ["ada"]
    assert_error(run("init", "--admin", "ada"), "user 'ada' already exists")


def test_init_admin_refuses_a_bad_name_before_creating_anyone(run: Run) -> None:
    assert_error(run("init", "--admin", "Ada Lovelace"), "username must be")
    assert "no users yet" in run("init").stderr


@pytest.mark.parametrize(
    "args", [("--help",), ("deal", "--help"), ("deal", "list"), ("deal", "list", "--json")]
)
def test_a_closed_pipe_ends_the_cli_quietly_with_exit_0(
    args: tuple[str, ...], cli_on: CliOn, tmp_path: Path
) -> None:
    """`bpmn-sales deal list | head -1`: the reader is gone before we write."""
    database = cli_on(*DEMO).database_url
    reader, writer = os.pipe()
    os.close(reader)
    try:
        code, _, err = cli_process(
            *args, cwd=tmp_path, env=plain_env(DATABASE_URL=database), stdout=writer
        )
    finally:
        os.close(writer)
    assert (code, err) == (0, "")
