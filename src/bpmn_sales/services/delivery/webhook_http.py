"""Posting a signed webhook: the HMAC signature, the headers, one HTTP request (http.client)
to the address `outbound.check` allowed."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import ssl
from collections.abc import Iterable

from bpmn_sales.i18n import _
from bpmn_sales.services.delivery import outbound
from bpmn_sales.services.delivery.outbound import Target

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


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to the checked address, speaking to the URL's host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """The same over TLS: the certificate is checked against the host name, not the address."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=_tls)
        self.address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = _tls.wrap_socket(sock, server_hostname=self.host)


_tls = ssl.create_default_context()


def post(
    url: str, raw: bytes, sent_headers: dict[str, str], timeout: float, allow: Iterable[str] = ()
) -> int:
    """POST the body to a public address (or one `allow` names); the HTTP status if it is 2xx,
    else WebhookFailed saying what happened. Redirects are reported, never followed."""
    try:
        target = outbound.check(url, allow)
    except outbound.Unreachable as exc:
        raise WebhookFailed(str(exc)) from None
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target, timeout)
    try:
        connection.request("POST", target.path, body=raw, headers=sent_headers)
        response = connection.getresponse()
        status, location = response.status, response.getheader("Location")
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookFailed(
            _("could not reach %(url)s: %(reason)s", url=url, reason=_reason(exc))
        ) from None
    finally:
        connection.close()
    if 300 <= status < 400:
        where = location or "?"
        raise WebhookFailed(
            _(
                "HTTP %(status)s: redirected to %(where)s; redirects are not followed",
                status=status,
                where=where,
            ),
            status,
        )
    if not 200 <= status < 300:
        # The reply's body is never read back: it could carry whatever the receiver holds.
        raise WebhookFailed(
            f"HTTP {status} {http.client.responses.get(status, '')}".strip(), status
        )
    return status


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return _("no answer in time")
    if isinstance(exc, ssl.SSLError):
        return _("TLS failed (%(reason)s)", reason=exc.reason or exc)
    return str(getattr(exc, "strerror", None) or exc)
