"""Who may complete an activity, and the note or file it needs."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bpmn_sales.domain.model import Actor, Role
from bpmn_sales.domain.rules import ActivityRule

MAX_NOTE = 20_000


@dataclass(frozen=True)
class Party:
    """The people around a deal that parties (owner, direct_manager, ...) refer to."""

    owner_id: int
    owner_name: str
    manager_id: int | None
    manager_name: str | None


def describe(party: str, people: Party) -> str:
    if party == "anyone":
        return "anyone who can see the deal"
    if party == "owner":
        return f"the owner ({people.owner_name})"
    if party == "manager":
        return "a manager"
    if party == "direct_manager":
        return (
            f"the owner's direct manager ({people.manager_name})"
            if people.manager_name
            else "an admin (the owner has no manager)"
        )
    if party == "admin":
        return "an admin"
    kind, _, name = party.partition(":")
    return f"user {name}" if kind == "user" else f"a member of group {name}"


def allowed(party: str, actor: Actor, people: Party, groups: Collection[str]) -> bool:
    if party == "anyone":
        return True
    if party == "owner":
        return actor.id == people.owner_id
    if party == "manager":
        return actor.role == Role.MANAGER
    if party == "direct_manager":
        return people.manager_id is not None and actor.id == people.manager_id
    if party == "admin":
        return actor.is_admin
    kind, _, name = party.partition(":")
    if kind == "user":
        return actor.username == name
    return kind == "group" and name in groups


def refusal(rule: ActivityRule, actor: Actor, people: Party, groups: Collection[str]) -> str | None:
    """Why the actor may not complete the activity, or None. Admins may complete anything."""
    if actor.is_admin or any(allowed(p, actor, people, groups) for p in rule.completed_by):
        return None
    who = " or ".join(describe(p, people) for p in rule.completed_by)
    return f"'{rule.name}' may be completed only by {who}"


def note_problem(rule: ActivityRule, note: str | None, files: int) -> tuple[str, str] | None:
    """(field, message) when the note or file the activity needs is missing."""
    if rule.note_required in ("note", "note_and_file") and not (note or "").strip():
        return "note", f"'{rule.name}' needs a note"
    if rule.note_required == "note_and_file" and files == 0:
        return "files", f"'{rule.name}' needs a note with at least one file"
    return None
