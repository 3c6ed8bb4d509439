"""Use cases for users and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, Role, optional_email, required_text
from bpmn_sales.domain.paging import DEFAULT_LIMIT, Page, checked_limit, decode_cursor
from bpmn_sales.domain.passwords import check_policy, hash_password
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import Conflict, InvalidInput, NotFound, Unauthorized
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Department, Group, User
from bpmn_sales.persistence.queries.people import USER_SORT
from bpmn_sales.persistence.store import Store

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    full_name: str
    email: str | None
    role: str
    manager: str | None
    department: str | None = None
    groups: tuple[str, ...] = ()
    # The user's own language and time zone; None: the company's default applies.
    language: str | None = None
    time_zone: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, Role(user.role), user.manager_id)


def create_user(
    ctx: Context,
    actor: Actor | None,
    username: str,
    full_name: str,
    role: str,
    manager: str | None = None,
    email: str | None = None,
    department: str | None = None,
    groups: list[str] | None = None,
    password: str | None = None,
) -> tuple[UserView, str]:
    """Create a user and return it with a fresh API token (shown once, stored hashed).

    With a `password` the user can also sign in to the web pages."""
    if actor is not None:
        require_admin(actor, _("create users"))
    if not isinstance(username, str) or not USERNAME.match(username):
        raise InvalidInput(
            _("username must be 2-80 lower-case letters, digits, '.', '_' or '-'"), field="username"
        )
    if role not in {r.value for r in Role}:
        raise InvalidInput(
            _("role must be one of rep, manager, admin, not %(role)s", role=repr(role)),
            field="role",
        )
    name = required_text(full_name, "full_name")
    mail = optional_email(email)
    password_hash = hash_password(check_policy(password)) if password is not None else None
    token = secrets.token_urlsafe(32)
    with ctx.uow() as store:
        if store.user_by_username(username) is not None:
            raise Conflict(_("user '%(user)s' already exists", user=username), field="username")
        manager_user = None
        if manager:
            manager_user = store.user_by_username(manager)
            if manager_user is None:
                raise InvalidInput(
                    _("manager '%(manager)s' does not exist", manager=manager), field="manager"
                )
        dept = _department(store, department, ctx) if department else None
        member_of = [_group(store, g, ctx) for g in dict.fromkeys(groups or [])]
        user = User(
            username=username,
            full_name=name,
            email=mail,
            role=role,
            manager_id=manager_user.id if manager_user else None,
            department_id=dept.id if dept else None,
            token_hash=hash_token(token),
            password_hash=password_hash,
            created_at=ctx.clock(),
        )
        user.groups = member_of
        store.add(user)
        store.commit()
        view = UserView(
            user.id,
            username,
            name,
            mail,
            role,
            manager,
            department,
            tuple(g.name for g in member_of),
        )
    return view, token


GROUP_NAME = re.compile(r"^[^;:]{1,100}$")


def _group(store: Store, name: str, ctx: Context) -> Group:
    """The group of that name, created on first use."""
    if not isinstance(name, str) or not GROUP_NAME.match(name.strip()):
        raise InvalidInput(
            _("group name %(name)s must be 1-100 characters without ';' or ':'", name=repr(name)),
            field="groups",
        )
    group = store.group_by_name(name.strip())
    if group is None:
        group = Group(name=name.strip(), created_at=ctx.clock())
        store.add(group)
        store.flush()
    return group


def _department(store: Store, name: str, ctx: Context) -> Department:
    text = required_text(name, "department", 100)
    dept = store.department_by_name(text)
    if dept is None:
        dept = Department(name=text, created_at=ctx.clock())
        store.add(dept)
        store.flush()
    return dept


def set_groups(ctx: Context, actor: Actor | None, username: str, groups: list[str]) -> UserView:
    """Replace a user's group memberships (groups are created on first use).

    `actor` None is an operator at the CLI, who has the database anyway."""
    if actor is not None:
        require_admin(actor, _("change group memberships"))
    with ctx.uow() as store:
        user = store.user_by_username(username)
        if user is None:
            raise NotFound(_("user '%(user)s' does not exist", user=username), username=username)
        user.groups = [_group(store, g, ctx) for g in dict.fromkeys(groups)]
        store.commit()
    return next(u for u in list_users(ctx) if u.username == username)


def set_manager(
    ctx: Context,
    actor: Actor | None,
    username: str,
    manager: str | None,
    department: str | None = None,
) -> UserView:
    """Set a user's direct manager (None clears it) and, if given, department ('' clears)."""
    if actor is not None:
        require_admin(actor, _("change managers"))
    with ctx.uow() as store:
        user = store.user_by_username(username)
        if user is None:
            raise NotFound(_("user '%(user)s' does not exist", user=username), username=username)
        if manager:
            boss = store.user_by_username(manager)
            if boss is None:
                raise InvalidInput(
                    _("manager '%(manager)s' does not exist", manager=manager), field="manager"
                )
            if boss.id == user.id:
                raise InvalidInput(_("a user cannot be their own manager"), field="manager")
            user.manager_id = boss.id
        else:
            user.manager_id = None
        if department is not None:
            user.department_id = _department(store, department, ctx).id if department else None
        store.commit()
    return next(u for u in list_users(ctx) if u.username == username)


def list_groups(ctx: Context) -> list[dict[str, Any]]:
    with ctx.uow() as store:
        return [
            {"id": g.id, "name": g.name, "members": [u.username for u in g.members]}
            for g in store.groups()
        ]


def actor_for_token(ctx: Context, token: str) -> Actor:
    with ctx.uow() as store:
        user = store.user_by_token_hash(hash_token(token)) if token else None
        if user is None:
            raise Unauthorized(_("the API token is not valid"))
        return actor_of(user)


def actor_for_id(ctx: Context, user_id: int) -> Actor:
    """The user behind a web session; Unauthorized once the user is gone."""
    with ctx.uow() as store:
        user = store.session.get(User, user_id)
        if user is None:
            raise Unauthorized(_("sign in again: the user of this session no longer exists"))
        return actor_of(user)


def actor_for_username(ctx: Context, username: str) -> Actor:
    with ctx.uow() as store:
        user = store.user_by_username(username)
        if user is None:
            raise NotFound(_("user '%(user)s' does not exist", user=username), username=username)
        return actor_of(user)


def list_users(
    ctx: Context, *, cursor: str | None = None, limit: int | None = DEFAULT_LIMIT
) -> Page[UserView]:
    """A page of users by user name, with manager, department and groups."""
    size = checked_limit(limit)
    at = decode_cursor(cursor, USER_SORT.name)
    with ctx.uow() as store:
        page = store.user_page(at, size)
        return page.map(lambda found: _views(store, found))


def get_user(ctx: Context, username: str) -> UserView:
    with ctx.uow() as store:
        user = store.user_by_username(username)
        if user is None:
            raise NotFound(_("user '%(user)s' does not exist", user=username), username=username)
        return _views(store, [user])[0]


def user_names(ctx: Context, actor: Actor | None = None, roles: Sequence[str] = ()) -> list[str]:
    """User names in order: those whose records the actor may see (None: everyone's)."""
    with ctx.uow() as store:
        if actor is None or actor.is_admin:
            return store.usernames_of(None, roles)
        if actor.role == Role.MANAGER:
            return store.usernames_of([actor.id, *store.report_ids(actor.id)], roles)
        return store.usernames_of([actor.id], roles)


def _views(store: Store, found: Sequence[User]) -> list[UserView]:
    names = store.usernames(u.manager_id for u in found)
    departments = {d.id: d.name for d in store.departments()}
    return [
        UserView(
            u.id,
            u.username,
            u.full_name,
            u.email,
            u.role,
            names.get(u.manager_id) if u.manager_id else None,
            departments.get(u.department_id) if u.department_id else None,
            tuple(g.name for g in u.groups),
            u.language,
            u.time_zone,
        )
        for u in found
    ]


def rotate_token(ctx: Context, actor: Actor, username: str) -> str:
    """Give a user a new API token; the old one stops working."""
    if actor.username != username:
        require_admin(actor, _("rotate another user's token"))
    token = secrets.token_urlsafe(32)
    with ctx.uow() as store:
        user = store.user_by_username(username)
        if user is None:
            raise NotFound(_("user '%(user)s' does not exist", user=username), username=username)
        user.token_hash = hash_token(token)
        store.commit()
    return token
