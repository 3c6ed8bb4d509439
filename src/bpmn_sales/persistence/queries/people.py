"""Queries for people: users, groups, departments, failed sign-ins, settings (part of the
Store: persistence/store.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, delete, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.selectable import ScalarSelect

from bpmn_sales.domain.paging import Cursor, Page
from bpmn_sales.persistence.models import (
    Department,
    Group,
    Setting,
    SignInFailure,
    User,
    group_members,
)
from bpmn_sales.persistence.queries.paging import Sort, read_page

USER_SORT = Sort("users", User.id, (User.username,))


class TokenHolder(NamedTuple):
    """What an API call needs of the user its token belongs to: who acts, in which language."""

    id: int
    username: str
    role: str
    manager_id: int | None
    language: str | None
    time_zone: str | None


@cache
def _token_holder_statement(keys: tuple[str, ...]) -> Select[Any]:
    """Built once per set of settings: every API call starts with this lookup, and building
    the statement and loading a whole User through the ORM cost more than running it."""
    users = User.__table__.c
    settings = Setting.__table__.c
    return select(
        *(users[name] for name in TokenHolder._fields),
        *(select(settings.value).where(settings.key == key).scalar_subquery() for key in keys),
    ).where(users.token_hash == bindparam("token_hash"))


class PeopleQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    # -- users -------------------------------------------------------------------------
    def user_by_username(self, username: str) -> User | None:
        return self.session.scalars(select(User).where(User.username == username)).first()

    def user_by_token_hash(self, token_hash: str) -> User | None:
        return self.session.scalars(select(User).where(User.token_hash == token_hash)).first()

    def users(self) -> Sequence[User]:
        return self.session.scalars(select(User).order_by(User.id)).all()

    def user_page(self, cursor: Cursor | None, limit: int) -> Page[User]:
        """A page of users by user name, with their groups (one more query for the page)."""
        query = select(User).options(selectinload(User.groups))
        return read_page(self.session, query, USER_SORT, cursor, limit)

    def usernames_of(self, ids: Sequence[int] | None, roles: Sequence[str] = ()) -> list[str]:
        """User names in order: of these users (None: everyone), optionally of some roles."""
        query = select(User.username)
        if ids is not None:
            query = query.where(User.id.in_(ids))
        if roles:
            query = query.where(User.role.in_(roles))
        return list(self.session.scalars(query.order_by(User.username)))

    def usernames(self, ids: Iterable[int | None]) -> dict[int, str]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        rows = self.session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
        return {row.id: row.username for row in rows}

    def report_ids(self, manager_id: int) -> list[int]:
        return list(self.session.scalars(select(User.id).where(User.manager_id == manager_id)))

    def user_ids(self, role: str) -> list[int]:
        return list(self.session.scalars(select(User.id).where(User.role == role)))

    # -- groups and departments --------------------------------------------------------
    def group_by_name(self, name: str) -> Group | None:
        return self.session.scalars(select(Group).where(Group.name == name)).first()

    def groups(self) -> Sequence[Group]:
        return self.session.scalars(select(Group).order_by(Group.name)).all()

    def group_member_ids(self, name: str) -> list[int]:
        return list(
            self.session.scalars(
                select(group_members.c.user_id)
                .join(Group, Group.id == group_members.c.group_id)
                .where(Group.name == name)
                .order_by(group_members.c.user_id)
            )
        )

    def group_names(self, ids: Iterable[int]) -> dict[int, str]:
        wanted = set(ids)
        if not wanted:
            return {}
        rows = self.session.execute(select(Group.id, Group.name).where(Group.id.in_(wanted)))
        return {row.id: row.name for row in rows}

    def groups_of(self, user_id: int) -> dict[int, str]:
        rows = self.session.execute(
            select(Group.id, Group.name)
            .join(group_members, group_members.c.group_id == Group.id)
            .where(group_members.c.user_id == user_id)
        )
        return {row.id: row.name for row in rows}

    def department_by_name(self, name: str) -> Department | None:
        return self.session.scalars(select(Department).where(Department.name == name)).first()

    def departments(self) -> Sequence[Department]:
        return self.session.scalars(select(Department).order_by(Department.name)).all()

    # -- sign-in and settings ----------------------------------------------------------
    def sign_in_failures(self, username: str, remote_addr: str, since: datetime) -> tuple[int, int]:
        """Failed sign-ins since `since`: (for this user name, from this address)."""
        by_name = self.session.scalar(
            select(func.count())
            .select_from(SignInFailure)
            .where(SignInFailure.username == username, SignInFailure.at >= since)
        )
        by_addr = self.session.scalar(
            select(func.count())
            .select_from(SignInFailure)
            .where(SignInFailure.remote_addr == remote_addr, SignInFailure.at >= since)
        )
        return int(by_name or 0), int(by_addr or 0)

    def oldest_failure(self, username: str, remote_addr: str, since: datetime) -> datetime | None:
        return self.session.scalar(
            select(func.min(SignInFailure.at)).where(
                or_(SignInFailure.username == username, SignInFailure.remote_addr == remote_addr),
                SignInFailure.at >= since,
            )
        )

    def forget_failure(self, failure_id: int) -> None:
        self.session.execute(delete(SignInFailure).where(SignInFailure.id == failure_id))

    def forget_failures(self, username: str, before: datetime) -> None:
        """Drop this user's failures (after a good sign-in) and everyone's older ones."""
        self.session.execute(
            delete(SignInFailure).where(
                or_(SignInFailure.username == username, SignInFailure.at < before)
            )
        )

    def setting(self, key: str) -> str | None:
        row = self.session.get(Setting, key)
        return row.value if row else None

    def settings_of(self, keys: Sequence[str]) -> dict[str, str]:
        """The values of those settings that are set (one statement)."""
        rows = self.session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys)))
        return {key: value for key, value in rows}

    def put_settings(self, values: dict[str, str]) -> None:
        """Set each setting (insert or replace); flushed with the unit of work."""
        for key, value in values.items():
            row = self.session.get(Setting, key)
            if row is None:
                self.session.add(Setting(key=key, value=value))
            else:
                row.value = value

    def token_holder_with_settings(
        self, token_hash: str, keys: Sequence[str]
    ) -> tuple[TokenHolder, dict[str, str]] | None:
        """The user of an API token's hash, with those settings, in one statement."""
        row = (
            self.session.connection()
            .execute(_token_holder_statement(tuple(keys)), {"token_hash": token_hash})
            .first()
        )
        if row is None:
            return None
        width = len(TokenHolder._fields)
        return TokenHolder(*row[:width]), settings_in(keys, row[width:])


def setting_columns(keys: Sequence[str]) -> list[ScalarSelect[str]]:
    """A scalar subquery per setting, so a read of a row brings the settings along with it."""
    return [select(Setting.value).where(Setting.key == key).scalar_subquery() for key in keys]


def settings_in(keys: Sequence[str], values: Sequence[str | None]) -> dict[str, str]:
    return {key: value for key, value in zip(keys, values, strict=True) if value is not None}
