"""The CLI loads a verb's module only when that verb runs; `--help` loads no engine or database."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import click

import bpmn_sales.cli
from bpmn_sales.cli import main

HEAVY = ("SpiffWorkflow", "sqlalchemy", "alembic", "flask", "lxml", "pydantic", "jinja2")
BIN = Path(sys.executable).parent


def loaded_after(code: str) -> list[str]:
    """The heavy libraries a fresh interpreter has imported after running `code`."""
    probe = (
        "import sys, json\n"
        f"{code}\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return loaded


def test_importing_the_cli_loads_no_engine_database_or_web_framework() -> None:
    assert loaded_after("import bpmn_sales.cli") == []


def running(*args: str) -> str:
    """Code that runs `bpmn-sales ARGS` in process and checks it exits 0."""
    return (
        "from bpmn_sales.cli import main\n"
        f"try:\n    main({list(args)!r})\n"
        "except SystemExit as done:\n    assert done.code == 0, done.code\n"
    )


def test_help_loads_none_of_them_either() -> None:
    assert loaded_after(running("--help")) == []


def test_a_verb_loads_only_what_it_uses() -> None:
    # the lifecycle verbs need the engine and the database, never the web framework, nor
    # Alembic (only init migrates)
    loaded = loaded_after(running("deal", "list", "--help"))
    assert "SpiffWorkflow" in loaded
    assert "sqlalchemy" in loaded
    assert "flask" not in loaded
    assert "alembic" not in loaded


def cli_modules() -> list[str]:
    return [f"bpmn_sales.cli.{m.name}" for m in pkgutil.iter_modules(bpmn_sales.cli.__path__)]


def defined_in(command: click.Command) -> set[str]:
    """The modules whose functions make up a command and all its subcommands."""
    found = {command.callback.__module__} if command.callback else set()
    for sub in getattr(command, "commands", {}).values():
        found |= defined_in(sub)
    return found


def test_the_verb_table_matches_what_the_modules_define() -> None:
    """A verb added, renamed or extended from another module must be declared in
    src/bpmn_sales/cli/__init__.py with its modules and its one-line help."""
    for module in cli_modules():
        importlib.import_module(module)
    ctx = click.Context(main)
    assert set(main.commands) == set(main.declared), "declare every verb in cli/__init__.py"
    for name, command in main.commands.items():
        modules, short_help = main.declared[name]
        missing = defined_in(command) - set(modules)
        assert not missing, f"verb {name!r} is also defined in {sorted(missing)}: declare it"
        assert short_help == command.get_short_help_str(limit=1000), name
        assert main.get_command(ctx, name) is command


def test_a_verb_split_over_two_modules_has_all_its_subcommands_when_run() -> None:
    # `deal message` lives in worker.py, `process versions` in library.py
    for verb, sub in (("deal", "message"), ("process", "versions")):
        done = subprocess.run(
            [str(BIN / "bpmn-sales"), verb, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert f"  {sub} " in done.stdout, done.stdout
