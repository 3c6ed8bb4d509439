"""Use cases for webhooks (admins): add, list, change, remove, send a test ping."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import InvalidInput, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Webhook
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.delivery import outbound
from bpmn_sales.services.delivery.webhook_events import DEFAULT_EVENTS, EVENT_NAME
from bpmn_sales.services.delivery.webhook_http import (
    SCHEMES,
    WEBHOOK_TIMEOUT,
    WebhookFailed,
    headers,
    post,
)

MIN_SECRET = 16


@dataclass(frozen=True)
class WebhookView:
    id: int
    url: str
    events: list[str]
    enabled: bool
    description: str | None
    secret_hint: str
    created_at: str
    created_by: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _view(store: Store, hook: Webhook) -> WebhookView:
    names = store.usernames([hook.created_by_id])
    return WebhookView(
        id=hook.id,
        url=hook.url,
        events=list(hook.events or ()),
        enabled=hook.enabled,
        description=hook.description,
        secret_hint="…" + hook.secret[-4:],
        created_at=hook.created_at.isoformat(),
        created_by=names.get(hook.created_by_id) if hook.created_by_id else None,
    )


def check_url(value: object, allow: tuple[str, ...] = ()) -> str:
    """An absolute http(s) URL with a public host (or one OUTBOUND_ALLOW names); anything
    else is refused when configured (and every request checks again)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(_("url is required: the http(s) address to post events to"), field="url")
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise InvalidInput(
            _("url %(url)s must start with http:// or https://", url=repr(url)), field="url"
        )
    if not parts.hostname or any(c.isspace() for c in url):
        raise InvalidInput(
            _("url %(url)s is not a valid address (no host)", url=repr(url)), field="url"
        )
    if len(url) > 500:
        raise InvalidInput(_("url is longer than 500 characters"), field="url")
    try:
        outbound.refuse_local(url, allow)
    except outbound.Unreachable as exc:
        raise InvalidInput(
            _("url %(url)s is refused: %(reason)s", url=repr(url), reason=exc), field="url"
        ) from None
    return url


def check_events(value: object) -> list[str]:
    if value is None:
        return list(DEFAULT_EVENTS)
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidInput(_("events must be a list of event names"), field="events")
    events = [n.strip() for n in names if n.strip()]
    if not events:
        raise InvalidInput(_("events must name at least one event, e.g. deal.*"), field="events")
    for name in events:
        if not EVENT_NAME.match(name):
            raise InvalidInput(
                _(
                    "event %(event)s is not an event name: use deal.<action>, deal.* or *",
                    event=repr(name),
                ),
                field="events",
            )
    return sorted(set(events))


def _check_secret(value: object) -> str:
    if value is None or value == "":
        return secrets.token_urlsafe(32)
    if not isinstance(value, str) or not value.isprintable() or len(value) > 200:
        raise InvalidInput(_("secret must be printable text of at most 200 characters"), "secret")
    if len(value) < MIN_SECRET:
        raise InvalidInput(
            _("secret must have at least %(least)s characters", least=MIN_SECRET), field="secret"
        )
    return value


def _text(value: object, field: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value) > 200:
        raise InvalidInput(
            _("%(field)s must be text of at most 200 characters", field=field), field=field
        )
    return value.strip()


def _check_enabled(value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidInput(_("enabled must be true or false"), field="enabled")


def _get(store: Store, webhook_id: int) -> Webhook:
    hook = store.webhook(webhook_id)
    if hook is None:
        raise NotFound(_("webhook %(webhook)s does not exist", webhook=webhook_id), id=webhook_id)
    return hook


def list_webhooks(ctx: Context, actor: Actor) -> list[WebhookView]:
    require_admin(actor, _("see webhooks"))
    with ctx.uow() as store:
        return [_view(store, h) for h in store.webhooks()]


def add_webhook(
    ctx: Context,
    actor: Actor,
    url: object,
    events: object = None,
    secret: object = None,
    description: object = None,
    enabled: object = True,
) -> tuple[WebhookView, str]:
    """Subscribe a URL to deal events; returns the webhook and its signing secret."""
    require_admin(actor, _("add webhooks"))
    _check_enabled(enabled)
    hook = Webhook(
        url=check_url(url, ctx.outbound_allow),
        events=check_events(events),
        secret=_check_secret(secret),
        description=_text(description, "description"),
        enabled=enabled is not False,
        created_by_id=actor.id,
        created_at=ctx.clock(),
    )
    with ctx.uow() as store:
        store.add(hook)
        store.flush()
        view = _view(store, hook)
        store.commit()
        return view, hook.secret


def update_webhook(
    ctx: Context,
    actor: Actor,
    webhook_id: int,
    url: object = None,
    events: object = None,
    enabled: object = None,
    description: object = None,
) -> WebhookView:
    """Change what is given: the URL, the events, enabled, the description."""
    require_admin(actor, _("change webhooks"))
    if enabled is not None:
        _check_enabled(enabled)
    with ctx.uow() as store:
        hook = _get(store, webhook_id)
        if url is not None:
            hook.url = check_url(url, ctx.outbound_allow)
        if events is not None:
            hook.events = check_events(events)
        if enabled is not None:
            hook.enabled = enabled is True
        if description is not None:
            hook.description = _text(description, "description")
        view = _view(store, hook)
        store.commit()
        return view


def remove_webhook(ctx: Context, actor: Actor, webhook_id: int) -> int:
    """Delete a webhook; its pending messages fail (and show why). Returns how many."""
    require_admin(actor, _("remove webhooks"))
    with ctx.uow() as store:
        hook = _get(store, webhook_id)
        failed = store.fail_webhook_messages(
            hook.id, _("webhook %(webhook)s was removed", webhook=hook.id)
        )
        store.session.delete(hook)
        store.commit()
        return failed


def ping_webhook(ctx: Context, actor: Actor, webhook_id: int) -> dict[str, Any]:
    """Post a signed `ping` to the webhook now (not through the outbox) and say how it went:
    the HTTP status and how long it took, never what the receiver answered."""
    require_admin(actor, _("test webhooks"))
    with ctx.uow() as store:
        hook = _get(store, webhook_id)
        url, secret = hook.url, hook.secret
    now = ctx.clock()
    delivery = f"ping-{webhook_id}-{int(now.timestamp())}"
    data = {"event": "ping", "delivery_id": delivery, "sent_at": now.isoformat()}
    raw = json.dumps(data, sort_keys=True).encode()
    sent = headers(secret, raw, "ping", delivery, int(now.timestamp()))
    started = time.perf_counter()
    try:
        status = post(url, raw, sent, WEBHOOK_TIMEOUT, ctx.outbound_allow)
    except WebhookFailed as exc:
        elapsed = round((time.perf_counter() - started) * 1000)
        return {"ok": False, "status": exc.status, "error": str(exc), "elapsed_ms": elapsed}
    elapsed = round((time.perf_counter() - started) * 1000)
    return {"ok": True, "status": status, "error": None, "elapsed_ms": elapsed}
