"""Time every daily page and list API at 10k and 100k deals: time, response size, SQL statements.

    python bench/pages.py [--sizes 10000,100000] [--database-url URL] [--repeat 5] [--million]
                          [--keep DIR]

Each size gets a fresh SQLite file (WAL, the product's migrations and indexes) in a temporary
directory, or, with --database-url (e.g. PostgreSQL), that database emptied first; --million
adds a 1,000,000-deal run. With --keep DIR (SQLite), each size's database is built once into
DIR and reused by later runs, brought to the newest migration (new indexes) and analyzed
again first: building 100k deals takes minutes, 1M far longer. The deals, their stage visits
and history come from the `bench/analytics.py` loader (60 owners in 6 teams; 30% open, 45%
lost, 25% won; every stage of the bundled sales process). On top of it, the mix this
benchmark documents:

- one deal and one lead are started through the real use cases; every loaded deal and lead
  then holds that real instance's serialized state (so rows are as large as real ones; no
  page may read it), and every open deal gets that deal's ready tasks as its work items;
- a third as many leads as deals (40% new, 40% qualified, 20% disqualified);
- approvals waiting for the owner's manager on open deals in solution design: about 100 per
  manager whatever the size (a queue of approvals is as long as a manager's pace, not as the
  company's history; and the approvals page is full at every size, so its growth is the
  query's, not more rows rendered);
- notifications spread over the users: one per 10 deals, and at least about 120 per user
  (at 10k deals too, so every notification list's first page is full at both sizes);
- the search terms of every deal and lead (as the product keeps them);
- the rep's board full at every size: each stage holds at least two pages of the rep's open
  deals (2 x CARDS_PER_COLUMN; at 10k deals other reps' open deals are handed to the rep, with
  their stays and tasks, in a kept database too), so the board and its "show more" render as
  many cards at 10k as at 100k and their growth is the queries', not more cards shown (as
  with approvals and notifications above).

Then, signed in as a rep (rep0_1), a manager (manager0) and an admin, each page and list API
a person opens daily is requested once to warm up and timed as the median of --repeat warm
requests (Flask's test client: the whole request, no network), with the size of its answer
and the number of SQL statements it ran. On SQLite every size's database is open at once and
the sizes' requests alternate (10k, 100k, 10k, ...), so load from elsewhere on a shared
machine slows the sizes alike instead of skewing their ratio. The migration preview (its
first page) is timed on a second version of the sales process deployed for it.

It prints a table per size, the growth (time at the largest size / time at the smallest) per
page, and, last, exactly `worst_growth=X max_queries=N max_kb=K`: the largest time ratio over
all pages, the most statements one request ran and the largest answer in KB (all sizes).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from bpmn_sales.context import BUNDLED_DIAGRAMS, Context
from bpmn_sales.domain.model import Actor, Role
from bpmn_sales.domain.search import terms
from bpmn_sales.persistence.models import Deal, Lead
from bpmn_sales.services import common, deals, leads, processes
from bpmn_sales.services.board.view import CARDS_PER_COLUMN
from bpmn_sales.services.people import sessions, users
from bpmn_sales.web import create_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The shared empty database and loader of deals, stage visits and history.
from analytics import NOW, fresh, load

BATCH = 20_000
APPROVALS = 600  # waiting approvals, whatever the size (six managers)
NOTICES = 120  # notifications per user at least
# Bumped whenever the loaded data changes, so a kept database (--keep) is built again.
MIX = 3
REP, MANAGER, ADMIN = "rep0_1", "manager0", "admin"
# (who, what): every page and list API timed; paths under /api/v1 use the user's token.
PAGES: list[tuple[str, str]] = [
    (REP, "/board?process=sales_process"),
    (REP, "/deals"),
    (REP, "/deals?q=deal+12&sort=value"),
    (REP, "/leads"),
    (REP, "/tasks"),
    (REP, "/notifications"),
    (REP, "/deals/{deal}"),
    (REP, "/api/v1/deals"),
    (REP, "/api/v1/tasks"),
    (REP, "/api/v1/board?process=sales_process"),
    (REP, "/api/v1/board/columns/initial_visit/cards?process=sales_process&cursor={cards}"),
    (REP, "/api/v1/deals/{deal}/history"),
    (MANAGER, "/board?process=sales_process"),
    (MANAGER, "/approvals"),
    (MANAGER, "/deals?sort=value&status=open"),
    (MANAGER, "/tasks"),
    (MANAGER, "/api/v1/deals?sort=close"),
    (MANAGER, "/api/v1/leads?sort=value"),
    (ADMIN, "/board?process=sales_process"),
    (ADMIN, "/deals"),
    (ADMIN, "/leads?status=new"),
    (ADMIN, "/analytics"),
    (ADMIN, "/processes"),
    (ADMIN, "/processes/sales_process"),
    (ADMIN, "/admin/users"),
    (ADMIN, "/admin/delivery"),
    (ADMIN, "/api/v1/deals?status=lost&sort=value"),
    (ADMIN, "/api/v1/notifications"),
    (ADMIN, "/api/v1/outbox"),
    (ADMIN, "/processes/sales_process/migrate"),
    (ADMIN, "/api/v1/processes/sales_process/migration?limit=50"),
]


@dataclass
class Figure:
    ms: float
    spread: tuple[float, float]
    kb: float
    queries: int


def real_parts(ctx: Context) -> tuple[str, str, list[dict[str, Any]]]:
    """A real deal's and lead's serialized state, and the deal's ready tasks."""
    rep = users.actor_for_username(ctx, REP)
    deal = deals.create_deal(ctx, rep, "Real deal", "Real customer", 5000)
    lead = leads.create_lead(ctx, rep, "Real lead", "Real company")
    # The whole instance (the snapshot with its journal applied): the copies have no journal.
    with ctx.uow() as store:
        deal_state = common.stored_state(ctx, store, store.get(Deal, deal.id, "deal"))
        lead_state = common.stored_state(ctx, store, store.get(Lead, lead.id, "lead"))
    with ctx.db.connect() as conn:
        items = conn.execute(
            text(
                "SELECT element_id, title, lane, role, stage_key FROM work_items "
                "WHERE subject_type = 'deal' AND subject_id = :i"
            ),
            {"i": deal.id},
        )
        return deal_state, lead_state, [dict(r._mapping) for r in items]


def approval_element(ctx: Context) -> str:
    from bpmn_sales.services.worklist.approvals import approval_elements

    with ctx.uow() as store:
        return approval_elements(ctx, store)[0]


def fill_board(ctx: Context, username: str) -> None:
    """Hand `username` other reps' open deals (with their stays and tasks) until each stage
    holds two pages of cards; nothing when it does already."""
    wanted = 2 * CARDS_PER_COLUMN
    with ctx.db.begin() as conn:
        rep, manager = conn.execute(
            text("SELECT id, manager_id FROM users WHERE username = :u"), {"u": username}
        ).one()
        stages = conn.execute(
            text(
                "SELECT stage_key, SUM(CASE WHEN owner_id = :r THEN 1 ELSE 0 END) FROM deals "
                "WHERE status = 'open' AND stage_key IS NOT NULL GROUP BY stage_key"
            ),
            {"r": rep},
        ).all()
        for stage, held in stages:
            if held >= wanted:
                continue
            ids = conn.execute(
                text(
                    # Spread over the history (not the oldest deals), as a rep's own are.
                    "SELECT id FROM deals WHERE status = 'open' AND stage_key = :s "
                    "AND owner_id != :r ORDER BY (id * 7919) % 10007, id LIMIT :n"
                ),
                {"s": stage, "r": rep, "n": wanted - held},
            ).scalars()
            for deal_id in ids.all():
                given = {"r": rep, "m": manager, "d": deal_id}
                conn.execute(text("UPDATE deals SET owner_id = :r WHERE id = :d"), given)
                conn.execute(
                    text("UPDATE stage_visits SET owner_id = :r WHERE deal_id = :d"), given
                )
                conn.execute(
                    text(
                        "UPDATE work_items SET owner_id = :r, assignee_id = CASE WHEN "
                        "role = 'manager' THEN :m ELSE assignee_id END "
                        "WHERE subject_type = 'deal' AND subject_id = :d"
                    ),
                    given,
                )


def add_mix(ctx: Context, size: int, rng: random.Random) -> None:
    """The documented mix on top of the loaded deals (see the module's docstring)."""
    deal_state, lead_state, tasks = real_parts(ctx)
    approval = approval_element(ctx)
    # ~6% of the deals are open in solution design: ~600 approvals, ~100 per manager.
    waiting = min(1.0, APPROVALS / (0.06 * size))
    with ctx.db.begin() as conn:
        conn.execute(
            text("UPDATE deals SET state_version = 0, instance_version = 0 WHERE id <= :n"),
            {"n": size},
        )
        conn.execute(
            text(
                "INSERT INTO instance_snapshots (subject_type, subject_id, state) "
                "SELECT 'deal', id, :s FROM deals WHERE id <= :n "
                "ON CONFLICT (subject_type, subject_id) DO UPDATE SET state = excluded.state"
            ),
            {"s": deal_state, "n": size},
        )
        version = conn.execute(text("SELECT process_version_id FROM leads LIMIT 1")).scalar_one()
        managers = dict(conn.execute(text("SELECT id, manager_id FROM users")).all())
        user_ids = list(managers)
    noticed = min(1.0, max(0.1, NOTICES * len(user_ids) / size))
    first_lead = size + 10
    for start in range(1, size + 1, BATCH):
        with ctx.db.begin() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, name, owner_id, status, stage_key, created_at FROM deals "
                    "WHERE id >= :a AND id < :b AND id <= :n"
                ),
                {"a": start, "b": start + BATCH, "n": size},
            ).all()
            items, words, notes = [], [], []
            for r in rows:
                words += [{"k": "deal", "t": t, "i": r.id} for t in terms(r.name)]
                if rng.random() < noticed:
                    notes.append({"u": rng.choice(user_ids), "d": r.id, "m": f"{r.name} moved"})
                if r.status != "open":
                    continue
                for t in tasks:
                    items.append(
                        {
                            **t,
                            "id": str(uuid.uuid4()),
                            "d": r.id,
                            "o": r.owner_id,
                            "m": None,
                            "at": r.created_at,
                        }
                    )
                if r.stage_key == "solution_design" and rng.random() < waiting:
                    items.append(
                        {
                            "element_id": approval,
                            "title": "Approve solution",
                            "lane": None,
                            "role": "manager",
                            "stage_key": r.stage_key,
                            "id": str(uuid.uuid4()),
                            "d": r.id,
                            "o": r.owner_id,
                            "m": managers.get(r.owner_id),
                            "at": r.created_at,
                        }
                    )
            if items:
                conn.execute(
                    text(
                        "INSERT INTO work_items (task_id, subject_type, subject_id, element_id, "
                        "title, lane, role, stage_key, owner_id, assignee_id, created_at) VALUES "
                        "(:id, 'deal', :d, :element_id, :title, :lane, :role, :stage_key, :o, "
                        ":m, :at)"
                    ),
                    items,
                )
            conn.execute(
                text(
                    "INSERT INTO search_terms (subject_type, term, subject_id) VALUES (:k, :t, :i)"
                ),
                words,
            )
            if notes:
                conn.execute(
                    text(
                        "INSERT INTO notifications (user_id, subject_type, subject_id, kind, "
                        "message, created_at) VALUES (:u, 'deal', :d, 'moved', :m, :at)"
                    ),
                    [{**n, "at": NOW} for n in notes],
                )
    lead_count = size // 3
    for start in range(0, lead_count, BATCH):
        batch = range(start, min(start + BATCH, lead_count))
        rows, words = [], []
        for n in batch:
            lead_id = first_lead + n
            roll = rng.random()
            status = "new" if roll < 0.4 else ("qualified" if roll < 0.8 else "disqualified")
            name = f"Lead {lead_id}"
            rows.append(
                {
                    "id": lead_id,
                    "name": name,
                    "company": f"Company {n % 997}",
                    "value": rng.randrange(500, 50000, 500),
                    "status": status,
                    "owner": 2 + rng.randrange(6) * 10 + rng.randrange(1, 10),
                    "version": version,
                    "state": lead_state,
                    "reason": "No budget" if status == "disqualified" else None,
                    "at": NOW - timedelta(days=rng.randrange(700)),
                }
            )
            words += [
                {"k": "lead", "t": t, "i": lead_id} for t in terms(name, f"Company {n % 997}")
            ]
        with ctx.db.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO leads (id, name, company, estimated_value, status, owner_id, "
                    "process_version_id, disqualify_reason, version, created_at, "
                    "updated_at) VALUES (:id, :name, :company, :value, :status, :owner, "
                    ":version, :reason, 1, :at, :at)"
                ),
                rows,
            )
            conn.execute(
                text(
                    "INSERT INTO instance_snapshots (subject_type, subject_id, state) "
                    "VALUES ('lead', :id, :state)"
                ),
                [{"id": r["id"], "state": r["state"]} for r in rows],
            )
            conn.execute(
                text(
                    "INSERT INTO search_terms (subject_type, term, subject_id) VALUES (:k, :t, :i)"
                ),
                words,
            )
    with ctx.db.begin() as conn:
        conn.execute(text("ANALYZE"))


def signed_in(app: Flask, ctx: Context, username: str) -> tuple[FlaskClient, str]:
    """A page client with `username`'s session, and an API token of theirs."""
    client = app.test_client()
    actor = users.actor_for_username(ctx, username)
    token = sessions.open_session(ctx, actor)  # as signing in does (web/auth.py)
    with client.session_transaction() as session:
        session["sid"] = token
        session["csrf"] = "bench"
    admin = Actor(1, "admin", Role.ADMIN)
    return client, users.rotate_token(ctx, admin, username)


def second_version(ctx: Context) -> None:
    """Version 2 of the sales process (a stage renamed), for the migration preview to plan
    the open deals' moves to; an unchanged diagram keeps its version, so this runs once."""
    files = {p.name: p.read_bytes() for p in BUNDLED_DIAGRAMS.glob("*.json")}
    xml = (BUNDLED_DIAGRAMS / "sales_process.bpmn").read_bytes()
    renamed = xml.replace(b'name="Quote and bid"', b'name="Quote and bid (v2)"')
    processes.deploy_process(ctx, None, {**files, "sales_process.bpmn": renamed})


def built(url: str, size: int, keep: Path | None) -> tuple[Context, str]:
    """The loaded database of `size` deals (from `keep` when built there before)."""
    started = time.perf_counter()
    kept = keep / f"pages-{size}-mix{MIX}.sqlite3" if keep else None
    if kept is not None and kept.exists():
        ctx = Context(f"sqlite:///{kept}", clock=lambda: NOW)
        ctx.migrate()  # indexes added since it was built
        fill_board(ctx, REP)  # kept databases built before the rule
        second_version(ctx)
        with ctx.db.begin() as conn:
            conn.execute(text("ANALYZE"))
        return ctx, f"kept, migrated and analyzed in {time.perf_counter() - started:.0f} s"
    ctx = fresh(f"sqlite:///{kept}" if kept else url)
    load(ctx, size)
    add_mix(ctx, size, random.Random(16))
    fill_board(ctx, REP)
    second_version(ctx)
    return ctx, f"loaded in {time.perf_counter() - started:.0f} s"


@dataclass
class Site:
    """One size's database and app, signed in as the rep, the manager and the admin."""

    size: int
    ctx: Context
    loaded: str
    clients: dict[str, tuple[FlaskClient, str]]
    values: dict[str, str]
    statements: list[int]

    def get(self, user: str, template: str) -> Any:
        client, token = self.clients[user]
        path = template.format(**self.values)
        headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api/") else {}
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.data[:300])
        return response


def open_site(url: str, size: int, keep: Path | None) -> Site:
    ctx, loaded = built(url, size, keep)
    app = create_app({"CONTEXT": ctx, "SECRET_KEY": "bench", "TESTING": False})
    clients = {u: signed_in(app, ctx, u) for u in (REP, MANAGER, ADMIN)}
    board = (
        clients[REP][0]
        .get(
            "/api/v1/board?process=sales_process",
            headers={"Authorization": f"Bearer {clients[REP][1]}"},
        )
        .get_json()
    )
    first = next(c for c in board["columns"] if c["key"] == "initial_visit")
    values = {"deal": str(first["cards"][0]["id"]), "cards": first["next"] or ""}
    statements = [0]

    def seen(*_: Any) -> None:
        statements[0] += 1

    event.listen(ctx.db, "before_cursor_execute", seen)
    return Site(size, ctx, loaded, clients, values, statements)


def measure(sites: list[Site], repeat: int) -> dict[int, dict[tuple[str, str], Figure]]:
    """Each page timed at every size, the sizes' requests interleaved (small, large, small,
    ...): a burst of load on the shared machine then slows both sizes alike, not one."""
    found: dict[int, dict[tuple[str, str], Figure]] = {site.size: {} for site in sites}
    for user, template in PAGES:
        for site in sites:
            site.get(user, template)  # warm
        samples: dict[int, list[float]] = {site.size: [] for site in sites}
        sizes = {site.size: (0, 0) for site in sites}
        for _ in range(repeat):
            for site in sites:
                site.statements[0] = 0
                started = time.perf_counter()
                response = site.get(user, template)
                samples[site.size].append((time.perf_counter() - started) * 1000)
                most = max(sizes[site.size][1], site.statements[0])
                sizes[site.size] = (len(response.get_data()), most)
        for site in sites:
            taken = samples[site.size]
            kb, queries = sizes[site.size][0] / 1024, sizes[site.size][1]
            found[site.size][(user, template)] = Figure(
                statistics.median(taken), (min(taken), max(taken)), kb, queries
            )
    return found


def report(site: Site, figures: dict[tuple[str, str], Figure]) -> None:
    print(f"\n## {site.size:,} deals ({site.loaded})")
    print(f"{'who':<9} {'page':<58} {'ms':>8} {'min-max':>13} {'KB':>7} {'SQL':>4}")
    for (user, path), f in figures.items():
        spread = f"{f.spread[0]:.0f}-{f.spread[1]:.0f}"
        print(f"{user:<9} {path:<58} {f.ms:8.1f} {spread:>13} {f.kb:7.1f} {f.queries:4d}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--million", action="store_true", help="add a 1,000,000-deal run")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keep", type=Path, default=None, help="build each size once into DIR, reuse it after"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] + ([1_000_000] if args.million else [])
    results: dict[int, dict[tuple[str, str], Figure]] = {}
    keep = args.keep if args.database_url is None else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if args.database_url:  # one database, emptied for each size: a size at a time
            for size in sizes:
                site = open_site(args.database_url, size, None)
                results[size] = measure([site], args.repeat)[size]
                report(site, results[size])
                site.ctx.close()
        else:  # a file per size, all open: their requests interleaved
            sites = [
                open_site(f"sqlite:///{Path(tmp) / f'pages-{size}.sqlite3'}", size, keep)
                for size in sizes
            ]
            results = measure(sites, args.repeat)
            for site in sites:
                report(site, results[site.size])
                site.ctx.close()
    small, large = results[sizes[0]], results[sizes[-1]]
    growth = {key: large[key].ms / max(small[key].ms, 0.01) for key in small}
    if len(sizes) > 1:
        print(f"\n## growth {sizes[-1]:,} / {sizes[0]:,} deals (median time ratio)")
        for (user, path), ratio in sorted(growth.items(), key=lambda kv: -kv[1]):
            print(f"{user:<9} {path:<58} x{ratio:.2f}")
    every = [f for figures in results.values() for f in figures.values()]
    worst = max(growth.values()) if len(sizes) > 1 else 1.0
    print(
        f"worst_growth={worst:.2f} max_queries={max(f.queries for f in every)} "
        f"max_kb={max(f.kb for f in every):.0f}"
    )


if __name__ == "__main__":
    main()
