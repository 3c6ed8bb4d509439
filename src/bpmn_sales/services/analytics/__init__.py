"""Analytics: funnel, losses, time in stage, the weighted forecast, targets, and their tables."""

from bpmn_sales.services.analytics.forecasting import forecast
from bpmn_sales.services.analytics.overview import Overview, overview
from bpmn_sales.services.analytics.reports import funnel, losses, time_in_stage

__all__ = ["Overview", "forecast", "funnel", "losses", "overview", "time_in_stage"]
