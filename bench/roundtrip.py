"""Time one user task completed and committed: naive Spiff round trip vs ours vs a blob UPDATE.

    python bench/roundtrip.py [--tasks N] [--database-url URL] [--warmup W]

(a) naive:    SELECT the full serialized workflow (spec embedded), deserialize, complete one
              READY user task, serialize, UPDATE, commit.
(b) ours:     services.worklist.complete_task through the real service layer and storage
              (spec stored once per version, instance state, work-item projection, history).
(c) limit:    UPDATE a TEXT value the size of our per-deal state, commit.
(d) floor:    what any SpiffWorkflow-based engine does at least: on an instance kept in memory,
              find a READY user task, task.run(), do_engine_steps(), then INSERT one ~300-byte
              journal row and commit through SQLAlchemy Core.

By default each contender gets its own fresh SQLite file (WAL, synchronous=NORMAL, the
product's engine setup) in a temporary directory; with --database-url all three share that
database (the bench creates its own users, deals and two scratch tables there).
The last line is `ratio_vs_naive=X.XX ratio_vs_limit=Y.YY ratio_vs_floor=Z.ZZ` (ours tasks/s
over theirs); the line before it gives the same ratios by the CPU time each task took, which
other work on the machine disturbs far less than the wall clock.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import TaskState
from sqlalchemy import Column, Engine, Integer, MetaData, Table, Text, insert, text

from bpmn_sales.context import Context, shared_process_engine
from bpmn_sales.domain.model import Actor
from bpmn_sales.persistence.db import make_engine
from bpmn_sales.persistence.models import Deal
from bpmn_sales.services import common, deals, processes, worklist
from bpmn_sales.services.deals import start
from bpmn_sales.services.people import users

# Two rated stages with two weighted activities each and no blocking rules (required fields,
# notes, approvals), so every ready task can be completed straight away: what is timed is the
# round trip, with the probability, rule checks and projections the product does on each one.
DIAGRAM = Path(__file__).resolve().parents[1] / "tests" / "data" / "rules" / "rated.bpmn"
PROCESS_KEY = "rated"
USER_TASKS_PER_DEAL = 4  # 2 user tasks in each of 2 stages


@dataclass
class Result:
    name: str
    times: list[float]
    # The thread's CPU time per task (time.thread_time): on a machine other work keeps busy,
    # the wall-clock times also hold the waits for a core; these do not.
    cpu: list[float]

    @property
    def cpu_ms(self) -> float:
        return 1000 * sum(self.cpu) / len(self.cpu)

    @property
    def total(self) -> float:
        return sum(self.times)

    @property
    def per_second(self) -> float:
        return len(self.times) / self.total

    @property
    def mean_ms(self) -> float:
        return 1000 * self.total / len(self.times)

    def quantile_ms(self, q: float) -> float:
        ordered = sorted(self.times)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# A task of a contender: what to do untimed first (ours: look up the ready task's id), and
# the timed part, given what the first returned.
Step = tuple[Callable[[], Any], Callable[[Any], None]]


def _nothing() -> None:
    return None


def plain(steps: Sequence[Callable[[], None]]) -> list[Step]:
    """Steps with nothing to do before the timed part."""
    return [(_nothing, lambda _arg, step=step: step()) for step in steps]


def timed(steps: Sequence[Callable[[], None]], warmup: int, name: str) -> Result:
    """Run the first `warmup` steps untimed, then time each of the rest on its own."""
    return in_rounds({name: plain(steps)}, warmup, 1)[name]


def in_rounds(contenders: dict[str, list[Step]], warmup: int, rounds: int) -> dict[str, Result]:
    """Warm every contender up (its first `warmup` steps, untimed), then time the rest in
    `rounds` turns: each turn runs the next share of every contender's steps, the contenders
    in a rotating order. A burst of other work on a shared machine then falls on all of them
    alike instead of on whichever ran alone through it."""
    for steps in contenders.values():
        for prepare, act in steps[:warmup]:
            act(prepare())
    gc.collect()
    results = {name: Result(name, [], []) for name in contenders}
    count = min(len(steps) for steps in contenders.values()) - warmup
    rounds = max(1, min(rounds, count))
    bounds = [warmup + count * turn // rounds for turn in range(rounds + 1)]
    names = list(contenders)
    for turn, (low, high) in enumerate(itertools.pairwise(bounds)):
        for name in names[turn % len(names) :] + names[: turn % len(names)]:
            result = results[name]
            for prepare, act in contenders[name][low:high]:
                argument = prepare()
                start, start_cpu = time.perf_counter(), time.thread_time()
                act(argument)
                result.times.append(time.perf_counter() - start)
                result.cpu.append(time.thread_time() - start_cpu)
    return results


def deal_data(index: int) -> dict[str, Any]:
    """The instance data start_deal gives a deal (same for the naive instances)."""
    fields = start.deal_fields(f"Deal {index}", "ACME Corp", "12500.00", None)
    return {"deal": {**fields, "value": float(fields["value"])}}


def round_robin(count: int, deals_count: int) -> list[int]:
    """Deal indexes for `count` tasks, one task per deal in turn (each deal gets <= 6)."""
    return [i % deals_count for i in range(count)]


def byte_sizes(engine: Engine, sql: str) -> list[int]:
    with engine.connect() as conn:
        return [len(value.encode()) for (value,) in conn.execute(text(sql))]


# -- (a) the naive round trip ------------------------------------------------------------
class Naive:
    """Full workflow JSON (spec embedded) in one TEXT column, the way Spiff's docs show it."""

    def __init__(self, engine: Engine, deals_count: int) -> None:
        self.engine = engine
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.script_engine = shared_process_engine().script_engine
        parsed = shared_process_engine().compiler.compile({DIAGRAM.name: DIAGRAM.read_bytes()})
        process = next(p for p in parsed if p.key == PROCESS_KEY)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS naive_instances"))
            conn.execute(
                text("CREATE TABLE naive_instances (id INTEGER PRIMARY KEY, workflow TEXT)")
            )
        for index in range(deals_count):
            workflow = BpmnWorkflow(
                process.spec, process.subprocess_specs, script_engine=self.script_engine
            )
            data = deal_data(index)
            workflow.data.update(data)
            workflow.task_tree.data.update(data)
            workflow.do_engine_steps()
            with engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO naive_instances (id, workflow) VALUES (:id, :wf)"),
                    {"id": index + 1, "wf": self.serializer.serialize_json(workflow)},
                )

    def complete_one(self, instance_id: int) -> None:
        with self.engine.connect() as conn:
            dumped = conn.execute(
                text("SELECT workflow FROM naive_instances WHERE id = :id"), {"id": instance_id}
            ).scalar_one()
            workflow = self.serializer.deserialize_json(dumped)
            workflow.script_engine = self.script_engine
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            task.run()
            workflow.do_engine_steps()
            conn.execute(
                text("UPDATE naive_instances SET workflow = :wf WHERE id = :id"),
                {"wf": self.serializer.serialize_json(workflow), "id": instance_id},
            )
            conn.commit()

    def steps(self, order: list[int]) -> list[Callable[[], None]]:
        return [lambda i=i: self.complete_one(i + 1) for i in order]

    def sizes(self) -> list[int]:
        return byte_sizes(self.engine, "SELECT workflow FROM naive_instances")


# -- (b) ours ----------------------------------------------------------------------------
class Ours:
    """The product: deploy, an admin who owns every deal, complete_task per task."""

    def __init__(self, ctx: Context, deals_count: int, name: str) -> None:
        self.ctx = ctx
        self.name = name
        ctx.migrate()
        username = f"bench-{uuid.uuid4().hex[:8]}"
        users.create_user(ctx, None, username, "Bench Admin", "admin")
        self.actor: Actor = users.actor_for_username(ctx, username)
        processes.deploy_process(ctx, self.actor, {DIAGRAM.name: DIAGRAM.read_bytes()})
        self.deal_ids = [
            deals.create_deal(
                self.ctx, self.actor, f"Deal {i}", "ACME Corp", "12500.00", process=PROCESS_KEY
            ).id
            for i in range(deals_count)
        ]

    def ready_task(self, deal_id: int) -> str:
        """A ready task of the deal, looked up from the projection (not timed)."""
        with self.ctx.db.connect() as conn:
            task_id: str = conn.execute(
                text(
                    "SELECT task_id FROM work_items WHERE subject_type = 'deal' "
                    "AND subject_id = :id ORDER BY task_id LIMIT 1"
                ),
                {"id": deal_id},
            ).scalar_one()
        return task_id

    def steps(self, order: list[int]) -> list[Step]:
        """Look up the deal's ready task (untimed), then complete it."""
        return [
            (
                lambda deal_id=self.deal_ids[index]: self.ready_task(deal_id),
                lambda task_id: worklist.complete_task(self.ctx, self.actor, task_id),
            )
            for index in order
        ]

    def sizes(self) -> list[int]:
        ids = ",".join(str(i) for i in self.deal_ids)
        sql = (
            "SELECT state FROM instance_snapshots WHERE subject_type = 'deal' "
            f"AND subject_id IN ({ids})"
        )
        return byte_sizes(self.ctx.db, sql)

    def journal_sizes(self) -> list[int]:
        """Bytes of each deal's journal (the deltas after its snapshot), 0 for none."""
        ids = ",".join(str(i) for i in self.deal_ids)
        sql = (
            "SELECT subject_id, body FROM instance_journal "
            f"WHERE subject_type = 'deal' AND subject_id IN ({ids})"
        )
        sizes = dict.fromkeys(self.deal_ids, 0)
        with self.ctx.db.connect() as conn:
            for subject_id, body in conn.execute(text(sql)):
                sizes[subject_id] += len(body.encode())
        return list(sizes.values())

    def memory(self) -> tuple[float, float]:
        """(KiB per instance restored from storage, as tracemalloc sees it once restored and
        projected; KiB the live cache counts for each): what a cached instance costs."""
        self.ctx.live.clear()
        with self.ctx.uow() as store:
            subjects = [store.get(Deal, deal_id, "deal") for deal_id in self.deal_ids]
            common.restore(self.ctx, store, subjects[0])  # the spec, parsed once beforehand
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.take_snapshot()
            instances = [common.restore(self.ctx, store, subject) for subject in subjects]
            gc.collect()
            after = tracemalloc.take_snapshot()
            tracemalloc.stop()
        grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
        estimate = statistics.fmean(i.memory_estimate() for i in instances)
        return grown / len(instances) / 1024, estimate / 1024

    def spec_size(self) -> int:
        sql = (
            "SELECT pv.spec_json FROM process_versions pv JOIN deals d "
            f"ON d.process_version_id = pv.id WHERE d.id = {self.deal_ids[0]}"
        )
        return byte_sizes(self.ctx.db, sql)[0]


# -- (c) the physical limit --------------------------------------------------------------
class Limit:
    """One UPDATE of a TEXT value of our state's size and a commit: the storage floor."""

    def __init__(self, engine: Engine, rows: int, size: int) -> None:
        self.engine = engine
        self.payloads = [letter * size for letter in "abcdefgh"]
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS limit_blobs"))
            conn.execute(text("CREATE TABLE limit_blobs (id INTEGER PRIMARY KEY, state TEXT)"))
            conn.execute(
                text("INSERT INTO limit_blobs (id, state) VALUES (:id, :state)"),
                [{"id": i + 1, "state": self.payloads[0]} for i in range(rows)],
            )

    def update_one(self, row_id: int, payload: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(
                text("UPDATE limit_blobs SET state = :state WHERE id = :id"),
                {"state": payload, "id": row_id},
            )
            conn.commit()

    def steps(self, order: list[int]) -> list[Callable[[], None]]:
        return [
            lambda n=n, i=i: self.update_one(i + 1, self.payloads[(n + 1) % len(self.payloads)])
            for n, i in enumerate(order)
        ]


# -- (d) the engine floor ---------------------------------------------------------------
class Floor:
    """In-memory instances, the engine's own run, one small journal INSERT and a commit."""

    def __init__(self, engine: Engine, deals_count: int) -> None:
        self.engine = engine
        script_engine = shared_process_engine().script_engine
        parsed = shared_process_engine().compiler.compile({DIAGRAM.name: DIAGRAM.read_bytes()})
        process = next(p for p in parsed if p.key == PROCESS_KEY)
        self.workflows = []
        for index in range(deals_count):
            workflow = BpmnWorkflow(
                process.spec, process.subprocess_specs, script_engine=script_engine
            )
            data = deal_data(index)
            workflow.data.update(data)
            workflow.task_tree.data.update(data)
            workflow.do_engine_steps()
            self.workflows.append(workflow)
        metadata = MetaData()
        self.table = Table(
            "floor_journal",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("instance_id", Integer),
            Column("body", Text),
        )
        metadata.drop_all(engine)
        metadata.create_all(engine)
        self.append = insert(self.table)
        self.body = "x" * 300

    def complete_one(self, index: int) -> None:
        workflow = self.workflows[index]
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.run()
        workflow.do_engine_steps()
        with self.engine.connect() as conn:
            conn.execute(self.append, {"instance_id": index + 1, "body": self.body})
            conn.commit()

    def steps(self, order: list[int]) -> list[Callable[[], None]]:
        return [lambda i=i: self.complete_one(i) for i in order]


# -- report ------------------------------------------------------------------------------
def mean_int(values: list[int]) -> int:
    return round(statistics.fmean(values)) if values else 0


def report(
    results: list[Result],
    naive_sizes: list[int],
    our_sizes: list[int],
    journal_sizes: list[int],
    spec_size: int,
    memory: tuple[float, float],
) -> None:
    print(
        f"{'contender':<24}{'tasks/s':>10}{'mean ms':>10}{'p50 ms':>10}{'p95 ms':>10}{'cpu ms':>10}"
    )
    for r in results:
        print(
            f"{r.name:<24}{r.per_second:>10.1f}{r.mean_ms:>10.3f}"
            f"{r.quantile_ms(0.5):>10.3f}{r.quantile_ms(0.95):>10.3f}{r.cpu_ms:>10.3f}"
        )
    print()
    print("stored bytes per instance (mean / max over all instances after the run)")
    print(f"  naive full JSON (spec embedded): {mean_int(naive_sizes):>8} / {max(naive_sizes)}")
    print(f"  ours snapshot (state only):      {mean_int(our_sizes):>8} / {max(our_sizes)}")
    print(f"  ours journal after it:           {mean_int(journal_sizes):>8} / {max(journal_sizes)}")
    print(f"  ours spec (once per version):    {spec_size:>8}")
    print()
    print(
        f"memory per instance restored from storage: {memory[0]:.1f} KiB (tracemalloc); "
        f"the live cache counts {memory[1]:.1f} KiB for it"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300, help="timed user tasks per contender")
    parser.add_argument("--warmup", type=int, default=12, help="untimed tasks first")
    parser.add_argument("--database-url", help="one database for all three (default: temp)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=10,
        help="turns the contenders take through their tasks (1: each runs all of its alone)",
    )
    args = parser.parse_args(argv)
    tasks, warmup = args.tasks, args.warmup
    if tasks < 1 or warmup < 0:
        parser.error("--tasks must be >= 1 and --warmup >= 0")
    deals_count = (tasks + warmup) // USER_TASKS_PER_DEAL + 1
    order = round_robin(tasks + warmup, deals_count)

    with tempfile.TemporaryDirectory(prefix="bpmn-sales-bench-") as tmp:

        def url(name: str) -> str:
            return args.database_url or f"sqlite:///{Path(tmp) / name}.sqlite3"

        naive_engine = make_engine(url("naive"))
        ctx = Context(url("ours"))
        cold_ctx = Context(url("ours_cold"))
        cold_ctx.live.budget = 0  # every task restores its instance from the stored state
        limit_engine = make_engine(url("limit"))
        floor_engine = make_engine(url("floor"))
        try:
            where = args.database_url or f"fresh SQLite files (WAL) in {tmp}"
            print(
                f"{tasks} timed tasks (+{warmup} warm-up) over {deals_count} deals, "
                f"in {args.rounds} rounds; {where}"
            )
            naive = Naive(naive_engine, deals_count)
            ours = Ours(ctx, deals_count, "ours (complete_task)")
            cold = Ours(cold_ctx, deals_count, "ours, no live cache")
            floor = Floor(floor_engine, deals_count)
            results = in_rounds(
                {
                    "naive Spiff round trip": plain(naive.steps(order)),
                    ours.name: ours.steps(order),
                    cold.name: cold.steps(order),
                    "floor (engine + INSERT)": plain(floor.steps(order)),
                },
                warmup,
                args.rounds,
            )
            naive_result, our_result, cold_result, floor_result = results.values()
            our_sizes = ours.sizes()
            limit = Limit(limit_engine, deals_count, mean_int(our_sizes))
            limit_result = timed(limit.steps(order), warmup, "limit (blob UPDATE)")
            print()
            report(
                [naive_result, our_result, cold_result, limit_result, floor_result],
                naive.sizes(),
                our_sizes,
                ours.journal_sizes(),
                ours.spec_size(),
                ours.memory(),
            )
        finally:
            naive_engine.dispose()
            ctx.close()
            cold_ctx.close()
            limit_engine.dispose()
            floor_engine.dispose()
    cold_ratio = cold_result.per_second / naive_result.per_second
    print(f"cold (no live cache) ratio_vs_naive={cold_ratio:.2f}")
    print(
        "by CPU time (steadier on a busy machine): "
        f"ratio_vs_naive={naive_result.cpu_ms / our_result.cpu_ms:.2f} "
        f"ratio_vs_floor={floor_result.cpu_ms / our_result.cpu_ms:.2f} "
        f"cold ratio_vs_naive={naive_result.cpu_ms / cold_result.cpu_ms:.2f}"
    )
    print(
        f"ratio_vs_naive={our_result.per_second / naive_result.per_second:.2f} "
        f"ratio_vs_limit={our_result.per_second / limit_result.per_second:.2f} "
        f"ratio_vs_floor={our_result.per_second / floor_result.per_second:.2f}"
    )


if __name__ == "__main__":
    main()
