"""Delivery workers: a killed worker loses and repeats nothing; concurrent ones (PostgreSQL)
send each message once; an expired lease is taken over."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bpmn_sales.context import Context
from bpmn_sales.persistence.models import OutboxMessage
from bpmn_sales.services.delivery.outbox import STATUSES
from bpmn_sales.services.delivery.send import LEASE, deliver_due
from tests.fakes import FakeClock
from tests.local_servers import SmtpServer

CLI = Path(sys.executable).parent / "bpmn-sales"


def queue_mail(ctx: Context, count: int) -> None:
    now = ctx.clock()
    with ctx.uow() as store:
        for i in range(count):
            store.add(
                OutboxMessage(
                    channel="mail",
                    recipient=f"person{i}@example.test",
                    subject=f"Message {i}",
                    body=f"Body {i}",
                    payload={"kind": "test"},
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        store.commit()


def statuses(ctx: Context) -> Counter[str]:
    with ctx.uow() as store:
        return Counter({s: n for s, (n, _) in store.outbox_counts(STATUSES).items() if n})


def message_ids(server: SmtpServer) -> Counter[str]:
    return Counter(str(m["Message-ID"]) for m in server.catcher.messages)


def test_a_killed_worker_loses_nothing_and_repeats_nothing(
    ctx: Context, clock: FakeClock, smtp: SmtpServer
) -> None:
    queue_mail(ctx, 8)
    smtp.catcher.hold_after = 3  # the 4th mail is never accepted: the worker dies mid-send
    env = {**os.environ, "SMTP_URL": f"smtp://127.0.0.1:{smtp.port}"}
    worker = subprocess.Popen(
        [str(CLI), "--database-url", ctx.database_url, "outbox", "deliver"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert smtp.catcher.holding.wait(60), "the worker never reached the 4th mail"
    finally:
        worker.kill()
        worker.wait(30)
    assert statuses(ctx) == Counter(sent=3, sending=5)
    smtp.catcher.hold_after = None
    smtp.catcher.release()
    ctx.smtp_url = env["SMTP_URL"]
    clock.now = datetime.now(UTC)  # the dead worker's leases were taken on the real clock
    assert deliver_due(ctx) == 0, "a restarted worker leaves leased messages alone"
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert deliver_due(ctx) == 5
    assert statuses(ctx) == Counter(sent=8)
    sent = message_ids(smtp)
    assert len(sent) == 8 and set(sent.values()) == {1}, sent
    assert sorted(str(m["To"]) for m in smtp.catcher.messages) == sorted(
        f"person{i}@example.test" for i in range(8)
    )


def test_an_expired_claim_is_taken_over_and_its_owner_cannot_finish_it(
    ctx: Context, clock: FakeClock, smtp: SmtpServer
) -> None:
    queue_mail(ctx, 1)
    ctx.smtp_url = f"smtp://127.0.0.1:{smtp.port}"
    now = clock.now
    with ctx.uow() as store:
        [claimed] = store.claim_outbox(now, now + LEASE, "dead-worker", 10, ["mail"])
        store.commit()
    assert claimed.attempts == 1
    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert deliver_due(ctx) == 0
    clock.advance(seconds=1)
    assert deliver_due(ctx) == 1
    with ctx.uow() as store:
        assert not store.finish_outbox(claimed.id, "dead-worker", status="pending")
        store.commit()
    assert statuses(ctx) == Counter(sent=1)
    assert len(smtp.catcher.messages) == 1


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_workers_on_postgres_send_each_message_once(
    ctx: Context, clock: FakeClock, smtp: SmtpServer
) -> None:
    queue_mail(ctx, 100)
    url = f"smtp://127.0.0.1:{smtp.port}"
    workers = [ctx, Context(ctx.database_url, clock=clock)]
    for worker in workers:
        worker.smtp_url = url
    attempted = [0, 0]
    start = threading.Barrier(2)

    def run(index: int) -> None:
        start.wait()
        while (count := deliver_due(workers[index], limit=100)) > 0:
            attempted[index] += count

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    took = time.perf_counter() - began
    workers[1].close()
    assert sum(attempted) == 100, attempted
    assert min(attempted) > 0, f"both workers should have taken some: {attempted}"
    sent = message_ids(smtp)
    assert len(sent) == 100 and set(sent.values()) == {1}
    assert statuses(ctx) == Counter(sent=100)
    with ctx.uow() as store:
        assert {m.attempts for m in store.outbox("sent", 500)} == {1}
    print(f"two workers delivered 100 mails in {took:.2f}s: {attempted}")
