"""Paged lists over HTTP: the body stays a JSON array of the page's items; where the other
pages are and how long the list is travel in headers.

- `Link: <...&cursor=X>; rel="next", <...&cursor=Y>; rel="prev"` (RFC 8288), each present when
  there is such a page, with the request's other parameters kept;
- `X-Next-Cursor: X`, the next page's cursor alone (absent on the last page);
- `X-Total-Count: 57`, or `1000+` when the list is longer than is worth counting.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request

from bpmn_sales.domain.paging import COUNT_CAP, Page
from bpmn_sales.web.api.operation import Answer

PAGE_HEADERS = {
    "Link": {
        "description": 'The other pages: <url>; rel="next" and <url>; rel="prev" (RFC 8288), '
        "each present when there is such a page",
        "schema": {"type": "string"},
    },
    "X-Next-Cursor": {
        "description": "The cursor of the next page (send it as `cursor`); absent on the last",
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": f"How many the whole list holds with these filters, or '{COUNT_CAP}+' "
        f"when it holds more than {COUNT_CAP}",
        "schema": {"type": "string", "pattern": r"^[0-9]+\+?$"},
        "required": True,
    },
}


def page_of(body: Any, description: str = "A page of the list") -> Answer:
    """A documented answer whose body is a page and whose headers say where the others are."""
    return Answer(body, headers=PAGE_HEADERS, description=description)


def paged(page: Page[Any], body: Any = None) -> Response:
    """The page as JSON (`body`, default: its items) with the paging headers."""
    response = jsonify(list(page) if body is None else body)
    links = []
    if page.next:
        links.append(f'<{_url(page.next)}>; rel="next"')
        response.headers["X-Next-Cursor"] = page.next
    if page.previous:
        links.append(f'<{_url(page.previous)}>; rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)
    response.headers["X-Total-Count"] = page.total_header
    return response


def _url(cursor: str) -> str:
    """This request's URL with another cursor (the filters, order and limit kept)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    return f"{request.base_url}?{urlencode([*args, ('cursor', cursor)])}"
