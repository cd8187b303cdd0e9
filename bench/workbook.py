"""The consolidated workbook at national scale, against pandas writing the raw sheet alone.

Loads 1,741 municipalities (Tokyo's real 62 and made-up ones for the other 46 prefectures, with
valid check digits), submits an answer for each through the services, then — each in a fresh
process, so that peak memory is its own — builds the whole workbook (SQL, tables, every sheet,
charts) and writes the same 回答一覧 rows with ``pandas.DataFrame.to_excel`` (engine XlsxWriter,
pandas' default when XlsxWriter is installed) — the floor. The runs are interleaved (floor, hub,
floor, hub …) so that both meet the same load on a shared machine. Prints both times, their ratio
and the peak resident memory of each process.

    python -m bench.workbook [--municipalities 1741]

Uses a temporary SQLite database unless ``HUB_DATABASE_URL`` names one (which then gains the
made-up municipalities and two rounds; a PostgreSQL database that does not exist yet is created). Targets: the whole workbook in at most half the time pandas
takes for the raw sheet, and under 200 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, make_url, select, text

from bench.national import NATIONAL_COUNT, complete_answers, made_up_rows
from exports import collector
from exports.sheets.answers import answers_table
from exports.workbook import workbook_document, workbook_sheets
from exports.xlsx import write_xlsx
from hub import create_app
from hub.config import load_settings
from hub.db import db, utcnow
from hub.migrate import upgrade
from hub.models import Municipality, Response
from hub.services import reference, responses
from hub.services.rounds import open_round

MEMORY_LIMIT_MB = 200.0
RATIO_TARGET = 0.5
FLOOR_ENGINE = "xlsxwriter"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105  (a throwaway database)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_env(instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HUB_INSTANCE_DIR": str(instance),
        "HUB_DATABASE_URL": os.environ.get("HUB_DATABASE_URL")
        or f"sqlite:///{instance / 'bench.sqlite3'}",
        "HUB_SECRET_KEY": os.environ.get("HUB_SECRET_KEY") or SECRET,
    }


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database ``url`` names when the server does not have it yet."""
    if not url.startswith("postgres"):
        return
    target = make_url(url).set(drivername="postgresql+psycopg")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
                print(f"created the database {target.database}", file=sys.stderr)
    finally:
        admin.dispose()


@contextmanager
def hub_context(env: Mapping[str, str]) -> Iterator[None]:
    """An app (and request) context on the database named in ``env``."""
    app = create_app(load_settings(dict(env)))
    with app.test_request_context():
        yield


# --- the data ----------------------------------------------------------------------------------


def seed(total: int) -> dict[str, Any]:
    """Municipalities, one national round and one Tokyo round, every answer submitted."""
    assert db.engine is not None
    upgrade(db.engine)
    reference.initialize()
    reference.import_municipalities(made_up_rows(total))
    db.session.commit()
    tokyo = list(
        db.session.scalars(select(Municipality.code).where(Municipality.prefecture_code == "13"))
    )
    opened: dict[str, list[str] | None] = {"national": None, "tokyo": tokyo}
    started = time.perf_counter()
    rounds: dict[str, int] = {}
    for name, codes in opened.items():
        round_ = open_round(
            "torikumi",
            reference_date=date(2021, 4, 1),
            deadline=utcnow() + timedelta(days=30),
            opens_at=utcnow() - timedelta(days=1),
            municipality_codes=codes,
            title=f"ベンチマーク（{name}）",
        )
        db.session.flush()
        for index, response in enumerate(
            sorted(round_responses(round_.id), key=lambda r: r.municipality_code)
        ):
            responses.submit(response, user=None, raw_answers=complete_answers(index), source="api")
            if index % 200 == 199:
                db.session.commit()
        db.session.commit()
        rounds[name] = round_.id
    analyze()
    return {"rounds": rounds, "seed_seconds": time.perf_counter() - started}


def analyze() -> None:
    """Planner statistics for the rows just loaded, as autovacuum gathers them on a real server
    after so many inserts; the bench's PostgreSQL may run without autovacuum (this machine's
    does), and then plans the counts for empty tables (nested loops over 12,000 choice rows)."""
    assert db.engine is not None
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def round_responses(round_id: int) -> list[Response]:
    return list(db.session.scalars(select(Response).filter_by(round_id=round_id)))


# --- the two measured jobs, each run in its own process ---------------------------------------


def build_workbook_file(round_id: int, out: Path) -> dict[str, Any]:
    """What ``write_workbook`` does, in its two phases: the queries and tables (with the number of
    SQL statements they ran), then the writing of the file."""
    assert db.engine is not None
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    with collector.held_off():  # as write_workbook builds it
        round_ = responses.get_round(round_id)
        sheets = workbook_sheets(round_)
        tables_done = time.perf_counter()
        event.remove(db.engine, "before_cursor_execute", count)
        with out.open("wb") as f:
            write_xlsx(sheets, f, document=workbook_document(round_))
    return {
        "tables_seconds": tables_done - started,
        "write_seconds": time.perf_counter() - tables_done,
        "statements": statements[0],
    }


def pandas_answers_file(round_id: int, out: Path) -> dict[str, Any]:
    import pandas as pd  # only in this process: the workbook's process never loads pandas

    table = answers_table(responses.get_round(round_id))
    rows, headers = list(table.rows), list(table.headers)
    del table

    def write() -> dict[str, Any]:
        frame = pd.DataFrame(rows, columns=headers)
        frame.to_excel(out, sheet_name="回答一覧", index=False, engine=FLOOR_ENGINE)
        return {"rows": len(rows), "columns": len(headers), "engine": FLOOR_ENGINE}

    return measure(write)


def measure(work: Any) -> dict[str, Any]:
    """Time ``work()`` and read the peak memory; with ``BENCH_TRACE`` set, trace allocations."""
    trace = bool(os.environ.get("BENCH_TRACE"))
    if trace:
        tracemalloc.start()
    before = peak_rss_mb()
    started = time.perf_counter()
    result = work()
    result["seconds"] = time.perf_counter() - started
    result["rss_before_mb"] = before
    result["peak_rss_mb"] = peak_rss_mb()
    if trace:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result


def child(job: str, round_id: int, out: Path) -> None:
    with hub_context(os.environ):
        if job == "workbook":
            result = measure(lambda: build_workbook_file(round_id, out))
        else:
            result = pandas_answers_file(round_id, out)
    result["bytes"] = out.stat().st_size
    print(json.dumps(result))


def run_child(
    job: str, round_id: int, out: Path, env: Mapping[str, str], *, trace: bool = False
) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.workbook", "--child", job, "--round", str(round_id)]
    completed = subprocess.run(
        [*command, "--out", str(out)],
        env={**env, "BENCH_TRACE": "1" if trace else ""},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{job} failed:\n{completed.stderr}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of the runs (the machine is shared) with the highest memory of them all."""
    best = dict(min(runs, key=lambda r: r["seconds"]))
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    best["runs"] = [round(r["seconds"], 2) for r in runs]
    return best


def interleaved(
    repeat: int, jobs: Mapping[str, tuple[str, int, Path]], env: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """Each job ``repeat`` times, taking turns (floor first, then the hub's), so that every job
    meets the same load on a shared machine; then one run each under tracemalloc for the memory
    the job itself allocates."""
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in jobs}
    for _ in range(repeat):
        for label, (job, round_id, out) in jobs.items():
            runs[label].append(run_child(job, round_id, out, env))
    results = {label: summarize(found) for label, found in runs.items()}
    for label, (job, round_id, out) in jobs.items():
        traced = run_child(job, round_id, out, env, trace=True)
        results[label]["traced_peak_mb"] = traced["traced_peak_mb"]
    return results


# --- the report --------------------------------------------------------------------------------


def describe(label: str, r: dict[str, Any]) -> str:
    phases = (
        f" [queries and tables {r['tables_seconds']:.2f} s in {r['statements']} SQL statements,"
        f" writing {r['write_seconds']:.2f} s]"
        if "statements" in r
        else ""
    )
    return (
        f"{label}: {r['seconds']:.2f} s (runs {r['runs']}){phases}, peak RSS "
        f"{r['peak_rss_mb']:.0f} MB (process before {r['rss_before_mb']:.0f} MB), allocated by "
        f"the job {r['traced_peak_mb']:.1f} MB, {r['bytes']:,} bytes"
    )


def report(
    total: int, seeded: dict[str, Any], env: Mapping[str, str], work: Path, repeat: int
) -> bool:
    rounds = seeded["rounds"]
    results = interleaved(
        repeat,
        {
            "pandas": ("pandas", rounds["national"], work / "pandas.xlsx"),
            "national": ("workbook", rounds["national"], work / "national.xlsx"),
            "tokyo": ("workbook", rounds["tokyo"], work / "tokyo.xlsx"),
        },
        env,
    )
    raw, national, tokyo = results["pandas"], results["national"], results["tokyo"]
    ratio = national["seconds"] / raw["seconds"]
    database = env["HUB_DATABASE_URL"].split(":", 1)[0]
    print(
        f"database: {database}; answers submitted through the services in {seeded['seed_seconds']:.1f} s"
    )
    print(
        describe(
            f"floor: pandas.DataFrame.to_excel of 回答一覧 alone ({raw['rows']} rows x "
            f"{raw['columns']} columns, engine {raw['engine']})",
            raw,
        )
    )
    print(describe(f"whole workbook, {total} municipalities", national))
    print(describe("whole workbook, 62 municipalities", tokyo))
    print(f"ratio workbook / pandas: {ratio:.2f}")
    ok = ratio <= RATIO_TARGET and national["peak_rss_mb"] < MEMORY_LIMIT_MB
    print(
        "PASS"
        if ok
        else f"FAIL (targets: ratio <= {RATIO_TARGET}, peak RSS < {MEMORY_LIMIT_MB:.0f} MB)"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=NATIONAL_COUNT)
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs of each job (best counts)"
    )
    parser.add_argument("--child", choices=("workbook", "pandas"), help=argparse.SUPPRESS)
    parser.add_argument("--round", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.round, args.out)
        return 0
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as folder:
        work = Path(folder)
        env = bench_env(work)
        ensure_database(env["HUB_DATABASE_URL"])
        with hub_context(env):
            seeded = seed(args.municipalities)
        ok = report(args.municipalities, seeded, env, work, max(1, args.repeat))
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
