"""What an analytics report covers: the process, the period, whose deals; and who may ask."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, Role
from bpmn_sales.domain.rules import StageRule
from bpmn_sales.errors import Forbidden, InvalidInput, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Process, User
from bpmn_sales.persistence.queries.analytics import Slice
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.people.preferences import company_preferences

DEFAULT_PROCESS = "sales_process"
FILTERS = ("process", "start", "end", "owner", "team", "department")


@dataclass(frozen=True)
class Filters:
    """The report filters as typed by a person (page query string, API, CLI)."""

    process: str | None = None
    start: str | None = None  # first day, YYYY-MM-DD
    end: str | None = None  # last day, inclusive
    owner: str | None = None
    team: str | None = None  # a manager's user name: the manager and their reports
    department: str | None = None

    @classmethod
    def of(cls, values: Any) -> Filters:
        """From a mapping (request.args, a JSON object); blank values count as absent."""
        picked = {}
        for name in FILTERS:
            raw = values.get(name)
            if raw is not None and not isinstance(raw, str):
                raise InvalidInput(_("%(name)s must be text", name=name), field=name)
            picked[name] = raw.strip() or None if raw else None
        return cls(**picked)

    def to_dict(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in FILTERS}


@dataclass
class Scope:
    """Filters resolved: the process, its stages, owner ids and the UTC date range."""

    filters: Filters
    process: Process
    stages: list[StageRule]  # of the newest version, in diagram order
    part: Slice
    first_day: date | None
    last_day: date | None
    people: list[User]  # whom the actor may filter by
    target_scope: tuple[str, int]  # the target the forecast compares with
    # every process with stages to report on, as (key, name): the page's menu
    process_keys: list[tuple[str, str]]
    visible: list[int] | None  # whose deals the actor may see at all (None: everyone's)
    # The company's time zone: days, months and quarters begin at its midnight.
    zone: str = "UTC"

    def midnight(self, day: date) -> datetime:
        """The instant `day` begins in the company's time zone."""
        return local_midnight(day, self.zone)

    def today(self, now: datetime) -> date:
        """The company's date at the instant `now`."""
        return now.astimezone(zone_info(self.zone)).date()

    @property
    def pre_sale(self) -> list[StageRule]:
        return [s for s in self.stages if not s.post_sale]


def require_analyst(actor: Actor) -> None:
    """Analytics are for managers (their team) and admins (everyone); reps are refused."""
    if actor.role not in (Role.MANAGER, Role.ADMIN):
        raise Forbidden(
            _(
                "%(user)s may not see analytics: they are for managers and admins",
                user=actor.username,
            ),
            actor=actor.username,
        )


def parse_day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise InvalidInput(
            _("%(name)s must be a date YYYY-MM-DD, not %(value)s", name=name, value=repr(text)),
            field=name,
        )
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("%(name)s %(value)s is not a calendar date", name=name, value=repr(text)), field=name
        ) from None


def zone_info(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_midnight(day: date, zone: str) -> datetime:
    """The instant (in UTC) `day` begins in the time zone `zone`."""
    return datetime.combine(day, time(), tzinfo=zone_info(zone)).astimezone(UTC)


def _process(
    ctx: Context, store: Store, key: str | None
) -> tuple[Process, list[StageRule], list[tuple[str, str]]]:
    staged: dict[str, tuple[Process, list[StageRule]]] = {}
    every = list(store.processes())
    versions = store.preferred_version_ids([p.id for p in every])
    for process in every:
        version = versions.get(process.id)
        stages = list(common.info_for(ctx, store, version).rules.stages) if version else []
        if stages:
            staged[process.key] = (process, stages)
    wanted = key or (DEFAULT_PROCESS if DEFAULT_PROCESS in staged else next(iter(staged), None))
    if wanted is None:
        raise NotFound(_("no deployed process has stages (run `bpmn-sales init`)"))
    if wanted not in staged:
        if store.process_by_key(wanted) is None:
            raise InvalidInput(
                _("process '%(process)s' is not deployed", process=wanted), field="process"
            )
        raise InvalidInput(
            _("process '%(process)s' has no stages to report on", process=wanted), field="process"
        )
    process, stages = staged[wanted]
    return process, stages, [(k, p.name or k) for k, (p, _stages) in staged.items()]


def _owners(
    store: Store, actor: Actor, f: Filters, visible: list[int] | None
) -> tuple[list[int] | None, list[User], tuple[str, int]]:
    people = [u for u in store.users() if visible is None or u.id in visible]
    ids: list[int] | None = visible
    target = ("company", 0) if visible is None else ("team", actor.id)
    if f.department:
        dept = store.department_by_name(f.department)
        if dept is None:
            raise InvalidInput(
                _("department '%(department)s' does not exist", department=f.department),
                field="department",
            )
        members = set(store.user_ids_in_department(dept.id))
        ids = [i for i in (ids if ids is not None else members) if i in members]
        # A department's target is the admins' to see; a manager sees their team's (below).
        target = ("department", dept.id) if visible is None else ("none", 0)
    if f.team:
        boss = next((u for u in people if u.username == f.team), None)
        if boss is None or boss.role not in (Role.MANAGER, Role.ADMIN):
            raise InvalidInput(
                _(
                    "team '%(team)s' must be the user name of a manager whose team you can see",
                    team=f.team,
                ),
                field="team",
            )
        members = {boss.id, *store.report_ids(boss.id)}
        ids = [i for i in (ids if ids is not None else members) if i in members]
        target = ("team", boss.id)
    if f.owner:
        user = next((u for u in people if u.username == f.owner), None)
        if user is None:
            raise InvalidInput(
                _("owner '%(owner)s' is not someone whose deals you can see", owner=f.owner),
                field="owner",
            )
        ids = [i for i in (ids if ids is not None else [user.id]) if i == user.id]
        target = ("user", user.id)
    return ids, people, target


def resolve(ctx: Context, store: Store, actor: Actor, f: Filters, zone: str | None = None) -> Scope:
    """Check the actor may see analytics and turn the filters into a query slice; days
    begin at midnight in the company's time zone (`zone`, read here when not given)."""
    require_analyst(actor)
    zone = zone or company_preferences(ctx).time_zone
    first, last = parse_day(f.start, "start"), parse_day(f.end, "end")
    if first and last and last < first:
        raise InvalidInput(
            _("end %(end)s is before start %(start)s", end=f.end, start=f.start), field="end"
        )
    process, stages, keys = _process(ctx, store, f.process)
    visible = common.visible_owner_ids(store, actor)
    owner_ids, people, target = _owners(store, actor, f, visible)
    part = Slice(
        version_ids=store.version_ids(process.id),
        owner_ids=owner_ids,
        start=local_midnight(first, zone) if first else None,
        # The last day is included; none ends after date.max (9999-12-31).
        end=local_midnight(last + timedelta(days=1), zone) if last and last < date.max else None,
    )
    return Scope(f, process, stages, part, first, last, people, target, keys, visible, zone)


def choices(store: Store, scope: Scope, actor: Actor) -> dict[str, list[tuple[str, str]]]:
    """What the page's menus offer, as (value, what people read): the filters, and the scopes
    the actor may set a target for (`company`, `department:NAME`, `team:MANAGER`,
    `user:NAME`, the values `set_target` takes)."""
    managers = [u.username for u in scope.people if u.role == Role.MANAGER]
    departments = [d.name for d in store.departments()]
    if actor.is_admin:
        scopes = [("company", _("The whole company"))]
        scopes += [(f"department:{d}", _("Department %(name)s", name=d)) for d in departments]
        scopes += [(f"team:{m}", _("Team %(name)s", name=m)) for m in managers]
        scopes += [(f"user:{u.username}", u.username) for u in scope.people]
    else:  # a manager sees their team's people: themselves and their reports
        scopes = [(f"team:{actor.username}", _("Team %(name)s", name=actor.username))]
        scopes += [(f"user:{u.username}", u.username) for u in scope.people]
    return {
        "processes": scope.process_keys,
        "owners": [(u.username, u.username) for u in scope.people],
        "teams": [(m, _("Team %(name)s", name=m)) for m in managers],
        "departments": [(d, d) for d in departments],
        "scopes": scopes,
    }
