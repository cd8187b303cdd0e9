"""Deadline burst at national scale: every municipality in Japan saves and submits at once.

Runs ``hub serve`` (gunicorn, several workers) against PostgreSQL on loopback, measures the
``/healthz`` floor, then lets ``--clients`` concurrent clients save and submit one response per
municipality through the API, checks that two simultaneous saves of one version give exactly one
success and one conflict, and finally counts in the database that nothing was lost.

    python -m bench.load [--municipalities 1741] [--workers 4] [--clients 32]

Bounded in count and time; traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text

from bench.national import NATIONAL_COUNT, complete_answers, made_up_csv

HOST = "127.0.0.1"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "hub_bench_load"
TIME_LIMIT_SECONDS = 600


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


class Client:
    """One keep-alive connection, like one browser or one municipality's system."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port = port
        self.token = token
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = json.dumps(body) if body is not None else None
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                try:
                    return response.status, json.loads(data) if data else None
                except ValueError:
                    return response.status, data[:200].decode("utf-8", "replace")
            except (ConnectionError, http.client.HTTPException, TimeoutError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                if attempt == 1 or method not in ("GET",):
                    raise
        raise AssertionError("unreachable")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def prepare_database(url: str | None) -> str:
    if url:
        return url
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {BENCH_DB}"))
    admin.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_DB}"


def seed(url: str, instance: Path, municipalities: int) -> tuple[int, dict[str, str], str]:
    """Schema, municipalities, a round, one respondent token per municipality, a staff token."""
    from hub import create_app
    from hub.auth.tokens import token_hash
    from hub.config import load_settings
    from hub.db import db, utcnow
    from hub.migrate import upgrade
    from hub.models import ApiToken, Municipality, User
    from hub.services import reference
    from hub.services.rounds import open_round
    from hub.services.users import create_token, create_user, hash_password

    settings = load_settings({"HUB_INSTANCE_DIR": str(instance), "HUB_DATABASE_URL": url})
    app = create_app(settings)
    with app.app_context():
        assert db.engine is not None
        upgrade(db.engine)
        with db.unit_of_work():
            reference.initialize()
            reference.import_municipalities(
                reference.read_municipality_csv(made_up_csv(NATIONAL_COUNT))
            )
        codes = list(db.session.scalars(select(Municipality.code).order_by(Municipality.code)))
        codes = codes[:municipalities]
        with db.unit_of_work():
            round_ = open_round(
                "torikumi",
                reference_date=date(2021, 4, 1),
                deadline=utcnow() + timedelta(days=1),
                municipality_codes=codes,
            )
            round_id = round_.id
            shared_hash = hash_password("bench-password-not-used-for-login")
            db.session.execute(
                insert(User),
                [
                    {
                        "email": f"r{code}@bench.example.jp",
                        "role": "respondent",
                        "password_hash": shared_hash,
                        "municipality_code": code,
                        "display_name": f"bench {code}",
                    }
                    for code in codes
                ],
            )
            rows = db.session.execute(
                select(User.municipality_code, User.id).where(User.role == "respondent")
            )
            users = dict(rows.all())
            tokens = {code: f"hub_bench{code}{os.urandom(8).hex()}" for code in codes}
            db.session.execute(
                insert(ApiToken),
                [
                    {"user_id": users[c], "token_hash": token_hash(t), "prefix": t[:8]}
                    for c, t in tokens.items()
                ],
            )
            staff = create_user(
                "staff@bench.example.jp", role="staff", password=os.urandom(16).hex()
            )
            staff_token = create_token(staff)
    assert db.engine is not None
    db.engine.dispose()
    return round_id, tokens, staff_token


def profiler_command(output: Path | None) -> list[str]:
    """``py-spy record`` around the server and its gunicorn workers, when a profile is asked for:
    ``.svg`` a flame graph, ``.json`` speedscope, anything else py-spy's raw collapsed stacks."""
    if output is None:
        return []
    formats = {".svg": "flamegraph", ".json": "speedscope"}
    py_spy = Path(sys.executable).with_name("py-spy")
    return [
        str(py_spy),
        "record",
        "--subprocesses",
        "--rate",
        "100",
        "--format",
        formats.get(output.suffix, "raw"),
        "--output",
        str(output),
        "--",
    ]


def start_server(
    url: str, instance: Path, port: int, workers: int, profile: Path | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HUB_DATABASE_URL": url,
        "HUB_PORT": str(port),
        "HUB_INSTANCE_DIR": str(instance),
    }
    hub = Path(sys.executable).with_name("hub")
    log = (instance / "server.log").open("wb")
    server = subprocess.Popen(
        [*profiler_command(profile), str(hub), "serve", "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = Client(port).request("GET", "/healthz")
            if status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("hub serve did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop ``hub serve``; under py-spy, stop the server itself (py-spy's child) so that py-spy
    sees it end and writes its profile."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    served_by_py_spy = Path(server.args[0]).name == "py-spy"  # type: ignore[index]
    if served_by_py_spy and children.exists():
        for pid in children.read_text().split():
            os.kill(int(pid), signal.SIGTERM)
    else:
        server.terminate()
    server.wait(timeout=60)


def run_clients(clients: int, items: list[Any], work: Callable[[Any], None]) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(work, items))
    return time.perf_counter() - started


def healthz_floor(port: int, clients: int, seconds: float) -> tuple[float, Phase]:
    phase = Phase("healthz")
    stop = time.monotonic() + seconds

    def hammer(_: int) -> None:
        client = Client(port)
        while time.monotonic() < stop:
            t = time.perf_counter()
            status, _body = client.request("GET", "/healthz")
            phase.add(time.perf_counter() - t, None if status == 200 else f"healthz {status}")

    elapsed = run_clients(clients, list(range(clients)), hammer)
    return len(phase.latencies) / elapsed, phase


def burst(
    port: int, round_id: int, tokens: dict[str, str], clients: int
) -> tuple[float, Phase, Phase]:
    saves, submits = Phase("save"), Phase("submit")
    order = sorted(tokens)
    index = {code: n for n, code in enumerate(order)}

    def answer(code: str) -> None:
        client = Client(port, tokens[code])
        path = f"/api/v1/rounds/{round_id}/responses/{code}"
        status, body = client.request("GET", path)
        if status != 200:
            saves.add(0.0, f"{code} GET {status}")
            return
        t = time.perf_counter()
        status, body = client.request(
            "PUT", path, {"answers": complete_answers(index[code]), "version": body["version"]}
        )
        saves.add(time.perf_counter() - t, None if status == 200 else f"{code} PUT {status} {body}")
        t = time.perf_counter()
        status, body = client.request("POST", path + "/submit", {})
        submits.add(
            time.perf_counter() - t, None if status == 200 else f"{code} submit {status} {body}"
        )
        client.conn.close()

    elapsed = run_clients(clients, order, answer)
    return len(order) * 3 / elapsed, saves, submits


def answer_with_retries(client: Client, path: str, answers: dict[str, Any]) -> int:
    """Save and submit as a patient client does: on 503 or a dropped connection, wait and start
    again from a fresh GET (the version tells whether the last save went through). Returns the
    number of transient failures seen; raises when the response never gets submitted."""
    for transient in range(30):
        try:
            status, body = client.request("GET", path)
            if status == 200 and body["state"] == "submitted":
                return transient
            if status == 200:
                status, body = client.request(
                    "PUT", path, {"answers": answers, "version": body["version"]}
                )
            if status == 200:
                status, body = client.request("POST", path + "/submit", {})
            if status == 200:
                return transient
            if status not in (409, 503):
                raise RuntimeError(f"{path}: {status} {body}")
        except (ConnectionError, http.client.HTTPException, TimeoutError):
            client.conn.close()
            client.conn = http.client.HTTPConnection(HOST, client.port, timeout=30)
        time.sleep(1.0)
    raise RuntimeError(f"{path}: not submitted after 30 attempts")


def restart_survival(
    port: int, round_id: int, tokens: dict[str, str], clients: int
) -> dict[str, Any]:
    """Restart PostgreSQL while these municipalities save and submit; none may be lost."""
    cluster = sorted(os.listdir("/etc/postgresql"))[0]
    order = sorted(tokens)
    failures: list[str] = []
    transient: list[int] = []

    def answer(code: str) -> None:
        path = f"/api/v1/rounds/{round_id}/responses/{code}"
        try:
            transient.append(
                answer_with_retries(Client(port, tokens[code]), path, complete_answers(len(code)))
            )
        except RuntimeError as exc:
            failures.append(str(exc))

    def restart() -> None:
        time.sleep(0.5)
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
            check=True,
            capture_output=True,
            timeout=120,
        )

    restarter = threading.Thread(target=restart)
    restarter.start()
    elapsed = run_clients(clients, order, answer)
    restarter.join()
    return {
        "municipalities": len(order),
        "seconds": round(elapsed, 1),
        "transient_failures_retried": sum(transient),
        "final_failures": len(failures),
        "examples": failures[:3],
    }


def _race(port: int, token: str, path: str, bodies: list[dict[str, Any]]) -> list[int]:
    """Send the bodies as PUTs released at the same instant; return their statuses."""
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def save(body: dict[str, Any]) -> None:
        client = Client(port, token)
        barrier.wait()
        status, _ = client.request("PUT", path, body)
        statuses.append(status)

    threads = [threading.Thread(target=save, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def simultaneous_saves(
    port: int, round_id: int, staff_token: str, codes: list[str]
) -> tuple[int, int, int]:
    """Two people save the same version of one response at the same moment: one wins, one 409."""
    statuses: list[int] = []
    for code in codes:
        path = f"/api/v1/rounds/{round_id}/responses/{code}"
        reason = {"reason": "負荷試験の同時保存確認"}
        _, current = Client(port, staff_token).request("POST", path + "/return", reason)
        bodies = [
            {
                "answers": {**current["answers"], "comments": f"同時保存 {n}"},
                "version": current["version"],
            }
            for n in (1, 2)
        ]
        statuses += _race(port, staff_token, path, bodies)
    wins, conflicts = statuses.count(200), statuses.count(409)
    return wins, conflicts, len(statuses) - wins - conflicts


def count_submitted(url: str, round_id: int) -> int:
    from hub.models import Response

    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count())
            .select_from(Response)
            .where(Response.round_id == round_id, Response.state == "submitted")
        ).scalar_one()
    engine.dispose()
    return int(n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("HUB_BENCH_DATABASE_URL"))
    parser.add_argument("--municipalities", type=int, default=NATIONAL_COUNT)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--healthz-seconds", type=float, default=10.0)
    parser.add_argument("--pairs", type=int, default=20, help="simultaneous-save pairs to check")
    parser.add_argument(
        "--restart-db",
        type=int,
        default=0,
        metavar="N",
        help="keep N municipalities back and restart the local PostgreSQL while they answer",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="record the server's workers with py-spy into FILE (.svg flame graph, .json "
        "speedscope, otherwise raw collapsed stacks)",
    )
    args = parser.parse_args(argv)

    url = prepare_database(args.database_url)
    with tempfile.TemporaryDirectory(prefix="hub-load-") as tmp:
        instance = Path(tmp)
        t = time.perf_counter()
        round_id, tokens, staff_token = seed(url, instance, args.municipalities)
        print(f"seeded {len(tokens)} municipalities in {time.perf_counter() - t:.1f} s")
        port = free_port()
        server = start_server(url, instance, port, args.workers, args.profile)
        watchdog = threading.Timer(TIME_LIMIT_SECONDS, server.kill)
        watchdog.start()
        try:
            codes = sorted(tokens)
            held_back = codes[len(codes) - args.restart_db :] if args.restart_db else []
            burst_tokens = {c: tokens[c] for c in codes if c not in set(held_back)}
            floor, health = healthz_floor(port, args.clients, args.healthz_seconds)
            rate, saves, submits = burst(port, round_id, burst_tokens, args.clients)
            pairs = min(args.pairs, len(tokens))
            wins, conflicts, other = simultaneous_saves(
                port, round_id, staff_token, sorted(tokens)[:pairs]
            )
            restart = (
                restart_survival(port, round_id, {c: tokens[c] for c in held_back}, args.clients)
                if held_back
                else None
            )
        finally:
            watchdog.cancel()
            stop_server(server)
        submitted = count_submitted(url, round_id)
        server_errors = [
            line
            for line in (instance / "server.log").read_text(errors="replace").splitlines()
            if "Traceback" in line or "ERROR" in line or "Internal Server Error" in line
        ]

    result = {
        "municipalities": len(tokens),
        "gunicorn_workers": args.workers,
        "clients": args.clients,
        "healthz_rps": round(floor, 1),
        "answer_rps": round(rate, 1),
        "answer_to_healthz_ratio": round(rate / floor, 3) if floor else None,
        "save_p50_ms": round(saves.percentile(0.50) * 1000, 1),
        "save_p95_ms": round(saves.percentile(0.95) * 1000, 1),
        "submit_p50_ms": round(submits.percentile(0.50) * 1000, 1),
        "submit_p95_ms": round(submits.percentile(0.95) * 1000, 1),
        "healthz_p95_ms": round(health.percentile(0.95) * 1000, 1),
        "errors": len(saves.errors) + len(submits.errors) + len(health.errors),
        "submitted": submitted,
        "returned_for_conflict_check": pairs,
        "lost": len(tokens) - submitted - pairs,
        "simultaneous_saves": {
            "pairs": pairs,
            "wins": wins,
            "conflicts": conflicts,
            "other": other,
        },
        "database_restart": restart,
        "server_error_lines": server_errors[:20],
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    for error in (saves.errors + submits.errors + health.errors)[:10]:
        print("error:", error)
    ok = (
        result["errors"] == 0
        and (restart is None or restart["final_failures"] == 0)
        and not server_errors
        and result["lost"] == 0
        and wins == pairs
        and conflicts == pairs
        and result["save_p95_ms"] < 800
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
