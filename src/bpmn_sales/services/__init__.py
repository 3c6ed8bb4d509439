"""Use cases: one function each, one transaction each, plain values out.

Web, API and CLI call these and nothing below them.
"""

# Every use case that records deal history also queues that deal's webhook events, in the
# same transaction: the hook registers on import, so importing any use case installs it.
from bpmn_sales.services.delivery import webhook_events as _webhook_events  # noqa: F401
