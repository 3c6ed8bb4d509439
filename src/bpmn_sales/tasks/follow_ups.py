"""Follow-up tasks an activity creates when it is completed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bpmn_sales.domain.rules import ActivityRule


@dataclass(frozen=True)
class FollowUpPlan:
    title: str
    due_on: date
    assignee: str  # a party: owner, direct_manager, user:NAME or group:NAME


def plan(rule: ActivityRule, completed_at: datetime) -> FollowUpPlan | None:
    """The follow-up to create when `rule`'s activity is completed at `completed_at`, if any."""
    if rule.follow_up is None:
        return None
    due = completed_at.date() + timedelta(days=rule.follow_up.due_days)
    return FollowUpPlan(rule.follow_up.title, due, rule.follow_up.assignee)
