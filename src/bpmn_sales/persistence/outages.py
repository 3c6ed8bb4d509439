"""Database outages as our own error, so callers outside persistence can wait and retry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bpmn_sales.errors import StorageUnavailable
from bpmn_sales.i18n import _


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn a lost or refused database connection into `StorageUnavailable`."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        raise StorageUnavailable(
            _("the database is unavailable: %(error)s", error=_first_line(exc))
        ) from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise StorageUnavailable(
                _("the database connection was lost: %(error)s", error=_first_line(exc))
            ) from exc
        raise


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig or exc).strip().splitlines()[0][:200]
