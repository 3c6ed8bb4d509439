"""Who may complete an activity and the note or file it needs (tasks/completion.py)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bpmn_sales.domain.model import Actor, Role
from bpmn_sales.domain.rules import ActivityRule
from bpmn_sales.tasks.completion import MAX_NOTE, Party, describe, note_problem, refusal

OWNER = Actor(1, "alice", Role.REP, manager_id=2)
DIRECT_MANAGER = Actor(2, "bob", Role.MANAGER)
OTHER_MANAGER = Actor(3, "mia", Role.MANAGER)
OTHER_REP = Actor(4, "carol", Role.REP, manager_id=2)
ADMIN = Actor(9, "root", Role.ADMIN)

PEOPLE = Party(owner_id=1, owner_name="alice", manager_id=2, manager_name="bob")
NO_MANAGER = Party(owner_id=1, owner_name="alice", manager_id=None, manager_name=None)


def rule(*completed_by: str, name: str = "Visit") -> ActivityRule:
    return ActivityRule("Activity_Visit", name, "s1", completed_by=completed_by)


def may(
    completed_by: Sequence[str],
    actor: Actor,
    people: Party = PEOPLE,
    groups: Sequence[str] = (),
) -> bool:
    return refusal(rule(*completed_by), actor, people, groups) is None


# --------------------------------------------------------------------------------------------
# refusal: each party
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [OWNER, DIRECT_MANAGER, OTHER_MANAGER, OTHER_REP, ADMIN])
def test_anyone(actor: Actor) -> None:
    assert may(["anyone"], actor)
    assert may(["anyone"], actor, NO_MANAGER)


def test_default_completed_by_is_anyone() -> None:
    default = ActivityRule("A", "A", "s1")
    assert default.completed_by == ("anyone",)
    assert refusal(default, OTHER_REP, PEOPLE, ()) is None


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [(OWNER, True), (OTHER_REP, False), (DIRECT_MANAGER, False), (ADMIN, True)],
)
def test_owner(actor: Actor, allowed: bool) -> None:
    assert may(["owner"], actor) is allowed


def test_owner_is_matched_by_id_not_name() -> None:
    namesake = Actor(5, "alice", Role.REP)
    assert not may(["owner"], namesake)


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [(DIRECT_MANAGER, True), (OTHER_MANAGER, True), (OWNER, False), (OTHER_REP, False)],
)
def test_manager_is_any_manager(actor: Actor, allowed: bool) -> None:
    assert may(["manager"], actor) is allowed


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [(DIRECT_MANAGER, True), (OTHER_MANAGER, False), (OWNER, False), (OTHER_REP, False)],
)
def test_direct_manager(actor: Actor, allowed: bool) -> None:
    assert may(["direct_manager"], actor) is allowed


@pytest.mark.parametrize("actor", [OWNER, DIRECT_MANAGER, OTHER_MANAGER, OTHER_REP])
def test_direct_manager_when_the_owner_has_none_only_admins(actor: Actor) -> None:
    assert not may(["direct_manager"], actor, NO_MANAGER)
    assert may(["direct_manager"], ADMIN, NO_MANAGER)
    assert refusal(rule("direct_manager"), actor, NO_MANAGER, ()) == (
        "'Visit' may be completed only by an admin (the owner has no manager)"
    )


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [(ADMIN, True), (DIRECT_MANAGER, False), (OWNER, False)],
)
def test_admin(actor: Actor, allowed: bool) -> None:
    assert may(["admin"], actor) is allowed


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [(OTHER_REP, True), (OWNER, False), (DIRECT_MANAGER, False)],
)
def test_user(actor: Actor, allowed: bool) -> None:
    assert may(["user:carol"], actor) is allowed


def test_user_name_is_exact() -> None:
    assert not may(["user:Carol"], OTHER_REP)
    assert not may(["user:caro"], OTHER_REP)


def test_group_membership() -> None:
    assert may(["group:Pre Sales"], OTHER_REP, groups=["Pre Sales"])
    assert may(["group:Pre Sales"], OTHER_REP, groups={"finance", "Pre Sales"})
    assert not may(["group:Pre Sales"], OTHER_REP, groups=["finance"])
    assert not may(["group:Pre Sales"], OTHER_REP, groups=["pre sales"])
    assert not may(["group:Pre Sales"], OTHER_REP)


def test_combined_list_any_party_suffices() -> None:
    parties = ["owner", "group:presales", "user:mia"]
    assert may(parties, OWNER)
    assert may(parties, OTHER_REP, groups=["presales"])
    assert may(parties, OTHER_MANAGER)
    assert not may(parties, OTHER_REP)
    assert not may(parties, DIRECT_MANAGER)


@pytest.mark.parametrize(
    "completed_by",
    [["owner"], ["user:nobody"], ["group:none"], ["direct_manager"], ["manager"], ["admin"]],
)
def test_admins_may_always_complete(completed_by: list[str]) -> None:
    assert may(completed_by, ADMIN)
    assert may(completed_by, ADMIN, NO_MANAGER)


# --------------------------------------------------------------------------------------------
# refusal: the reason names who may
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completed_by", "actor", "reason"),
    [
        (["owner"], OTHER_REP, "'Visit' may be completed only by the owner (alice)"),
        (["manager"], OWNER, "'Visit' may be completed only by a manager"),
        (
            ["direct_manager"],
            OTHER_MANAGER,
            "'Visit' may be completed only by the owner's direct manager (bob)",
        ),
        (["admin"], DIRECT_MANAGER, "'Visit' may be completed only by an admin"),
        (["user:carol"], OWNER, "'Visit' may be completed only by user carol"),
        (["group:presales"], OWNER, "'Visit' may be completed only by a member of group presales"),
        (
            ["owner", "direct_manager", "group:presales"],
            OTHER_REP,
            "'Visit' may be completed only by the owner (alice) or the owner's direct manager"
            " (bob) or a member of group presales",
        ),
        (
            ["user:carol", "admin"],
            OWNER,
            "'Visit' may be completed only by user carol or an admin",
        ),
    ],
)
def test_refusal_reason(completed_by: list[str], actor: Actor, reason: str) -> None:
    assert refusal(rule(*completed_by), actor, PEOPLE, ()) == reason


def test_refusal_names_the_activity() -> None:
    found = refusal(rule("owner", name="Send quote"), OTHER_REP, PEOPLE, ())
    assert found == "'Send quote' may be completed only by the owner (alice)"


@pytest.mark.parametrize(
    ("party", "text"),
    [
        ("anyone", "anyone who can see the deal"),
        ("owner", "the owner (alice)"),
        ("manager", "a manager"),
        ("direct_manager", "the owner's direct manager (bob)"),
        ("admin", "an admin"),
        ("user:carol", "user carol"),
        ("group:Pre Sales", "a member of group Pre Sales"),
    ],
)
def test_describe(party: str, text: str) -> None:
    assert describe(party, PEOPLE) == text


# --------------------------------------------------------------------------------------------
# note_problem
# --------------------------------------------------------------------------------------------


def needing(note_required: str) -> ActivityRule:
    return ActivityRule("A", "Send quote", "s1", note_required=note_required)


@pytest.mark.parametrize(("note", "files"), [(None, 0), ("", 0), ("done", 0), (None, 2)])
def test_note_not_required(note: str | None, files: int) -> None:
    assert note_problem(needing("none"), note, files) is None


@pytest.mark.parametrize("note", [None, "", "   ", "\n\t"])
def test_note_required_missing(note: str | None) -> None:
    assert note_problem(needing("note"), note, 3) == ("note", "'Send quote' needs a note")


def test_note_required_given() -> None:
    assert note_problem(needing("note"), "called them", 0) is None
    assert note_problem(needing("note"), "x" * MAX_NOTE, 0) is None


@pytest.mark.parametrize(
    ("note", "files", "problem"),
    [
        (None, 0, ("note", "'Send quote' needs a note")),
        ("  ", 1, ("note", "'Send quote' needs a note")),
        ("sent", 0, ("files", "'Send quote' needs a note with at least one file")),
        ("sent", 1, None),
        ("sent", 4, None),
    ],
)
def test_note_and_file(note: str | None, files: int, problem: tuple[str, str] | None) -> None:
    assert note_problem(needing("note_and_file"), note, files) == problem


# --------------------------------------------------------------------------------------------
# ActivityRule.role
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completed_by", "role"),
    [
        (("admin",), "admin"),
        (("manager",), "manager"),
        (("direct_manager",), "manager"),
        (("manager", "direct_manager"), "manager"),
        (("direct_manager", "admin"), "manager"),
        (("anyone",), "rep"),
        (("owner",), "rep"),
        (("owner", "manager"), "rep"),
        (("user:carol",), "rep"),
        (("group:managers",), "rep"),
        (("admin", "user:carol"), "rep"),
        ((), "rep"),
    ],
)
def test_activity_role(completed_by: tuple[str, ...], role: str) -> None:
    assert ActivityRule("A", "A", None, completed_by=completed_by).role == role
