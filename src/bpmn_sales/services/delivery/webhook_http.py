"""Posting a signed webhook: the HMAC signature, the headers, one HTTP request (urllib)."""

from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.request
from email.message import Message
from typing import IO, Any
from urllib.parse import urlsplit

WEBHOOK_TIMEOUT = 10.0
USER_AGENT = "bpmn-sales-webhooks/1"
SCHEMES = ("http", "https")


class WebhookFailed(Exception):
    """The receiver did not take the delivery; `status` is its HTTP status, if it answered."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def signature(secret: str, raw: bytes) -> str:
    """`sha256=<hex>`: the HMAC-SHA256 of the raw request body, keyed with the secret."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def headers(secret: str, raw: bytes, event: str, delivery: str, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-BpmnSales-Event": event,
        "X-BpmnSales-Delivery": delivery,
        "X-BpmnSales-Timestamp": str(timestamp),
        "X-BpmnSales-Signature": signature(secret, raw),
    }


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is reported, never followed (a POST would turn into a body-less GET)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, raw: bytes, sent_headers: dict[str, str], timeout: float) -> int:
    """POST the body; the HTTP status if it is 2xx, else WebhookFailed saying what happened."""
    if urlsplit(url).scheme not in SCHEMES:
        raise WebhookFailed(f"{url!r} is not an http(s) URL")
    # The scheme is checked above (and when the webhook is configured): http(s) only.
    request = urllib.request.Request(url, raw, sent_headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        raise WebhookFailed(_http_error(exc), exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason: Any = getattr(exc, "reason", exc)
        raise WebhookFailed(f"could not reach {url}: {reason}") from None
    if not 200 <= status < 300:
        raise WebhookFailed(f"HTTP {status} from {url}", status)
    return status


def _http_error(exc: urllib.error.HTTPError) -> str:
    if 300 <= exc.code < 400:
        where = exc.headers.get("Location", "?")
        return f"HTTP {exc.code}: redirected to {where}; redirects are not followed"
    try:
        text = exc.read(300).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    finally:
        exc.close()
    return f"HTTP {exc.code} {exc.reason}" + (f": {text}" if text else "")
