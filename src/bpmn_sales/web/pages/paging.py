"""Paged lists on the pages: links to the other pages keep the page's filters and order."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from flask import Flask, request

from bpmn_sales.domain.model import HistoryView
from bpmn_sales.domain.paging import Page, count_text
from bpmn_sales.errors import InvalidInput

HISTORY_LIMIT = 50  # entries of a record's history on its page


def page_url(cursor: str | None, param: str = "cursor", path: str | None = None) -> str:
    """This page's URL (or `path`'s: a form posted elsewhere shows it) with another cursor
    in `param` (None: the first page); the other parameters are kept."""
    base = path or request.path
    kept = request.args.items(multi=True) if base == request.path else ()
    args = [(k, v) for k, v in kept if k != param and v != ""]
    if cursor:
        args.append((param, cursor))
    return base + (f"?{urlencode(args)}" if args else "")


def cursor_arg(param: str = "cursor") -> str | None:
    """The cursor a page link carries (None: the first page)."""
    return request.args.get(param) or None


def history_page(
    read: Callable[[str | None], Page[HistoryView]],
) -> tuple[Page[HistoryView], dict[str, str]]:
    """A record page's history (its cursor is `history`); a bad cursor shows the first page,
    with the error beside the history's pager."""
    try:
        return read(cursor_arg("history")), {}
    except InvalidInput as error:
        if error.field != "cursor":
            raise
        return read(None), {"history": error.message}


def register(app: Flask) -> None:
    app.add_template_global(page_url)
    app.add_template_filter(count_text)
