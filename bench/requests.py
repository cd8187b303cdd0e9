"""CPU per request on the deadline burst's path, in-process: where a save's cost is, quickly.

Runs the app in this process (Flask's test client, one thread) against a temporary SQLite
database, or the PostgreSQL database ``--database-url`` / ``HUB_BENCH_DATABASE_URL`` names (its
public schema is dropped and made again). Each of Tokyo's 62 municipalities gets a respondent
token; in each of ``--rounds`` rounds every municipality GETs its response, PUTs a complete answer
typed as people type it and submits it, with a ``GET /healthz`` before each. The first round
warms the process (caches, prepared statements) and is not counted.

    python -m bench.requests [--database-url postgresql://postgres@127.0.0.1:5432/hub_perf]

It prints, floor first, the CPU time of this process per request of each kind (the client's
share included: the test client builds the request) and, for a PostgreSQL on this machine, the
CPU its backends spent per request, read from ``/proc``. CPU time, not wall time: it does not
depend on what else the machine runs, which ``bench.load``'s throughput does. No target of its
own: the burst's targets are ``bench.load``'s; this shows which request costs what.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bench.load import server_cpu_seconds
from bench.national import complete_answers
from bench.statements import _reset_postgresql, migrated_app

KINDS = ("GET /healthz", "GET response", "PUT response (save)", "POST submit")


def seed(app: Any, rounds: int) -> tuple[list[int], dict[str, str]]:
    from hub.db import db, utcnow
    from hub.models import Municipality
    from hub.services import reference
    from hub.services.rounds import open_round
    from hub.services.users import create_token, create_user

    with app.app_context(), db.unit_of_work() as session:
        reference.initialize()
        tokens = {}
        for (code,) in session.query(Municipality.code).order_by(Municipality.code):
            user = create_user(
                f"r{code}@bench.example.jp",
                role="respondent",
                password=os.urandom(16).hex(),
                municipality_code=code,
            )
            tokens[code] = create_token(user)
        round_ids = [
            open_round(
                "torikumi",
                reference_date=date(2000 + n, 4, 1),
                deadline=utcnow() + timedelta(days=1),
                opens_at=utcnow() - timedelta(days=1),
            ).id
            for n in range(rounds)
        ]
    return round_ids, tokens


def measure(url: str, instance: Path, rounds: int) -> dict[str, tuple[float, float]]:
    """CPU seconds per request of each kind: (this process, the database's backends)."""
    from hub.db import db

    app = migrated_app(url, instance)
    round_ids, tokens = seed(app, rounds + 1)
    database = url.rsplit("/", 1)[-1] if url.startswith("postgres") else ""
    client = app.test_client()
    body = complete_answers(3)
    own: defaultdict[str, float] = defaultdict(float)
    backends: defaultdict[str, float] = defaultdict(float)
    count: Counter[str] = Counter()

    def database_cpu() -> float:
        return server_cpu_seconds([], database)[1] if database else 0.0

    def timed(kind: str, call: Callable[[], Any], counted: bool) -> Any:
        database_before = database_cpu()  # read outside the process's own window
        started = time.process_time()
        reply = call()
        own_cpu = time.process_time() - started
        if reply.status_code != 200:
            raise SystemExit(f"{kind}: {reply.status_code} {reply.get_data(as_text=True)[:300]}")
        if counted:
            own[kind] += own_cpu
            backends[kind] += database_cpu() - database_before
            count[kind] += 1
        return reply

    for n, round_id in enumerate(round_ids):
        for code, token in tokens.items():
            auth = {"Authorization": f"Bearer {token}"}
            path = f"/api/v1/rounds/{round_id}/responses/{code}"
            counted = n > 0
            timed(KINDS[0], partial(client.get, "/healthz"), counted)
            got = timed(KINDS[1], partial(client.get, path, headers=auth), counted)
            answer = {"answers": body, "version": got.get_json()["version"]}
            timed(KINDS[2], partial(client.put, path, json=answer, headers=auth), counted)
            timed(KINDS[3], partial(client.post, f"{path}/submit", json={}, headers=auth), counted)
    assert db.engine is not None
    db.engine.dispose()
    return {kind: (own[kind] / count[kind], backends[kind] / count[kind]) for kind in KINDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("HUB_BENCH_DATABASE_URL"))
    parser.add_argument("--rounds", type=int, default=3, help="counted rounds of 62 (default 3)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hub-requests-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        if url.startswith("postgres"):
            _reset_postgresql(url)
        costs = measure(url, Path(tmp), args.rounds)
    on_postgresql = url.startswith("postgres")
    print(f"database: {url.split(':', 1)[0]}; CPU per request, in-process, {args.rounds} × 62")
    floor = sum(costs[KINDS[0]])
    for kind in KINDS:
        own, backends = costs[kind]
        label = "floor" if kind == KINDS[0] else "hub"
        database = f" + database {1000 * backends:.2f} ms" if on_postgresql else ""
        ratio = "" if kind == KINDS[0] else f" = {(own + backends) / floor:.1f} × floor"
        print(f"{label:<6} {kind:<20} {1000 * own:.2f} ms{database}{ratio}")
    answers = sum(sum(costs[kind]) for kind in KINDS[1:]) / 3
    print(f"ratio  floor / answer request: {floor / answers:.3f} (bench.load's CPU line)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
