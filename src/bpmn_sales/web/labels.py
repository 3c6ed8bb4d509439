"""The words the pages show for the codes they display: statuses, roles, kinds, actions.

The codes stay what they are in the data, the API and the CSS classes (`badge-won`); only the
word a person reads is translated, in the language in force, when the page is rendered
(`{{ deal.status|label('status') }}`). A code without a word here is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from jinja2 import pass_context

from bpmn_sales.domain.rules import humanise
from bpmn_sales.i18n import gettext as _
from bpmn_sales.i18n import pgettext


def _status() -> dict[str, str]:
    return {
        "open": pgettext("status", "open"),
        "won": pgettext("status", "won"),
        "lost": pgettext("status", "lost"),
        "invalid": pgettext("status", "invalid"),
        "new": pgettext("status", "new"),
        "qualified": pgettext("status", "qualified"),
        "disqualified": pgettext("status", "disqualified"),
        "pending": pgettext("status", "pending"),
        "sending": pgettext("status", "sending"),
        "sent": pgettext("status", "sent"),
        "failed": pgettext("status", "failed"),
        "approved": pgettext("status", "approved"),
        "rejected": pgettext("status", "rejected"),
        "approve": pgettext("status", "approved"),
        "reject": pgettext("status", "rejected"),
        "done": pgettext("status", "done"),
        "draft": pgettext("status", "draft"),
        "deployed": pgettext("status", "deployed"),
        "enabled": pgettext("status", "enabled"),
        "disabled": pgettext("status", "disabled"),
    }


def _role() -> dict[str, str]:
    return {
        "rep": _("sales rep"),
        "manager": _("manager"),
        "admin": _("admin"),
    }


def _kind() -> dict[str, str]:
    return {
        "task": pgettext("task kind", "task"),
        "approval": pgettext("task kind", "approval"),
        "follow_up": pgettext("task kind", "follow-up"),
    }


def _subject() -> dict[str, str]:
    return {"deal": _("deal"), "lead": _("lead")}


def _action() -> dict[str, str]:
    return {
        "created": _("created"),
        "updated": _("fields changed"),
        "moved": _("moved"),
        "closed": _("closed"),
        "reopened": _("reopened"),
        "renewed": _("renewed"),
        "qualified": _("qualified"),
        "disqualified": _("disqualified"),
        "task_completed": _("task completed"),
        "task_claimed": _("task claimed"),
        "timer_fired": _("timer fired"),
        "message": _("message received"),
        "note_added": _("note added"),
        "file_added": _("file added"),
        "contact_added": _("contact added"),
        "order_created": _("order created"),
        "follow_up_done": _("follow-up done"),
        "follow_ups_cancelled": _("follow-ups cancelled"),
    }


def _who() -> dict[str, str]:
    return {
        "anyone": _("anyone"),
        "owner": _("the owner"),
        "manager": _("a manager"),
        "direct_manager": _("the owner's manager"),
        "admin": _("an admin"),
    }


def _error() -> dict[str, str]:
    """The titles of the error page: our errors' codes and HTTP's reasons, as they come."""
    return {
        "Error": _("Error"),
        "Not found": _("Not found"),
        "Not Found": _("Not found"),
        "Invalid input": _("Invalid input"),
        "Bad Request": _("Invalid input"),
        "Invalid state": _("Invalid state"),
        "Conflict": _("Conflict"),
        "Forbidden": _("Forbidden"),
        "Unauthorized": _("Unauthorized"),
        "Rule violation": _("Rule violation"),
        "Diagram error": _("Diagram error"),
        "Unsafe expression": _("Unsafe expression"),
        "Storage unavailable": _("Storage unavailable"),
        "Invalid setting": _("Invalid setting"),
        "Too many attempts": _("Too many attempts"),
        "Too Many Requests": _("Too many attempts"),
        "Method Not Allowed": _("Method not allowed"),
        "Request Entity Too Large": _("Request too large"),
        "Internal error": _("Internal error"),
    }


_KINDS: dict[str, Callable[[], dict[str, str]]] = {
    "status": _status,
    "role": _role,
    "kind": _kind,
    "subject": _subject,
    "action": _action,
    "who": _who,
    "error": _error,
}


def _party(text: str) -> str | None:
    """Who a task or an activity is for, when it names a user or a group ("group:finance")."""
    kind, _colon, name = text.partition(":")
    if not name:
        return None
    if kind == "user":
        return name
    if kind == "group":
        return _("group %(name)s", name=name)
    return None


def label(code: object, kind: str = "status") -> str:
    """The word for `code` of `kind` in the language in force (the code itself if unknown).
    For `assignee` and `who`, "user:NAME" reads NAME and "group:NAME" reads "group NAME"."""
    text = "" if code is None else str(code)
    if kind in ("assignee", "who"):
        party = _party(text)
        if party is not None:
            return party
        if kind == "assignee":
            return text
    return _KINDS[kind]().get(text) or text.replace("_", " ")


def is_group_assignee(value: object) -> bool:
    """A task assigned to a group (its members may claim it)."""
    return isinstance(value, str) and value.startswith("group:")


def optional_stage(name: str) -> str:
    """A stage offered in a menu that the deal may skip."""
    return _("%(stage)s (optional)", stage=name)


def roles() -> list[tuple[str, str]]:
    """The roles a user may have, as (code, word) for a menu."""
    return [("rep", _("Sales rep")), ("manager", _("Manager")), ("admin", _("Admin"))]


def deal_sorts() -> list[tuple[str, str]]:
    """The orders of the deals list, as (code, word)."""
    return [
        ("newest", _("Newest")),
        ("value", _("Value")),
        ("close", _("Expected close")),
        ("name", _("Name")),
    ]


def lead_sorts() -> list[tuple[str, str]]:
    """The orders of the leads list, as (code, word)."""
    return [("newest", _("Newest")), ("value", _("Estimated value")), ("name", _("Name"))]


def process_label(item: Any) -> str:
    """A deal's or lead's process as people read it: its name; admins also see the version
    ("Sales process, version 2"), the key and number stay out of reps' and managers' sight."""
    from bpmn_sales.web.auth import current_actor  # the signed-in reader

    name = getattr(item, "process_name", "") or getattr(item, "process_key", "") or ""
    number = getattr(item, "process_version", 0)
    actor = current_actor()
    if actor is not None and actor.role == "admin" and number:
        return _("%(process)s, version %(num)s", process=name, num=number)
    return str(name)


def outcome_word(status: object, outcome_label: object) -> str | None:
    """The label a close gave the deal, when it says more than its status ("Lost" beside the
    "lost" badge says nothing more)."""
    if not outcome_label or status == "open":
        return None
    said = {str(status).casefold(), label(status).casefold()}
    text = str(outcome_label)
    return None if text.casefold() in said else text


def field_value(value: object) -> object:
    """A custom field's value as people read it: yes or no for a boolean, the rest as it is."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def _unfolded(words: Callable[..., str]) -> Callable[..., str]:
    """`words` as a filter Jinja calls at each render: Jinja computes a filter of a literal
    (`{{ 'done'|label }}`) once, when it compiles the template, in whatever language was in
    force then, unless the filter asks for the render's context."""

    @pass_context
    def render(_context: Any, value: object, *args: Any) -> str:
        return words(value, *args)

    return render


def init_app(app: Flask) -> None:
    app.jinja_env.filters["humanise"] = humanise
    app.jinja_env.filters["field_value"] = field_value
    app.jinja_env.globals["process_label"] = process_label
    app.jinja_env.globals["outcome_word"] = outcome_word
    app.jinja_env.filters["label"] = _unfolded(label)
    app.jinja_env.tests["group_assignee"] = is_group_assignee
