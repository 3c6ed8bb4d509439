"""Analytics: funnel, losses, time in stage, stuck deals, forecast and targets."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bpmn_sales.web.schemas.common import (
    Body,
    DateText,
    MoneyByCurrency,
    NumberOrText,
    OptionalMoney,
    Query,
    Reply,
)
from bpmn_sales.web.schemas.common import Money as Amount

Money = MoneyByCurrency  # amounts by currency code, never summed across currencies

PERIOD = "A month YYYY-MM or a quarter YYYY-Qn"
REPORTS = ("funnel", "losses", "time-in-stage", "stuck", "forecast", "targets")


class Filters(Reply):
    """The filters the report was made with (null: not filtered)."""

    process: str | None
    start: str | None
    end: str | None
    owner: str | None
    team: str | None
    department: str | None


class FunnelStep(Reply):
    key: str
    name: str
    reached: int
    value: Money
    went_on: int
    skipped: int
    to_next: float | None
    overall: float | None


class LeadFunnel(Reply):
    created: int
    qualified: int
    disqualified: int
    open: int
    qualified_rate: float | None


class Funnel(Reply):
    """Deals created in the period, by the stages they reached."""

    process: str
    process_name: str
    filters: Filters
    deals: int
    won: int
    won_value: Money
    won_rate: float | None
    steps: list[FunnelStep]
    leads: LeadFunnel
    note: str


class LossReason(Reply):
    reason: str
    deals: int
    value: Money


class LossStage(Reply):
    key: str
    name: str
    lost: int
    value: Money
    reopened: int
    reasons: list[LossReason]


class Losses(Reply):
    """Deals closed in the period: where and why they were lost, the win rate."""

    process: str
    filters: Filters
    won: int
    lost: int
    invalid: int
    win_rate: float | None
    won_value: Money
    lost_value: Money
    stages: list[LossStage]


class StuckDeal(Reply):
    id: int
    name: str
    owner: str
    days_in_stage: int | None


class StageTime(Reply):
    key: str
    name: str
    stays: int
    median_days: float | None
    p90_days: float | None
    reminder_after: str | None
    stuck: int
    stuck_deals: list[StuckDeal]


class TimeInStage(Reply):
    """Time in each stage (median, 90th percentile) and the deals stuck in it."""

    process: str
    filters: Filters
    won: int
    avg_cycle_days: float | None
    stages: list[StageTime]


class ForecastLine(Reply):
    period: str
    currency: str
    deals: int
    value: Amount
    weighted: Amount
    won: Amount
    projected: Amount
    target: OptionalMoney
    gap: OptionalMoney


class Forecast(Reply):
    """Open deals by expected close month, weighted by probability, against targets."""

    process: str
    filters: Filters
    target_scope: str
    months: list[ForecastLine]
    quarters: list[ForecastLine]
    outside: list[ForecastLine]


class Member(Reply):
    username: str
    target: OptionalMoney


class TargetPart(Reply):
    """A department or team: its own target and the sum of its people's."""

    name: str
    target: OptionalMoney
    people: Amount
    gap: OptionalMoney
    flagged: bool
    members: list[Member]


class TargetCheck(Reply):
    check: str
    sum: Amount
    gap: Amount
    flagged: bool


class TargetDecomposition(Reply):
    """The targets of a period: company = sum of departments = sum of people."""

    period: str
    currency: str
    company: OptionalMoney
    people: Amount
    departments_sum: Amount
    departments: list[TargetPart]
    teams: list[TargetPart]
    checks: list[TargetCheck]


Report = Funnel | Losses | TimeInStage | Forecast | TargetDecomposition


class StageCalibration(Reply):
    """One stage: its configured win rate against the deals that reached it."""

    key: str
    name: str
    configured: float | None = Field(description="The diagram's win rate, percent")
    observed: float | None = Field(
        description="Won / (won + lost) of the deals that entered the stage, percent"
    )
    low: float | None = Field(description="Lower bound of the 95 % Wilson interval, percent")
    high: float | None = Field(description="Upper bound of the 95 % Wilson interval, percent")
    closed: int = Field(description="Deals behind the observed rate: won + lost")
    won: int
    lost: int
    invalid: int = Field(description="Closed as invalid: counted in neither")
    open: int = Field(description="Still open: not in the rate")
    reopened: int = Field(description="Closed, then reopened: the new deal counts instead")
    enough: bool = Field(description="At least min_evidence closed deals")
    outside: bool = Field(description="The configured rate lies outside the interval")
    suggested: int | None = Field(
        description="The observed rate to 5 %, when the evidence is enough and the configured "
        "rate is outside the interval"
    )


class MonthAccuracy(Reply):
    """One month: the weighted forecast as it stood when the month began, against the won."""

    month: str
    currency: str
    deals: int = Field(description="Deals open when the month began, expected to close in it")
    forecast: Amount
    won: Amount
    difference: Amount = Field(description="won - forecast")
    ratio: float | None = Field(description="won as a percentage of the forecast")


class Calibration(Reply):
    """Stage win-rate calibration, and past weighted forecasts against what was won."""

    process: str
    process_name: str
    filters: Filters
    min_evidence: int
    stages: list[StageCalibration]
    months: list[MonthAccuracy]
    note: str


class CalibrationQuery(Query):
    process: str | None = Field(None, description="Process key (default: sales_process)")
    start: DateText = Field(None, description="First day: deals created from it, months from it")
    end: DateText = Field(None, description="Last day (inclusive)")
    owner: str | None = Field(None, description="Only this user's deals")
    team: str | None = Field(None, description="Only this manager's team (with their reports)")
    department: str | None = Field(None, description="Only the people of this department")
    format: Literal["json", "csv"] = Field("json", description="csv: a table of the report")
    table: Literal["stages", "months"] = Field(
        "stages", description="csv: the stages' calibration, or the months' forecast accuracy"
    )
    delimiter: Literal[",", ";", "tab"] | None = Field(
        None, description="csv: the delimiter (default: ';' for Polish and French readers)"
    )


class ReportQuery(Query):
    process: str | None = Field(None, description="Process key (default: sales_process)")
    start: DateText = Field(None, description="First day of the period")
    end: DateText = Field(None, description="Last day of the period (inclusive)")
    owner: str | None = Field(None, description="Only this user's deals")
    team: str | None = Field(None, description="Only this manager's team (with their reports)")
    department: str | None = Field(None, description="Only the people of this department")
    period: str | None = Field(None, description=f"targets: {PERIOD}")
    currency: str | None = Field(
        None, description="targets: a 3-letter code (default: the company's currency)"
    )
    format: Literal["json", "csv"] = Field("json", description="csv: the report's table")
    delimiter: Literal[",", ";", "tab"] | None = Field(
        None,
        description="csv: the delimiter (default: ';' for Polish and French readers, as their "
        "spreadsheets expect, else ','). Files are UTF-8 with a byte order mark; numbers are "
        "plain (1234567.89), with a decimal comma where the delimiter is ';'; text a "
        "spreadsheet would run as a formula (= + - @) starts with an apostrophe",
    )


class TargetsQuery(Query):
    period: str = Field(description=PERIOD)
    currency: str | None = Field(
        None, description="A 3-letter code (default: the company's currency)"
    )


class TargetSetting(Body):
    period: str = Field(description=PERIOD)
    scope: str = Field(description="company, department:<name>, team:<manager> or user:<username>")
    amount: NumberOrText
    currency: str | None = Field(
        None, description="A 3-letter code (default: the company's currency)"
    )


class TargetSet(Reply):
    period: str
    scope: str
    amount: Amount
    currency: str
