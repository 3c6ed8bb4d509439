"""Demo data: a small team with leads and deals at every point of the lifecycle, and history."""

from bpmn_sales.services.demo.data import DEMO_PASSWORD, load_demo
from bpmn_sales.services.demo.history import load_history
from bpmn_sales.services.demo.people import DEMO_USERS, demo_language, language_lines

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "demo_language",
    "language_lines",
    "load_demo",
    "load_history",
]
