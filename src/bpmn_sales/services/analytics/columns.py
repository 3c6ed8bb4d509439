"""The header of each analytics CSV column in the reader's language.

The tables keep their column keys (`to_next_pct`, `value_EUR`): the JSON and the CLI show them
as they are. A CSV file is opened by a person in a spreadsheet, so its header row says the same
in their language; in English it stays the key.
"""

from __future__ import annotations

from bpmn_sales.i18n import pgettext


def column_label(key: str) -> str:
    """The header of column `key`; a key this does not know shows as it is."""
    if key.startswith("value_"):
        return pgettext("CSV column", "value_%(currency)s", currency=key.removeprefix("value_"))
    labels = {
        "stage": pgettext("CSV column", "stage"),
        "name": pgettext("CSV column", "name"),
        "reached": pgettext("CSV column", "reached"),
        "went_on": pgettext("CSV column", "went_on"),
        "skipped": pgettext("CSV column", "skipped"),
        "to_next_pct": pgettext("CSV column", "to_next_pct"),
        "overall_pct": pgettext("CSV column", "overall_pct"),
        "reason": pgettext("CSV column", "reason"),
        "deals": pgettext("CSV column", "deals"),
        "lost_at_stage": pgettext("CSV column", "lost_at_stage"),
        "reopened_at_stage": pgettext("CSV column", "reopened_at_stage"),
        "stays": pgettext("CSV column", "stays"),
        "median_days": pgettext("CSV column", "median_days"),
        "p90_days": pgettext("CSV column", "p90_days"),
        "reminder_after": pgettext("CSV column", "reminder_after"),
        "stuck": pgettext("CSV column", "stuck"),
        "deal": pgettext("CSV column", "deal"),
        "owner": pgettext("CSV column", "owner"),
        "days_in_stage": pgettext("CSV column", "days_in_stage"),
        "reminder": pgettext("CSV column", "reminder"),
        "kind": pgettext("CSV column", "kind"),
        "period": pgettext("CSV column", "period"),
        "currency": pgettext("CSV column", "currency"),
        "value": pgettext("CSV column", "value"),
        "weighted": pgettext("CSV column", "weighted"),
        "won": pgettext("CSV column", "won"),
        "projected": pgettext("CSV column", "projected"),
        "target": pgettext("CSV column", "target"),
        "gap": pgettext("CSV column", "gap"),
        "scope": pgettext("CSV column", "scope"),
        "sum_of_parts": pgettext("CSV column", "sum_of_parts"),
        "flagged": pgettext("CSV column", "flagged"),
        "configured_pct": pgettext("CSV column", "configured_pct"),
        "observed_pct": pgettext("CSV column", "observed_pct"),
        "low_pct": pgettext("CSV column", "low_pct"),
        "high_pct": pgettext("CSV column", "high_pct"),
        "closed": pgettext("CSV column", "closed"),
        "lost": pgettext("CSV column", "lost"),
        "invalid": pgettext("CSV column", "invalid"),
        "open": pgettext("CSV column", "open"),
        "reopened": pgettext("CSV column", "reopened"),
        "suggested_pct": pgettext("CSV column", "suggested_pct"),
        "month": pgettext("CSV column", "month"),
        "forecast": pgettext("CSV column", "forecast"),
        "difference": pgettext("CSV column", "difference"),
        "won_pct_of_forecast": pgettext("CSV column", "won_pct_of_forecast"),
    }
    return labels.get(key, key)
