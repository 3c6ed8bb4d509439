"""Who may complete an activity, and the note or file it needs."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bpmn_sales.domain.model import Actor, Role
from bpmn_sales.domain.rules import ActivityRule
from bpmn_sales.i18n import _

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
        return _("anyone who can see the deal")
    if party == "owner":
        return _("the owner (%(name)s)", name=people.owner_name)
    if party == "manager":
        return _("a manager")
    if party == "direct_manager":
        return (
            _("the owner's direct manager (%(name)s)", name=people.manager_name)
            if people.manager_name
            else _("an admin (the owner has no manager)")
        )
    if party == "admin":
        return _("an admin")
    kind, _sep, name = party.partition(":")
    if kind == "user":
        return _("user %(name)s", name=name)
    return _("a member of group %(name)s", name=name)


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
    kind, _sep, name = party.partition(":")
    if kind == "user":
        return actor.username == name
    return kind == "group" and name in groups


def refusal(rule: ActivityRule, actor: Actor, people: Party, groups: Collection[str]) -> str | None:
    """Why the actor may not complete the activity, or None. Admins may complete anything."""
    if actor.is_admin or any(allowed(p, actor, people, groups) for p in rule.completed_by):
        return None
    who = _(" or ").join(describe(p, people) for p in rule.completed_by)
    return _("'%(activity)s' may be completed only by %(who)s", activity=rule.name, who=who)


def note_problem(rule: ActivityRule, note: str | None, files: int) -> tuple[str, str] | None:
    """(field, message) when the note or file the activity needs is missing."""
    if rule.note_required in ("note", "note_and_file") and not (note or "").strip():
        return "note", _("'%(activity)s' needs a note", activity=rule.name)
    if rule.note_required == "note_and_file" and files == 0:
        return "files", _("'%(activity)s' needs a note with at least one file", activity=rule.name)
    return None
