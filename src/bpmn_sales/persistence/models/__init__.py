"""SQLAlchemy 2.0 typed models: specs stored once per version, instances as state + projections.

One module per subject; importing this package registers every table on `Base.metadata`
(Alembic's env.py and the schema checks rely on that).
"""

from bpmn_sales.persistence.models.analytics import StageVisit, Target
from bpmn_sales.persistence.models.base import Base, UTCDateTime, table_of
from bpmn_sales.persistence.models.deals import Deal
from bpmn_sales.persistence.models.delivery import Notification, OutboxMessage, Webhook
from bpmn_sales.persistence.models.imports import ImportJob
from bpmn_sales.persistence.models.instances import InstanceSnapshot, JournalEntry
from bpmn_sales.persistence.models.leads import Lead
from bpmn_sales.persistence.models.people import (
    Department,
    Group,
    Setting,
    SignInFailure,
    User,
    WebSession,
    group_members,
)
from bpmn_sales.persistence.models.processes import (
    BoardColumn,
    MigrationRun,
    Process,
    ProcessDraft,
    ProcessVersion,
    process_departments,
)
from bpmn_sales.persistence.models.records import (
    Approval,
    Attachment,
    Contact,
    Customer,
    HistoryEntry,
    Note,
    Order,
)
from bpmn_sales.persistence.models.rollups import (
    ClosedRollup,
    ForecastRollup,
    FunnelRollup,
    HistoryRollup,
    LeadRollup,
    OpenRollup,
    ReopenedRollup,
    StayRollup,
    WonRollup,
)
from bpmn_sales.persistence.models.search import SearchTerm
from bpmn_sales.persistence.models.work import FollowUp, Timer, WorkItem

__all__ = [
    "Approval",
    "Attachment",
    "Base",
    "BoardColumn",
    "ClosedRollup",
    "Contact",
    "Customer",
    "Deal",
    "Department",
    "FollowUp",
    "ForecastRollup",
    "FunnelRollup",
    "Group",
    "HistoryEntry",
    "HistoryRollup",
    "ImportJob",
    "InstanceSnapshot",
    "JournalEntry",
    "Lead",
    "LeadRollup",
    "MigrationRun",
    "Note",
    "Notification",
    "OpenRollup",
    "Order",
    "OutboxMessage",
    "Process",
    "ProcessDraft",
    "ProcessVersion",
    "ReopenedRollup",
    "SearchTerm",
    "Setting",
    "SignInFailure",
    "StageVisit",
    "StayRollup",
    "Target",
    "Timer",
    "UTCDateTime",
    "User",
    "WebSession",
    "Webhook",
    "WonRollup",
    "WorkItem",
    "group_members",
    "process_departments",
    "table_of",
]
