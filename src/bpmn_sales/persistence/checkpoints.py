"""WAL checkpoints of a SQLite file in a thread of their own, not in the committing request.

A task's completion commits ~27 pages to the WAL. With SQLite's default (`wal_autocheckpoint`
1000 pages) every ~35th commit copied the WAL into the database file and synced it inside
that commit: 5-25 ms in one request, still holding the process's writer lock (`db._Writers`),
so the requests queued behind it waited too. Those commits made a commit's p99 and half its mean.

Now a request connection checkpoints only past `VALVE_PAGES`, and every `EVERY_COMMITS` write
commits wake the engine's thread, which runs `PRAGMA wal_checkpoint(PASSIVE)` on a sqlite3
connection of its own. The committing thread only sets an event (and, once per burst, starts
the thread): no lock is held while checkpointing, and a passive checkpoint waits for no reader
or writer. The thread repeats a pass while the WAL grew under it. When it has copied the whole
WAL and the next transaction starts after that, its first write starts the WAL over. Under
transactions back to back that moment never comes (a pass syncs two files, 1-10 ms): the WAL
then grows to the valve, where one commit's own checkpoint copies what the thread has not yet
(at most `EVERY_COMMITS` commits' pages) and the WAL starts over: once in ~370 task commits
instead of ~35. A commit's checkpoint that meets the thread's pass holding the lock is skipped,
so the WAL may pass the valve by what is written during that pass (1.7x once, on a loaded
machine with slow syncs). Readers skip the frames already copied, so the longer WAL costs disk
(~40 MB and more), not reads.

Measured on a busy 2-core machine, before/after, each pair run in turn. `bench/checkpoints.py`
(1500 commits of ~27 pages, 1.5 ms of work between, 9 runs): commit mean 0.26-0.53 ms,
0.09-0.22 ms; p99 11-19 ms, 0.24-4.3 ms; the slowest 16-29 ms, 2-22 ms (the valve); the
median 0.06-0.10 ms, 0.09-0.12 ms (a WAL that grows writes new file space). `bench/roundtrip.py
--tasks 1000` (3 runs): ours 1.91-2.09 ms a task, 1.71-1.88 ms; p95 4.1-4.5 ms, 3.2-3.5 ms;
4 more pairs on a busier machine were within its noise (2.15-3.04 ms, 1.92-3.56 ms).
`bench/load.py` shows no difference beyond its noise: at 2 cores the server is CPU-bound, and
the checkpoint's work moves to another thread, it does not go away.

The thread starts at the first signal, closes its connection and exits after `IDLE_SECONDS`
without one (a test run makes hundreds of engines), and opens the file with `mode=rw`: a
database deleted meanwhile is not created again, and an error is logged at debug, never raised.
Several processes on one file each run their own; passive checkpoints are safe together.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)

EVERY_COMMITS = 32  # ~860 pages of task completions, about what the default copied at once
VALVE_PAGES = 10000
IDLE_SECONDS = 1.5
PASSES = 4  # at most, per wake-up, while the WAL keeps growing under the pass


class _Run:
    """One thread's wake-up and stop signals: a stopped thread never takes its successor's."""

    def __init__(self) -> None:
        self.wake = threading.Event()
        self.stop = False
        self.thread: threading.Thread | None = None


class Checkpointer:
    """Passive WAL checkpoints of the SQLite file at `path`, in a thread started on demand."""

    def __init__(
        self,
        path: Path,
        busy_timeout: float,
        every: int = EVERY_COMMITS,
        idle: float = IDLE_SECONDS,
    ) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self.every = every
        self.idle = idle
        self.commits = 0  # a count lost to a race between threads only delays a wake-up
        self.passes = 0  # checkpoints run, for tests and benchmarks
        self._lock = threading.Lock()  # guards _run, never held while checkpointing
        self._run: _Run | None = None

    def committed(self) -> None:
        """Count a write transaction's commit; every `every`th wakes the thread."""
        self.commits += 1
        if self.commits >= self.every:
            self.commits = 0
            self.signal()

    def signal(self) -> None:
        """Wake the thread, starting one if none is waiting."""
        with self._lock:
            run = self._run
            # A thread that is not alive here was left behind by a fork (its own exit clears _run).
            if run is None or run.thread is None or not run.thread.is_alive():
                run = self._run = _Run()
                run.thread = threading.Thread(
                    target=self._work, args=(run,), name=f"checkpoints of {self.path}", daemon=True
                )
                try:
                    run.thread.start()
                except RuntimeError as exc:  # the interpreter is shutting down
                    self._run = None
                    log.debug("no checkpoint thread for %s: %s", self.path, exc)
                    return
            run.wake.set()

    def stop(self) -> None:
        """Let the thread finish its pass, close its connection and exit (the next commit
        that wakes it starts another)."""
        with self._lock:
            run, self._run = self._run, None
            if run is None:
                return
            run.stop = True
            run.wake.set()
        if run.thread is not None and run.thread is not threading.current_thread():
            run.thread.join(self.busy_timeout)

    @property
    def running(self) -> bool:
        with self._lock:
            return self._run is not None

    def _work(self, run: _Run) -> None:
        connection: sqlite3.Connection | None = None
        try:
            while self._wait(run):
                run.wake.clear()
                if connection is None:
                    connection = self._connect()
                if connection is not None:
                    self._checkpoint(connection)
        finally:
            if connection is not None:
                connection.close()

    def _wait(self, run: _Run) -> bool:
        """Wait for a wake-up; False to exit: stopped, or idle (then the next signal starts
        another thread: the check and the hand-over share the lock `signal` takes)."""
        while not run.wake.wait(self.idle):
            with self._lock:
                if run.wake.is_set():
                    break
                if self._run is run:
                    self._run = None
                return False
        return not run.stop

    def _connect(self) -> sqlite3.Connection | None:
        uri = f"file:{quote(str(self.path))}?mode=rw"
        try:
            return sqlite3.connect(uri, uri=True, timeout=self.busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            log.debug("no checkpoint of %s: %s", self.path, exc)
            return None

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        """Checkpoint until a pass finds the WAL no longer than the one before saw it."""
        before = -1
        try:
            for _ in range(PASSES):
                row = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                self.passes += 1
                frames = row[1] if row else -1
                # Past the valve the commits checkpoint themselves: leave them the lock.
                if frames <= before or frames >= VALVE_PAGES:
                    return
                before = frames
        except sqlite3.Error as exc:
            log.debug("checkpoint of %s failed: %s", self.path, exc)
