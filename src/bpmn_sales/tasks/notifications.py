"""Who is notified (activity completions, approvals, timers), and what they are told."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _


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


def completion_message(activity: str, deal_name: str, deal_id: int, by: str) -> tuple[str, str]:
    """(subject, text) of the notice that an activity was completed."""
    subject = f"{activity} done on deal {deal_name}"
    text = f"{by} completed '{activity}' on deal {deal_id} ({deal_name})."
    return subject, text


def approval_message(
    stage: str, deal_name: str, deal_id: int, choice: str, by: str, comment: str
) -> tuple[str, str]:
    verb = "approved" if choice == "approve" else "rejected"
    subject = f"{stage} {verb} on deal {deal_name}"
    text = f"{by} {verb} stage '{stage}' of deal {deal_id} ({deal_name})."
    if comment:
        text += f" Comment: {comment}"
    return subject, text


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


def notice_message(
    kind: str, deal_name: str, deal_id: int, stage: str | None, since: str | None
) -> tuple[str, str]:
    """(subject, text) of a timer's notice about a deal that waits in a stage."""
    where = f" in stage '{stage}'" if stage else ""
    since_text = f" since {since}" if since else ""
    if kind == "reminder":
        subject = f"Reminder: deal {deal_name} is waiting{where}"
        text = f"Deal {deal_id} ({deal_name}) has been{where}{since_text}; time to move it on."
    elif kind == "escalation":
        subject = f"Escalation: deal {deal_name} is stuck{where}"
        text = f"Deal {deal_id} ({deal_name}) is still{where}{since_text}, past its reminder."
    elif kind == "timeout":
        subject = f"Overdue: deal {deal_name}{where}"
        text = f"Deal {deal_id} ({deal_name}) is overdue{where}{since_text}."
    else:
        subject = f"Deal {deal_name}"
        text = f"Deal {deal_id} ({deal_name}) needs attention{where}."
    return subject, text


SERVICE_TASKS = (notify,)
