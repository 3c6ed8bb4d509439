"""Use cases for a new installation's first users: is there anyone, and a first admin."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from bpmn_sales.context import Context
from bpmn_sales.persistence.models import User
from bpmn_sales.services.people.users import UserView, create_user


@dataclass(frozen=True)
class NewAdmin:
    """An admin just created, with the secrets shown to the operator once."""

    user: UserView
    password: str
    token: str


def has_users(ctx: Context) -> bool:
    with ctx.uow() as store:
        return store.count(User) > 0


def create_admin(ctx: Context, username: str) -> NewAdmin:
    """Create an admin who can sign in at once, with a generated password and API token.

    The operator at the CLI has the database anyway, so no actor is asked for."""
    password = secrets.token_urlsafe(12)
    user, token = create_user(ctx, None, username, username, "admin", password=password)
    return NewAdmin(user, password, token)
