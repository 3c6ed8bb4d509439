"""The unit of work and the Store, one transaction: commits, generic get/add/flush, after-commit
callbacks. The queries use cases need are mixins by subject in persistence/queries/."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bpmn_sales.domain.model import MAX_ID
from bpmn_sales.domain.policy import missing
from bpmn_sales.errors import Conflict, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence import search_terms  # noqa: F401 - registers the listener
from bpmn_sales.persistence.models import Base
from bpmn_sales.persistence.queries.analytics import AnalyticsQueries
from bpmn_sales.persistence.queries.batches import Pending
from bpmn_sales.persistence.queries.board import BoardQueries
from bpmn_sales.persistence.queries.delivery import DeliveryQueries, announce_history
from bpmn_sales.persistence.queries.drafts import DraftQueries
from bpmn_sales.persistence.queries.imports import ImportQueries
from bpmn_sales.persistence.queries.instances import InstanceQueries
from bpmn_sales.persistence.queries.library import LibraryQueries
from bpmn_sales.persistence.queries.migration_runs import MigrationQueries
from bpmn_sales.persistence.queries.notifications import NotificationQueries
from bpmn_sales.persistence.queries.people import PeopleQueries
from bpmn_sales.persistence.queries.processes import ProcessQueries
from bpmn_sales.persistence.queries.records import RecordQueries
from bpmn_sales.persistence.queries.subjects import SubjectQueries
from bpmn_sales.persistence.queries.timers import TimerQueries
from bpmn_sales.persistence.queries.web_sessions import WebSessionQueries
from bpmn_sales.persistence.queries.worklist import WorklistQueries

M = TypeVar("M", bound=Base)


class Store(
    PeopleQueries,
    ProcessQueries,
    SubjectQueries,
    InstanceQueries,
    RecordQueries,
    WorklistQueries,
    NotificationQueries,
    BoardQueries,
    TimerQueries,
    DeliveryQueries,
    AnalyticsQueries,
    LibraryQueries,
    DraftQueries,
    MigrationQueries,
    WebSessionQueries,
    ImportQueries,
):
    """Repository over one session; `commit` is the only way changes reach the database."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._after_commit: list[Callable[[], None]] = []
        # A bulk import sets this: it keeps no instance live after the commit, which would
        # hold every record it created in memory until then (services/importing/).
        self.bulk = False
        # While `batched()` is open: the new rows of history, tasks and timers, kept to be
        # written together (persistence/queries/batches.py).
        self.pending: Pending | None = None

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this transaction has committed (never if it rolls back)."""
        self._after_commit.append(callback)

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Inside, the history entries, work items and timers of new records are kept; they
        are written when it closes, one statement per table, whatever the number of records."""
        assert self.pending is None, "batches do not nest"
        self.pending = pending = Pending()
        try:
            yield
        finally:
            self.pending = None
        entries = pending.write(self.session.connection())
        if entries:
            announce_history(self.session, entries)

    # -- transaction -------------------------------------------------------------------
    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise Conflict(
                _("someone else changed this record since you read it; reload and try again")
            ) from None
        except IntegrityError as exc:
            self.session.rollback()
            raise Conflict(
                _("the change conflicts with existing data: %(error)s", error=exc.orig)
            ) from None
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def no_autoflush(self) -> Any:
        """Queries inside do not flush pending changes (so a row is written once, at the end)."""
        return self.session.no_autoflush

    def add(self, obj: object) -> None:
        self.session.add(obj)

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError:
            raise Conflict(_("someone else changed this record since you read it")) from None
        except IntegrityError as exc:  # e.g. two imports of one external id at the same time
            raise Conflict(
                _("the change conflicts with existing data: %(error)s", error=exc.orig)
            ) from None

    # -- generic -----------------------------------------------------------------------
    def get(self, model: type[M], ident: int, what: str) -> M:
        # An id no column can hold is simply not there (SQLite would overflow looking).
        obj = self.session.get(model, ident) if abs(ident) <= MAX_ID else None
        if obj is None:
            raise NotFound(missing(what, ident), id=ident)
        return obj


class UnitOfWork:
    """`with uow as store: ...; store.commit()`; leaving without commit rolls back."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self._session: Session | None = None

    def __enter__(self) -> Store:
        self._session = self.factory()
        return Store(self._session)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        self._session.rollback()
        self._session.close()
        self._session = None
        # A stale row can surface at any autoflush, not only at commit: report it the same way.
        if isinstance(exc, StaleDataError):
            raise Conflict(
                _("someone else changed this record since you read it; reload and try again")
            ) from None
