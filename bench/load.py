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
RATIO_TARGET = 0.5
"""Answer requests (GET, PUT, submit) per second against ``/healthz`` per second, same run."""
P95_TARGET_MS = 300.0


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
    from hub.services.municipalities import read_municipality_list
    from hub.services.rounds import open_round
    from hub.services.users import create_token, create_user, hash_password

    settings = load_settings({"HUB_INSTANCE_DIR": str(instance), "HUB_DATABASE_URL": url})
    app = create_app(settings)
    with app.app_context():
        assert db.engine is not None
        upgrade(db.engine)
        with db.unit_of_work():
            reference.initialize()
            reference.import_municipalities(read_municipality_list(made_up_csv(NATIONAL_COUNT)))
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


def hub_env(url: str, instance: Path, port: int | None = None) -> dict[str, str]:
    """Every instance shares the database and the instance folder (its secret key among them)."""
    env = {**os.environ, "HUB_DATABASE_URL": url, "HUB_INSTANCE_DIR": str(instance)}
    if port is not None:
        env["HUB_PORT"] = str(port)
    return env


def start_scheduler(url: str, instance: Path, n: int) -> subprocess.Popen[bytes]:
    hub = Path(sys.executable).with_name("hub")
    log = (instance / f"scheduler{n}.log").open("wb")
    return subprocess.Popen(
        [str(hub), "scheduler"], env=hub_env(url, instance), stdout=log, stderr=log
    )


def start_server(
    url: str,
    instance: Path,
    port: int,
    workers: int,
    profile: Path | None = None,
    n: int = 0,
    threads: int | None = None,
) -> subprocess.Popen[bytes]:
    env = hub_env(url, instance, port)
    hub = Path(sys.executable).with_name("hub")
    log = (instance / f"server{n}.log").open("wb")
    threading_option = ["--threads", str(threads)] if threads else []
    server = subprocess.Popen(
        [
            *profiler_command(profile),
            str(hub),
            "serve",
            "--workers",
            str(workers),
            *threading_option,
        ],
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


def healthz_floor(ports: list[int], clients: int, seconds: float, phase: Phase) -> float:
    """Hammer ``/healthz`` for ``seconds``; the latencies go to ``phase``; returns the time taken."""
    stop = time.monotonic() + seconds

    def hammer(n: int) -> None:
        client = Client(ports[n % len(ports)])
        while time.monotonic() < stop:
            t = time.perf_counter()
            status, _body = client.request("GET", "/healthz")
            phase.add(time.perf_counter() - t, None if status == 200 else f"healthz {status}")

    return run_clients(clients, list(range(clients)), hammer)


@dataclass
class Burst:
    gets: Phase = field(default_factory=lambda: Phase("get"))
    saves: Phase = field(default_factory=lambda: Phase("save"))
    submits: Phase = field(default_factory=lambda: Phase("submit"))

    def requests(self) -> Phase:
        every = Phase("answer requests")
        every.latencies = self.gets.latencies + self.saves.latencies + self.submits.latencies
        return every

    def errors(self) -> list[str]:
        return self.gets.errors + self.saves.errors + self.submits.errors


def burst(
    ports: list[int],
    round_id: int,
    tokens: dict[str, str],
    codes: list[str],
    clients: int,
    phases: Burst,
) -> float:
    """Each municipality of ``codes`` GETs, PUTs and submits; returns the time taken."""
    index = {code: n for n, code in enumerate(sorted(tokens))}

    def answer(code: str) -> None:
        client = Client(ports[index[code] % len(ports)], tokens[code])
        path = f"/api/v1/rounds/{round_id}/responses/{code}"
        t = time.perf_counter()
        status, body = client.request("GET", path)
        phases.gets.add(time.perf_counter() - t, None if status == 200 else f"{code} GET {status}")
        if status != 200:
            return
        t = time.perf_counter()
        status, body = client.request(
            "PUT", path, {"answers": complete_answers(index[code]), "version": body["version"]}
        )
        phases.saves.add(
            time.perf_counter() - t, None if status == 200 else f"{code} PUT {status} {body}"
        )
        t = time.perf_counter()
        status, body = client.request("POST", path + "/submit", {})
        phases.submits.add(
            time.perf_counter() - t, None if status == 200 else f"{code} submit {status} {body}"
        )
        client.conn.close()

    return run_clients(clients, codes, answer)


@dataclass
class Tally:
    """Requests, wall time and server CPU (workers and database backends) of one kind of work."""

    requests: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    database_cpu_seconds: float = 0.0

    def spent(self, before: tuple[float, float], after: tuple[float, float]) -> None:
        self.cpu_seconds += after[0] - before[0] + after[1] - before[1]
        self.database_cpu_seconds += after[1] - before[1]

    def database_share(self) -> float:
        return self.database_cpu_seconds / self.cpu_seconds if self.cpu_seconds else 0.0

    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.requests if self.requests else 0.0


def server_cpu_seconds(server_pids: list[int], database: str) -> tuple[float, float]:
    """CPU used so far by the servers and their descendants, and by the database's backends."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    backends: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
        if command.startswith("postgres: ") and f" {database} " in command:
            backends.add(pid)
    ours = set(server_pids)
    grew = True
    while grew:
        children = {pid for pid, parent in parents.items() if parent in ours} - ours
        grew = bool(children)
        ours |= children
    return sum(used.get(pid, 0.0) for pid in ours), sum(used.get(pid, 0.0) for pid in backends)


def interleaved(
    ports: list[int],
    round_id: int,
    tokens: dict[str, str],
    args: argparse.Namespace,
    cpu: Callable[[], tuple[float, float]],
) -> tuple[Tally, Phase, Tally, Burst]:
    """The floor and the burst in turns (``--turns`` of each), so that both meet the same load
    on a shared machine: ``/healthz`` for a slice of ``--healthz-seconds``, then a slice of the
    municipalities answering, and again."""
    floor, health, hub, phases = Tally(), Phase("healthz"), Tally(), Burst()
    codes = sorted(tokens)
    for turn in range(args.turns):
        before, seen = cpu(), len(health.latencies)
        floor.seconds += healthz_floor(
            ports, args.clients, args.healthz_seconds / args.turns, health
        )
        floor.spent(before, cpu())
        floor.requests += len(health.latencies) - seen
        chunk = codes[turn :: args.turns]
        before = cpu()
        hub.seconds += burst(ports, round_id, tokens, chunk, args.clients, phases)
        hub.spent(before, cpu())
        hub.requests += 3 * len(chunk)
    return floor, health, hub, phases


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
    ports: list[int], round_id: int, tokens: dict[str, str], clients: int
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
                answer_with_retries(
                    Client(ports[order.index(code) % len(ports)], tokens[code]),
                    path,
                    complete_answers(len(code)),
                )
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


def _race(ports: list[int], token: str, path: str, bodies: list[dict[str, Any]]) -> list[int]:
    """Send the bodies as PUTs released at the same instant, each to the next instance; return
    their statuses."""
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def save(n: int, body: dict[str, Any]) -> None:
        client = Client(ports[n % len(ports)], token)
        barrier.wait()
        status, _ = client.request("PUT", path, body)
        statuses.append(status)

    threads = [threading.Thread(target=save, args=item) for item in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def simultaneous_saves(
    ports: list[int], round_id: int, staff_token: str, codes: list[str]
) -> tuple[int, int, int]:
    """Two people save the same version of one response at the same moment: one wins, one 409."""
    statuses: list[int] = []
    for code in codes:
        path = f"/api/v1/rounds/{round_id}/responses/{code}"
        reason = {"reason": "負荷試験の同時保存確認"}
        _, current = Client(ports[0], staff_token).request("POST", path + "/return", reason)
        bodies = [
            {
                "answers": {**current["answers"], "comments": f"同時保存 {n}"},
                "version": current["version"],
            }
            for n in (1, 2)
        ]
        statuses += _race(ports, staff_token, path, bodies)
    wins, conflicts = statuses.count(200), statuses.count(409)
    return wins, conflicts, len(statuses) - wins - conflicts


def claims_by_owner(url: str) -> dict[str, int]:
    """Scheduled-job slots claimed per scheduler process: each slot exactly once in all."""
    from hub.models import JobRun

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(JobRun.owner, func.count()).group_by(JobRun.owner)).all()
    engine.dispose()
    return {owner: int(n) for owner, n in rows}


ERROR_SIGNS = ("Traceback", "ERROR", "Internal Server Error", "エラー")


def error_lines(instance: Path) -> list[str]:
    """Tracebacks and errors in every server's and scheduler's log."""
    found = []
    for log in sorted(instance.glob("s*.log")):
        for line in log.read_text(errors="replace").splitlines():
            if any(sign in line for sign in ERROR_SIGNS):
                found.append(f"{log.name}: {line}")
    return found


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
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per instance")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker")
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        help="hub serve processes on their own ports against the same database, the clients "
        "spread over them; with two or more, as many hub scheduler processes run beside them",
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--healthz-seconds", type=float, default=10.0)
    parser.add_argument(
        "--turns",
        type=int,
        default=5,
        help="alternate the floor and the burst this many times (a shared machine's load "
        "then weighs on both alike)",
    )
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
        ports = [free_port() for _ in range(args.instances)]
        servers = [
            start_server(
                url,
                instance,
                port,
                args.workers,
                args.profile if n == 0 else None,
                n,
                args.threads,
            )
            for n, port in enumerate(ports)
        ]
        schedulers = (
            [start_scheduler(url, instance, n) for n in range(args.instances)]
            if args.instances > 1
            else []
        )

        def kill_all() -> None:
            for process in servers + schedulers:
                process.kill()

        watchdog = threading.Timer(TIME_LIMIT_SECONDS, kill_all)
        watchdog.start()
        try:
            codes = sorted(tokens)
            held_back = codes[len(codes) - args.restart_db :] if args.restart_db else []
            burst_tokens = {c: tokens[c] for c in codes if c not in set(held_back)}
            database = url.rsplit("/", 1)[1].split("?")[0]
            pids = [p.pid for p in servers]
            floor, health, hub, phases = interleaved(
                ports, round_id, burst_tokens, args, lambda: server_cpu_seconds(pids, database)
            )
            pairs = min(args.pairs, len(tokens))
            wins, conflicts, other = simultaneous_saves(
                ports, round_id, staff_token, sorted(tokens)[:pairs]
            )
            restart = (
                restart_survival(ports, round_id, {c: tokens[c] for c in held_back}, args.clients)
                if held_back
                else None
            )
        finally:
            watchdog.cancel()
            for process in servers + schedulers:
                stop_server(process)
        submitted = count_submitted(url, round_id)
        claims = claims_by_owner(url)
        server_errors = error_lines(instance)

    requests = phases.requests()
    gets, saves, submits = phases.gets, phases.saves, phases.submits
    ratio = hub.rate() / floor.rate() if floor.rate() else 0.0
    cpu_ratio = (
        floor.cpu_ms_per_request() / hub.cpu_ms_per_request() if hub.cpu_ms_per_request() else 0.0
    )
    result = {
        "municipalities": len(tokens),
        "instances": args.instances,
        "gunicorn_workers_per_instance": args.workers,
        "threads_per_worker": args.threads,
        "clients": args.clients,
        "turns": args.turns,
        "healthz_rps": round(floor.rate(), 1),
        "answer_rps": round(hub.rate(), 1),
        "answer_to_healthz_ratio": round(ratio, 3),
        "server_cpu_ms_per_healthz": round(floor.cpu_ms_per_request(), 2),
        "server_cpu_ms_per_answer_request": round(hub.cpu_ms_per_request(), 2),
        "cpu_ratio_healthz_to_answer": round(cpu_ratio, 3),
        "database_share_of_cpu_healthz": round(floor.database_share(), 2),
        "database_share_of_cpu_answer": round(hub.database_share(), 2),
        "request_p50_ms": round(requests.percentile(0.50) * 1000, 1),
        "request_p95_ms": round(requests.percentile(0.95) * 1000, 1),
        "get_p95_ms": round(gets.percentile(0.95) * 1000, 1),
        "save_p50_ms": round(saves.percentile(0.50) * 1000, 1),
        "save_p95_ms": round(saves.percentile(0.95) * 1000, 1),
        "submit_p50_ms": round(submits.percentile(0.50) * 1000, 1),
        "submit_p95_ms": round(submits.percentile(0.95) * 1000, 1),
        "healthz_p95_ms": round(health.percentile(0.95) * 1000, 1),
        "errors": len(phases.errors()) + len(health.errors),
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
        "scheduler_claims_by_process": claims,
        "server_error_lines": server_errors[:20],
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    for error in (phases.errors() + health.errors)[:10]:
        print("error:", error)
    correct = (
        result["errors"] == 0
        and (restart is None or restart["final_failures"] == 0)
        and not server_errors
        and result["lost"] == 0
        and wins == pairs
        and conflicts == pairs
    )
    print(f"floor  /healthz: {result['healthz_rps']} req/s")
    print(
        f"hub    answer requests: {result['answer_rps']} req/s = "
        f"{result['answer_to_healthz_ratio']} × floor (target ≥ {RATIO_TARGET})"
    )
    print(
        f"cpu    server CPU per request: /healthz {result['server_cpu_ms_per_healthz']} ms, "
        f"answer {result['server_cpu_ms_per_answer_request']} ms = "
        f"{result['cpu_ratio_healthz_to_answer']} (the ratio a CPU-bound quiet machine would show)"
    )
    print(f"hub    p95 of a request: {result['request_p95_ms']} ms (target < {P95_TARGET_MS} ms)")
    targets = {
        f"ratio ≥ {RATIO_TARGET}": (result["answer_to_healthz_ratio"] or 0) >= RATIO_TARGET,
        f"p95 < {P95_TARGET_MS:g} ms": result["request_p95_ms"] < P95_TARGET_MS,
    }
    fast = all(targets.values())
    print(f"{'PASS' if correct else 'FAIL'}: zero errors, zero answers lost, one win per race")
    for target, met in targets.items():
        print(f"{'PASS' if met else 'FAIL'}: {target}")
    return 0 if correct and fast else 1


if __name__ == "__main__":
    raise SystemExit(main())
