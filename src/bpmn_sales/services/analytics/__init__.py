"""Analytics: funnel, losses, time in stage, the weighted forecast, targets, and their tables."""

from bpmn_sales.services.analytics.forecasting import forecast
from bpmn_sales.services.analytics.reports import funnel, losses, time_in_stage

__all__ = ["forecast", "funnel", "losses", "time_in_stage"]
