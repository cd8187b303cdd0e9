"""SQL statements per request on the deadline burst's path: counts, not times.

Runs the app in-process (Flask's test client) against a temporary SQLite database, or the
PostgreSQL database ``--database-url`` / ``HUB_BENCH_DATABASE_URL`` names (its public schema is
dropped and made again), opens a round, gives 千代田区 a respondent token and counts the
statements each step of a municipality's GET → PUT → submit sends, with ``hub.db.counting_statements``.

    python -m bench.statements [--database-url postgresql://postgres@127.0.0.1:5432/hub_perf]

The same counts are asserted by ``tests/api/test_statement_counts.py``; this prints them with the
statements themselves, for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.national import complete_answers

CHIYODA = "131016"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105  (a throwaway database)


def _reset_postgresql(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def steps(round_id: int, token: str) -> list[tuple[str, Callable[[Any], Any]]]:
    """The requests of one municipality in the burst, in order, as ``(name, call(client))``."""
    path = f"/api/v1/rounds/{round_id}/responses/{CHIYODA}"
    auth = {"Authorization": f"Bearer {token}"}
    state: dict[str, Any] = {}

    def get(client: Any) -> Any:
        reply = client.get(path, headers=auth)
        state["version"] = reply.get_json()["version"]
        return reply

    def put(client: Any) -> Any:
        body = {"answers": complete_answers(3), "version": state["version"]}
        return client.put(path, json=body, headers=auth)

    return [
        ("GET /healthz", lambda client: client.get("/healthz")),
        ("GET response", get),
        ("PUT response (save)", put),
        ("POST submit", lambda client: client.post(path + "/submit", json={}, headers=auth)),
    ]


def migrated_app(url: str, instance: Path) -> Any:
    """The app on ``url`` (its schema made or upgraded), its instance folder ``instance``."""
    from hub import create_app
    from hub.config import load_settings
    from hub.db import db
    from hub.migrate import upgrade

    settings = load_settings(
        {"HUB_INSTANCE_DIR": str(instance), "HUB_DATABASE_URL": url, "HUB_SECRET_KEY": SECRET}
    )
    app = create_app(settings)
    with app.app_context():
        assert db.engine is not None
        upgrade(db.engine)
    return app


def measure(url: str, instance: Path) -> list[tuple[str, int, list[str]]]:
    from hub.db import counting_statements, db, utcnow
    from hub.services import reference
    from hub.services.rounds import open_round
    from hub.services.users import create_token, create_user

    app = migrated_app(url, instance)
    with app.app_context(), db.unit_of_work():
        reference.initialize()
        round_id = open_round(
            "torikumi",
            reference_date=date(2021, 4, 1),
            deadline=utcnow() + timedelta(days=1),
            opens_at=utcnow() - timedelta(days=1),
        ).id
        user = create_user(
            "r131016@bench.example.jp",
            role="respondent",
            password=os.urandom(16).hex(),
            municipality_code=CHIYODA,
        )
        token = create_token(user)
    client = app.test_client()
    results = []
    for name, call in steps(round_id, token):
        with counting_statements(db.engine) as log:
            reply = call(client)
        if reply.status_code != 200:
            raise SystemExit(f"{name}: {reply.status_code} {reply.get_data(as_text=True)[:300]}")
        results.append((name, len(log), log.statements))
    assert db.engine is not None
    db.engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("HUB_BENCH_DATABASE_URL"))
    parser.add_argument("--verbose", action="store_true", help="print every statement")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hub-statements-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        if url.startswith("postgres"):
            _reset_postgresql(url)
        results = measure(url, Path(tmp))
    print(f"database: {url.split(':', 1)[0]}; SQL statements per request (round trips to it)")
    floor = results[0][1]
    for n, (name, count, statements) in enumerate(results):
        label = "floor" if n == 0 else "hub"
        ratio = "" if n == 0 else f" = {count / floor:.0f} × floor"
        print(f"{label:<6} {name:<22} {count} statement{'s' if count != 1 else ''}{ratio}")
        if args.verbose:
            for statement in statements:
                print("    " + " ".join(statement.split())[:160])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
