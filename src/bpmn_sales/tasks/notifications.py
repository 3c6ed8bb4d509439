"""Who is notified when an activity is completed, and what they are told."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class Directory(Protocol):
    """The people lookups party names need (implemented over storage by the use cases)."""

    def owner(self) -> int: ...
    def direct_manager(self) -> int | None: ...
    def managers(self) -> list[int]: ...
    def admins(self) -> list[int]: ...
    def user(self, username: str) -> int | None: ...
    def group(self, name: str) -> list[int]: ...


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
