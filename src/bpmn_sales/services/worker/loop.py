"""The worker loop: fire due timers, deliver the outbox, sleep, repeat (issue 7).

Several workers may run at once on PostgreSQL: each lead's or deal's due timers are claimed
with `SELECT ... FOR UPDATE SKIP LOCKED` and fired in one transaction. On SQLite run one
worker: SQLite has no row locks, only one writer at a time for the whole file, so a second
worker would only wait for the first (the deal's row version would still refuse a double
firing, as a conflict).

A database outage (a restart, a dropped connection) does not end the loop: the pass is
logged and retried after a growing pause. A stop request (SIGTERM) is honoured between
deals: the current deal's transaction finishes, then the loop returns.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from bpmn_sales.context import Context
from bpmn_sales.errors import StorageUnavailable
from bpmn_sales.persistence.outages import storage_errors
from bpmn_sales.services import delivery
from bpmn_sales.services.worker import timers

log = logging.getLogger("bpmn_sales.worker")
MAX_BACKOFF = 60.0


@dataclass
class PassResult:
    fired: list[timers.Fired] = field(default_factory=list)
    delivered: int = 0


class Worker:
    """Run passes until stopped; `stop()` may be called from a signal handler."""

    def __init__(self, ctx: Context, interval: float = 5.0, batch: int = 100) -> None:
        self.ctx = ctx
        self.interval = interval
        self.batch = batch
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run_pass(self) -> PassResult:
        """Fire what is due and deliver the outbox, once."""
        with storage_errors():
            fired = timers.fire_due(self.ctx, self.batch, stop=lambda: self.stopping)
            delivered = 0 if self.stopping else delivery.deliver_due(self.ctx, self.batch)
        result = PassResult(fired, delivered)
        log.info(
            "pass done: %d timer firing(s) on %d record(s), %d outbox message(s) delivered",
            sum(len(f.timers) for f in fired),
            len(fired),
            delivered,
        )
        return result

    def run(self, once: bool = False) -> int:
        """Loop until stopped (or one pass with `once`); returns the process exit code."""
        backoff = min(self.interval, 1.0) or 1.0
        while not self.stopping:
            try:
                result = self.run_pass()
            except StorageUnavailable as exc:
                if once:
                    log.error("%s", exc.message)
                    return 1
                log.warning("%s; retrying in %.0f s", exc.message, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = min(self.interval, 1.0) or 1.0
            if once:
                break
            busy = len(result.fired) >= self.batch or result.delivered >= self.batch
            if not busy:
                self._stop.wait(self.interval)
        log.info("worker stopped")
        return 0
