"""Complete tasks over HTTP at a fixed concurrency against served processes; report latency.

    python bench/load.py [--requests N] [--concurrency C] [--processes P] [--database-url URL]

Builds a fresh database (SQLite in a temporary folder by default; with --database-url, that
database's public schema is dropped and rebuilt), deploys tests/data/rules/rated.bpmn, starts N
deals and takes each one's first ready task, so no two requests touch one deal. Then starts P
`bpmn-sales serve` processes (waitress; default 1 on SQLite, 2 on PostgreSQL) and posts
`/api/v1/tasks/<id>/complete` from C client threads (keep-alive connections, the processes taken
in turn), each task once: the run is bounded by N requests. Before that, each process completes
one task of a deal of its own, not counted: a running server has loaded the diagram already,
and a fresh one's first requests would each load it (~30 ms of CPU each) at once.

Reports requests per second, p50/p95/p99/max latency in ms, errors by status, how many
answers or server log lines said "database is locked", and the CPU the server processes and
this client spent per request (from /proc on Linux: a figure the other load on a shared machine
disturbs far less than latency). The last line is
`p50_ms=A p95_ms=B p99_ms=C errors=D locked=E server_cpu_ms=F`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from analytics import fresh
from bpmn_sales.services import deals, processes
from bpmn_sales.services.people import users

RATED = Path(__file__).resolve().parents[1] / "tests" / "data" / "rules" / "rated.bpmn"
LOCKED = "database is locked"


def prepare(url: str, count: int) -> tuple[str, list[str]]:
    """A fresh database with `count` rated deals: an admin's API token and one ready task id
    of each deal."""
    ctx = fresh(url)
    try:
        admin_view, token = users.create_user(ctx, None, "load-admin", "Load Admin", "admin")
        admin = users.actor_for_username(ctx, admin_view.username)
        processes.deploy_process(ctx, admin, {RATED.name: RATED.read_bytes()})
        tasks = []
        for n in range(count):
            deal = deals.create_deal(ctx, admin, f"Load {n}", "ACME Corp", "1000", process="rated")
            tasks.append(deal.tasks[0].task_id)
        return token, tasks
    finally:
        ctx.close()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU a process has used so far (None where /proc has no such figure)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_servers(
    url: str, count: int, threads: int, logs: Path
) -> tuple[list[subprocess.Popen[bytes]], list[int]]:
    command = Path(sys.executable).with_name("bpmn-sales")
    env = {**os.environ, "DATABASE_URL": url}
    servers, ports = [], []
    for n in range(count):
        port = free_port()
        with (logs / f"server-{n}.log").open("wb") as out:
            servers.append(
                subprocess.Popen(
                    [str(command), "serve", "--port", str(port), "--threads", str(threads)],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        ports.append(port)
    for server, port in zip(servers, ports, strict=True):
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                raise SystemExit(f"a server exited; see {logs}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=5):
                    break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise SystemExit(f"a server did not answer; see {logs}") from None
                time.sleep(0.2)
    return servers, ports


class Client(threading.Thread):
    """One client: takes task ids until none is left, one keep-alive connection per server."""

    def __init__(self, ports: list[int], offset: int, token: str, work: queue.Queue[str]) -> None:
        super().__init__(daemon=True)
        self.ports = ports
        self.turn = offset
        self.token = token
        self.work = work
        self.connections: dict[int, http.client.HTTPConnection] = {}
        self.times: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.locked = 0
        self.samples: list[str] = []

    def connection(self, port: int) -> http.client.HTTPConnection:
        if port not in self.connections:
            self.connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        return self.connections[port]

    def post(self, task_id: str) -> tuple[int, str]:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        for attempt in (1, 2):
            conn = self.connection(port)
            try:
                conn.request("POST", f"/api/v1/tasks/{task_id}/complete", b"{}", headers)
                answer = conn.getresponse()
                return answer.status, answer.read().decode(errors="replace")
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                del self.connections[port]
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def run(self) -> None:
        while True:
            try:
                task_id = self.work.get_nowait()
            except queue.Empty:
                break
            started = time.perf_counter()
            status, body = self.post(task_id)
            self.times.append(time.perf_counter() - started)
            self.statuses[status] += 1
            if status != 200:
                self.locked += LOCKED in body
                if len(self.samples) < 3:
                    self.samples.append(f"{status} {body[:200]}")
        for conn in self.connections.values():
            conn.close()


def quantile_ms(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="tasks completed in all")
    parser.add_argument("--concurrency", type=int, default=16, help="client threads")
    parser.add_argument("--processes", type=int, help="server processes (1 SQLite, 2 PostgreSQL)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per process")
    parser.add_argument("--database-url", help="PostgreSQL to use (default: a fresh SQLite)")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or args.threads < 1:
        parser.error("--requests, --concurrency and --threads must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bpmn-sales-load-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'load.sqlite3'}"
        count = args.processes or (1 if url.startswith("sqlite") else 2)
        token, tasks = prepare(url, args.requests + count)
        servers, ports = start_servers(url, count, args.threads, Path(tmp))
        try:
            for port in ports:  # warm up: the diagram loaded once per process
                warm = Client([port], 0, token, queue.Queue())
                status, body = warm.post(tasks.pop())
                warm.connection(port).close()
                if status != 200:
                    raise SystemExit(f"warming up failed: {status} {body[:200]}")
            work: queue.Queue[str] = queue.Queue()
            for task_id in tasks:
                work.put(task_id)
            clients = [Client(ports, n, token, work) for n in range(args.concurrency)]
            server_cpu = [cpu_seconds(server.pid) for server in servers]
            client_cpu = time.process_time()
            started = time.perf_counter()
            for client in clients:
                client.start()
            for client in clients:
                client.join()
            wall = time.perf_counter() - started
            client_cpu = time.process_time() - client_cpu
            server_cpu = [
                None if before is None or after is None else after - before
                for before, after in zip(
                    server_cpu, [cpu_seconds(server.pid) for server in servers], strict=True
                )
            ]
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
        logged = sum(
            (Path(tmp) / f"server-{n}.log").read_text(errors="replace").count(LOCKED)
            for n in range(count)
        )
    times = [t for c in clients for t in c.times]
    statuses: Counter[int] = sum((c.statuses for c in clients), Counter())
    errors = sum(n for status, n in statuses.items() if status != 200)
    locked = sum(c.locked for c in clients) + logged
    where = "PostgreSQL" if not url.startswith("sqlite") else "SQLite (WAL)"
    print(
        f"{len(times)} task completions over HTTP, concurrency {args.concurrency}, "
        f"{count} server process(es) x {args.threads} threads, {where}"
    )
    print(f"wall {wall:.1f} s, {len(times) / wall:.1f} requests/s")
    print(
        f"latency ms: p50 {quantile_ms(times, 0.5):.0f}  p95 {quantile_ms(times, 0.95):.0f}  "
        f"p99 {quantile_ms(times, 0.99):.0f}  max {1000 * max(times):.0f}"
    )
    served_ms = (
        None if None in server_cpu else 1000 * sum(c or 0.0 for c in server_cpu) / len(times)
    )
    print(
        "CPU ms per request: server "
        + ("unknown" if served_ms is None else f"{served_ms:.1f}")
        + f", client {1000 * client_cpu / len(times):.1f}"
    )
    print("statuses: " + json.dumps({str(k): v for k, v in sorted(statuses.items())}))
    for client in clients:
        for sample in client.samples:
            print(f"  e.g. {sample}")
    print(
        f"p50_ms={quantile_ms(times, 0.5):.0f} p95_ms={quantile_ms(times, 0.95):.0f} "
        f"p99_ms={quantile_ms(times, 0.99):.0f} errors={errors} locked={locked} "
        f"server_cpu_ms={'unknown' if served_ms is None else f'{served_ms:.1f}'}"
    )


if __name__ == "__main__":
    main()
