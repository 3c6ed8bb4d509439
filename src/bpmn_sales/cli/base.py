"""The command group, its shared options and the edge that turns errors into exit codes.

The group imports a verb's module only when that verb runs (`LazyGroup`), and this module
imports neither the engine nor the database: `bpmn-sales --help` answers without loading
SpiffWorkflow, SQLAlchemy or Flask, and each verb loads only what it uses.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from bpmn_sales.domain import exact_json
from bpmn_sales.errors import SalesError
from bpmn_sales.i18n import set_language
from bpmn_sales.settings import (
    Settings,
    default_database_url,
    sqlite_file,
    without_password,
)
from bpmn_sales.settings import database_url as checked_database_url

if TYPE_CHECKING:
    from bpmn_sales.context import Context
    from bpmn_sales.domain.model import Actor

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """What every verb shares: the settings, the user it acts as, and the database."""

    def __init__(self, settings: Settings, username: str) -> None:
        self.settings = settings
        self.database_url = settings.database_url
        self.username = username
        self._ctx: Context | None = None

    @property
    def ctx(self) -> Context:
        """The database `init` made; NoDatabase (nothing created) when it is missing."""
        if self._ctx is None:
            from bpmn_sales.context import open_existing

            self._ctx = open_existing(self.database_url, self.settings)
        return self._ctx

    def require_database(self) -> None:
        """Refuse now (NoDatabase) a database `init` has not made."""
        _ = self.ctx

    def where(self) -> str:
        """The database, for a message: its file, or its URL without the password."""
        path = sqlite_file(self.database_url)
        return str(path.resolve()) if path is not None else without_password(self.database_url)

    def new_ctx(self) -> Context:
        """The database, created and migrated if need be (what `init` does)."""
        from bpmn_sales.context import Context

        self.close()
        self._ctx = Context(self.database_url, settings=self.settings)
        self._ctx.migrate()
        return self._ctx

    def offline_ctx(self) -> Context:
        """A Context for verbs that never touch the database (lint); it connects to nothing."""
        from bpmn_sales.context import Context

        if self._ctx is None:
            self._ctx = Context(self.database_url, settings=self.settings)
        return self._ctx

    def actor(self) -> Actor:
        from bpmn_sales.services.people import users

        return users.actor_for_username(self.ctx, self.username)

    def close(self) -> None:
        """Release the database connections, once the command is done."""
        if self._ctx is not None:
            self._ctx.close()
            self._ctx = None


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def closed_pipe() -> NoReturn:
    """Exit 0 without a word: whoever read our output (`| head -1`) has all it wanted."""
    try:
        # Python flushes stdout once more at exit; point it at /dev/null so that is quiet too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (an in-process test runner)
        pass
    sys.exit(0)


def handled(func: F) -> F:
    """Turn our errors into one line on stderr and exit code 2; never print a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SalesError as exc:
            fail(exc.message)
        except BrokenPipeError:
            closed_pipe()
        except Exception as exc:  # the last line of defence: one line, exit 1
            first = (str(exc).strip().splitlines() or [""])[0]
            click.echo(f"internal error: {type(exc).__name__}: {first}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def emit(value: Any, as_json: bool, lines: Iterable[str]) -> None:
    if as_json:
        click.echo(exact_json.dumps(value, indent=2))
    else:
        for line in lines:
            click.echo(line)


class LazyGroup(click.Group):
    """A group whose verbs are declared by module and one-line help, and imported on use.

    `lazy(name, modules, help)` declares a verb; the modules (which register it on this group
    with `@main.command`/`@main.group`) are imported when the verb runs or asks for --help.
    The group's own --help lists the verbs from their declared help, importing nothing.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.declared: dict[str, tuple[tuple[str, ...], str]] = {}

    def lazy(self, name: str, modules: Sequence[str], short_help: str) -> None:
        self.declared[name] = (tuple(modules), short_help)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.declared})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        # Every module of the verb, even if one is already in: another verb's module may have
        # registered the group without the subcommands a second module adds to it.
        for module in self.declared.get(cmd_name, ((), ""))[0]:
            importlib.import_module(module)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.declared:
                # Shortened the way click shortens a command's own help.
                text = click.Command(name, help=self.declared[name][1]).get_short_help_str(limit)
            elif not self.commands[name].hidden:
                text = self.commands[name].get_short_help_str(limit)
            else:
                continue
            rows.append((name, text))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:  # --help is printed while the arguments are parsed
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:
            closed_pipe()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            closed_pipe()


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
pass_state = click.make_pass_decorator(State)


# `\b` keeps click from rewrapping (and breaking) the path.
DATABASE_EPILOG = (
    "\b\nThe database when neither --database-url nor DATABASE_URL is given (SQLite):\n"
    f"  {sqlite_file(default_database_url(os.environ))}"
)


@click.group(cls=LazyGroup, epilog=DATABASE_EPILOG)
@click.option(
    "--database-url",
    default=None,
    help="SQLAlchemy URL of the database (default: $DATABASE_URL, else the file below).",
)
@click.option(
    "--as",
    "username",
    default=lambda: os.environ.get("BPMN_SALES_USER", "admin"),
    show_default="$BPMN_SALES_USER or admin",
    help="User the lifecycle verbs act as.",
)
@click.version_option(package_name="bpmn-sales")
@click.pass_context
def main(click_ctx: click.Context, database_url: str | None, username: str) -> None:
    """bpmn-sales: sales processes authored as BPMN 2.0 and run by SpiffWorkflow.

    Start with `bpmn-sales init --admin NAME` (or `init` and `demo` for the demo team).
    """
    try:
        settings = Settings.from_env()
        if database_url:
            settings = dataclasses.replace(
                settings, database_url=checked_database_url(database_url)
            )
    except SalesError as exc:
        fail(exc.message)
    # The language of what the CLI prints: BPMN_SALES_LANGUAGE, else the locale's (LANG).
    set_language(os.environ.get("BPMN_SALES_LANGUAGE") or os.environ.get("LANG"))
    click_ctx.obj = State(settings, username)
    click_ctx.call_on_close(click_ctx.obj.close)
