"""Sales targets per period and scope (company, department, team, person), and their sums.

A target is an amount for a month ('2026-11') or a quarter ('2026-Q4') in one currency.
The decomposition shows whether the company's target equals the sum of its departments'
and the sum of its people's, each department's the sum of its people's, each team's the sum
of its members' (the manager and their reports); every difference is a flagged gap.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.analytics import cents, period_months
from bpmn_sales.domain.model import Actor, Role, currency, money
from bpmn_sales.errors import Forbidden, InvalidInput
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Target, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.analytics.scope import require_analyst
from bpmn_sales.services.people.preferences import company_preferences

SCOPES = ("company", "department", "team", "user")


def check_period(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or period_months(text) is None:
        raise InvalidInput(
            _(
                "period must be a month YYYY-MM or a quarter YYYY-Qn, not %(value)s",
                value=repr(value),
            ),
            field="period",
        )
    return text


def parse_scope(store: Store, value: object) -> tuple[str, int, str]:
    """'company', 'department:<name>', 'team:<manager>' or 'user:<name>' -> (kind, id, label)."""
    text = value.strip() if isinstance(value, str) else ""
    kind, _colon, name = text.partition(":")
    if kind == "company" and not name:
        return "company", 0, "company"
    if kind == "department" and name:
        dept = store.department_by_name(name)
        if dept is None:
            raise InvalidInput(
                _("department '%(department)s' does not exist", department=name), field="scope"
            )
        return kind, dept.id, text
    if kind in ("team", "user") and name:
        user = store.user_by_username(name)
        if user is None:
            raise InvalidInput(_("user '%(user)s' does not exist", user=name), field="scope")
        if kind == "team" and user.role not in (Role.MANAGER, Role.ADMIN):
            raise InvalidInput(
                _("'%(user)s' is not a manager, so has no team", user=name), field="scope"
            )
        return kind, user.id, text
    raise InvalidInput(
        _(
            "scope must be company, department:<name>, team:<manager> or user:<name>, not "
            "%(value)s",
            value=repr(value),
        ),
        field="scope",
    )


def _may_set(store: Store, actor: Actor, kind: str, scope_id: int) -> None:
    if actor.is_admin:
        return
    require_analyst(actor)
    if kind == "team" and scope_id == actor.id:
        return
    if kind == "user" and scope_id in (actor.id, *store.report_ids(actor.id)):
        return
    raise Forbidden(
        _(
            "%(user)s may set targets only for their own team and its people; company and "
            "department targets are for admins",
            user=actor.username,
        ),
        actor=actor.username,
    )


def set_target(
    ctx: Context,
    actor: Actor,
    period: object,
    scope: object,
    amount: object,
    currency_code: object = None,
) -> dict[str, Any]:
    """Set (or replace) the target of one scope for one period and currency."""
    when = check_period(period)
    value = money(amount, "amount")
    if value is None:
        raise InvalidInput(_("amount is required"), field="amount")
    code = currency(currency_code) if currency_code else company_preferences(ctx).currency
    with ctx.uow() as store:
        kind, scope_id, label = parse_scope(store, scope)
        _may_set(store, actor, kind, scope_id)
        row = store.target(when, kind, scope_id, code)
        now = ctx.clock()
        if row is None:
            row = Target(period=when, scope=kind, scope_id=scope_id, currency=code)
            store.add(row)
        row.amount, row.updated_by_id, row.updated_at = value, actor.id, now
        store.commit()
        return {"period": when, "scope": label, "amount": cents(value), "currency": code}


@dataclass
class Part:
    """One department or team: its own target and the sum of its people's."""

    name: str
    target: Decimal | None
    people: Decimal
    members: list[dict[str, Any]] = field(default_factory=list)

    @property
    def gap(self) -> Decimal | None:
        return None if self.target is None else self.target - self.people

    def to_dict(self) -> dict[str, Any]:
        gap = self.gap
        return {
            "name": self.name,
            "target": _num(self.target),
            "people": cents(self.people),
            "gap": _num(gap),
            "flagged": bool(gap),
            "members": self.members,
        }


@dataclass
class Decomposition:
    period: str
    currency: str
    company: Decimal | None
    departments: list[Part]
    teams: list[Part]
    people: Decimal

    def to_dict(self) -> dict[str, Any]:
        departments = sum((p.target or Decimal(0) for p in self.departments), Decimal(0))
        checks = []
        if self.company is not None:
            for what, total in (("departments", departments), ("people", self.people)):
                gap = self.company - total
                checks.append(
                    {
                        "check": (
                            _("company = sum of departments")
                            if what == "departments"
                            else _("company = sum of people")
                        ),
                        "sum": cents(total),
                        "gap": cents(gap),
                        "flagged": bool(gap),
                    }
                )
        data = asdict(self)
        data.update(
            company=_num(self.company),
            people=cents(self.people),
            departments_sum=cents(departments),
            departments=[p.to_dict() for p in self.departments],
            teams=[p.to_dict() for p in self.teams],
            checks=checks,
        )
        return data


def _num(value: Decimal | None) -> Decimal | None:
    return None if value is None else cents(value)


def _decompose(
    store: Store,
    period: str,
    code: str,
    rows: list[Target],
    visible: list[int] | None,
    users: list[User],
) -> Decomposition:
    """The sums of everyone (visible None: an admin), or of the people a manager can see
    (`users`): then no company or department figure, only their own team."""
    own = {(t.scope, t.scope_id): t.amount for t in rows}
    person = {u.id: own.get(("user", u.id)) for u in users}

    def members(people: list[User]) -> tuple[Decimal, list[dict[str, Any]]]:
        listed = [{"username": u.username, "target": _num(person[u.id])} for u in people]
        return sum((person[u.id] or Decimal(0) for u in people), Decimal(0)), listed

    departments = []
    for dept in store.departments() if visible is None else ():
        total, listed = members([u for u in users if u.department_id == dept.id])
        departments.append(Part(dept.name, own.get(("department", dept.id)), total, listed))
    teams = []
    for boss in (u for u in users if u.role == Role.MANAGER):
        total, listed = members([u for u in users if u.id == boss.id or u.manager_id == boss.id])
        teams.append(Part(boss.username, own.get(("team", boss.id)), total, listed))
    people = sum((a for a in person.values() if a is not None), Decimal(0))
    company = own.get(("company", 0)) if visible is None else None
    return Decomposition(period, code, company, departments, teams, people)


def decomposition(
    ctx: Context, actor: Actor, period: object, currency_code: object = None
) -> Decomposition:
    """The targets of a period in one currency, summed up the organisation (admins) or over the
    manager's own team and its people (managers see no other team's, department's or the
    company's targets)."""
    require_analyst(actor)
    when = check_period(period)
    code = currency(currency_code) if currency_code else company_preferences(ctx).currency
    with ctx.uow() as store:
        visible = common.visible_owner_ids(store, actor)
        users = [u for u in store.users() if visible is None or u.id in visible]
        return decomposition_in(store, when, code, visible, users)


def decomposition_in(
    store: Store, period: str, code: str, visible: list[int] | None, users: list[User]
) -> Decomposition:
    """`decomposition` of a checked period and currency, for whom `visible` lets the reader
    see (None: everyone) and those people (`users`)."""
    rows = [t for t in store.targets_for([period]) if t.currency == code]
    return _decompose(store, period, code, rows, visible, users)


def targets_of(store: Store, kind: str, scope_id: int, periods: list[str]) -> list[Target]:
    return [t for t in store.targets_for(periods) if t.scope == kind and t.scope_id == scope_id]
