"""The command group, its shared options and the edge that turns errors into exit codes."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import SalesError
from bpmn_sales.services.people import users
from bpmn_sales.settings import Settings
from bpmn_sales.settings import database_url as checked_database_url

F = TypeVar("F", bound=Callable[..., Any])


class State:
    def __init__(self, settings: Settings, username: str) -> None:
        self.settings = settings
        self.database_url = settings.database_url
        self.username = username
        self._ctx: Context | None = None

    @property
    def ctx(self) -> Context:
        if self._ctx is None:
            self._ctx = Context(self.database_url, settings=self.settings)
        return self._ctx

    def actor(self) -> Actor:
        return users.actor_for_username(self.ctx, self.username)

    def close(self) -> None:
        """Release the database connections, once the command is done."""
        if self._ctx is not None:
            self._ctx.close()
            self._ctx = None


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def handled(func: F) -> F:
    """Turn our errors into one line on stderr and exit code 2; never print a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SalesError as exc:
            fail(exc.message)
        except Exception as exc:  # the last line of defence: one line, exit 1
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def emit(value: Any, as_json: bool, lines: Iterable[str]) -> None:
    if as_json:
        click.echo(json.dumps(value, indent=2, default=str))
    else:
        for line in lines:
            click.echo(line)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
pass_state = click.make_pass_decorator(State)


@click.group()
@click.option(
    "--database-url",
    default=None,
    show_default="$DATABASE_URL or sqlite:///var/bpmn-sales.sqlite3",
    help="SQLAlchemy URL of the database.",
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
    """bpmn-sales: sales processes authored as BPMN 2.0 and run by SpiffWorkflow."""
    try:
        settings = Settings.from_env()
        if database_url:
            settings = dataclasses.replace(
                settings, database_url=checked_database_url(database_url)
            )
    except SalesError as exc:
        fail(exc.message)
    click_ctx.obj = State(settings, username)
    click_ctx.call_on_close(click_ctx.obj.close)
