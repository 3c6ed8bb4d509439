"""Who is notified (activity completions, approvals, timers), and what they are told."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _, lazy_gettext


class Directory(Protocol):
    """The people lookups party names need (implemented over storage by the use cases)."""

    def owner(self) -> int: ...
    def direct_manager(self) -> int | None: ...
    def managers(self) -> list[int]: ...
    def admins(self) -> list[int]: ...
    def user(self, username: str) -> int | None: ...
    def group(self, name: str) -> list[int]: ...
    def participants(self) -> list[int]: ...


def recipients(parties: Iterable[str], people: Directory) -> list[int]:
    """User ids the parties name, each once, in the order named."""
    found: list[int] = []

    def add(ids: Iterable[int | None]) -> None:
        for user_id in ids:
            if user_id is not None and user_id not in found:
                found.append(user_id)

    for party in parties:
        if party == "owner":
            add([people.owner()])
        elif party == "direct_manager":
            manager = people.direct_manager()
            add([manager] if manager is not None else people.admins())
        elif party == "manager":
            add(people.managers())
        elif party == "admin":
            add(people.admins())
        elif party == "participants":
            add(people.participants())
        elif party.startswith("user:"):
            add([people.user(party[5:])])
        elif party.startswith("group:"):
            add(people.group(party[6:]))
    return found


PARTY = re.compile(
    r"^(owner|manager|direct_manager|admin|participants|user:[A-Za-z0-9_.@-]{1,80}"
    r"|group:[^;:]{1,100})$"
)
NOTICE_KINDS = ("reminder", "escalation", "timeout", "notice")


def notify(recipients: object, kind: object = "notice", text: object = None) -> dict[str, Any]:
    """Service task: ask for a notice to the parties named (`owner; group:delivery`).

    The use case that ran the step sends it (in-app and mail outbox) in the same transaction,
    with a text naming the deal and its stage unless the diagram gives one.
    """
    if not isinstance(recipients, str):
        raise InvalidInput(
            _("recipients must be text: parties separated by ';'"), field="recipients"
        )
    parties = [p.strip() for p in recipients.split(";") if p.strip()]
    bad = [p for p in parties if not PARTY.match(p)]
    if bad or not parties:
        raise InvalidInput(
            _(
                "recipients %(value)r: expected owner, manager, direct_manager, admin, "
                "participants, user:<username> or group:<group name>, separated by ';'",
                value=recipients,
            ),
            field="recipients",
        )
    if kind not in NOTICE_KINDS:
        raise InvalidInput(
            _("kind must be one of %(kinds)s", kinds=", ".join(NOTICE_KINDS)), field="kind"
        )
    if text is not None and not isinstance(text, str):
        raise InvalidInput(_("text must be text"), field="text")
    return {"notify": parties, "kind": kind, "text": (text or "").strip() or None}


# A timer's notice, by kind: the subject with and without the stage, then the text with
# (stage, since), (stage only), (since only) and neither.
_NOTICES = {
    "reminder": (
        lazy_gettext("Reminder: deal %(deal)s is waiting in stage '%(stage)s'"),
        lazy_gettext("Reminder: deal %(deal)s is waiting"),
        lazy_gettext(
            "Deal %(id)s (%(deal)s) has been in stage '%(stage)s' since %(since)s; time to move "
            "it on."
        ),
        lazy_gettext("Deal %(id)s (%(deal)s) has been in stage '%(stage)s'; time to move it on."),
        lazy_gettext(
            "Deal %(id)s (%(deal)s) has been waiting since %(since)s; time to move it on."
        ),
        lazy_gettext("Deal %(id)s (%(deal)s) is waiting; time to move it on."),
    ),
    "escalation": (
        lazy_gettext("Escalation: deal %(deal)s is stuck in stage '%(stage)s'"),
        lazy_gettext("Escalation: deal %(deal)s is stuck"),
        lazy_gettext(
            "Deal %(id)s (%(deal)s) is still in stage '%(stage)s' since %(since)s, past its "
            "reminder."
        ),
        lazy_gettext("Deal %(id)s (%(deal)s) is still in stage '%(stage)s', past its reminder."),
        lazy_gettext("Deal %(id)s (%(deal)s) is still waiting since %(since)s, past its reminder."),
        lazy_gettext("Deal %(id)s (%(deal)s) is still waiting, past its reminder."),
    ),
    "timeout": (
        lazy_gettext("Overdue: deal %(deal)s in stage '%(stage)s'"),
        lazy_gettext("Overdue: deal %(deal)s"),
        lazy_gettext("Deal %(id)s (%(deal)s) is overdue in stage '%(stage)s' since %(since)s."),
        lazy_gettext("Deal %(id)s (%(deal)s) is overdue in stage '%(stage)s'."),
        lazy_gettext("Deal %(id)s (%(deal)s) is overdue since %(since)s."),
        lazy_gettext("Deal %(id)s (%(deal)s) is overdue."),
    ),
    "notice": (
        lazy_gettext("Deal %(deal)s"),
        lazy_gettext("Deal %(deal)s"),
        lazy_gettext("Deal %(id)s (%(deal)s) needs attention in stage '%(stage)s'."),
        lazy_gettext("Deal %(id)s (%(deal)s) needs attention in stage '%(stage)s'."),
        lazy_gettext("Deal %(id)s (%(deal)s) needs attention."),
        lazy_gettext("Deal %(id)s (%(deal)s) needs attention."),
    ),
}


SERVICE_TASKS = (notify,)
