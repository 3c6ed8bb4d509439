"""The small team most tests act as: an admin, a manager and her two reps, a lone rep."""

from __future__ import annotations

from dataclasses import dataclass

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.services.people import users


@dataclass
class Team:
    admin: Actor
    mia: Actor  # manager of rob and sara
    rob: Actor
    sara: Actor
    olga: Actor  # a rep of another team (no manager)
    tokens: dict[str, str]


def make_team(context: Context) -> Team:
    """Create the team's users; their actors and API tokens."""
    tokens = {}
    for username, role, manager in (
        ("admin", "admin", None),
        ("mia", "manager", None),
        ("rob", "rep", "mia"),
        ("sara", "rep", "mia"),
        ("olga", "rep", None),
    ):
        _, tokens[username] = users.create_user(
            context, None, username, username.title(), role, manager
        )
    return team_of(context, tokens)


def team_of(context: Context, tokens: dict[str, str]) -> Team:
    """The team as stored (made by `make_team`, e.g. in a template), with its tokens."""
    actor = {u: users.actor_for_username(context, u) for u in tokens}
    return Team(actor["admin"], actor["mia"], actor["rob"], actor["sara"], actor["olga"], tokens)
