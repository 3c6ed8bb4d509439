"""Paged lists at the command line: `--limit N` rows a page, `--after CURSOR` to go on from
where a page ended (printed on stderr as `more: --after ...`), `--all` to print every page, one
after the other as they are read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from bpmn_sales.domain import exact_json
from bpmn_sales.domain.paging import MAX_LIMIT, Page

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def paged_options(default: int = 100) -> Callable[[F], F]:
    """Add --limit, --after and --all to a list verb (as `limit`, `after` and `every`)."""

    def add(func: F) -> F:
        func = click.option(
            "--all", "every", is_flag=True, help="Print every page (read one after the other)."
        )(func)
        func = click.option(
            "--after", default=None, help="Go on after this cursor (printed after a page)."
        )(func)
        return click.option(
            "--limit",
            type=click.IntRange(1, MAX_LIMIT),
            default=default,
            show_default=True,
            help="Rows a page.",
        )(func)

    return add


def emit_pages(
    read: Callable[[str | None], Page[T]],
    after: str | None,
    every: bool,
    as_json: bool,
    to_dict: Callable[[T], Any],
    line: Callable[[T], str],
) -> None:
    """Print a page (or, with `every`, all pages from `after`) as lines or one JSON array."""
    page = read(after)
    first = True
    if as_json:
        click.echo("[", nl=False)
    while True:
        for item in page:
            if as_json:
                text = exact_json.dumps(to_dict(item), indent=2)
                click.echo(("\n" if first else ",\n") + text, nl=False)
            else:
                click.echo(line(item))
            first = False
        if not (every and page.next):
            break
        page = read(page.next)
    if as_json:
        click.echo("\n]" if not first else "]")
    if page.next and not every:
        click.echo(f"more: --after {page.next}", err=True)
