"""Every page and download of each role at national scale: status, statements, time, size.

Loads Japan's 1,741 municipalities (``bench/national.py``) into the PostgreSQL database
``--database-url`` / ``HUB_BENCH_DATABASE_URL`` names (its public schema is dropped and made again;
without one, a temporary SQLite file), one respondent account for each, 都 staff, a counterpart
(保護観察所), an administrator, and a whole year of the desk's cases, hearings and referrals.
都 staff open a round for all of them through the page (the POST is timed), about half submit,
then each role requests every GET page and download (``flask --app hub routes``) in-process
with Flask's test client; each request's SQL statements are counted with
``hub.db.counting_statements``.

    python -m bench.pages --database-url postgresql://postgres@127.0.0.1:5432/hub_pages
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.national import NATIONAL_COUNT, complete_answers, made_up_csv
from bench.statements import _reset_postgresql, migrated_app

CHIYODA = "131016"
PASSWORD = "bench-password-0123456789"  # noqa: S105  (a throwaway database)
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
REFERRALS = 1200
"""About a year of referrals: a hundred a month, spread over the municipalities."""


@dataclass
class Row:
    role: str
    path: str
    status: int
    statements: int
    seconds: float
    size: int


def _csrf(html: str) -> str:
    found = CSRF.search(html) or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no csrf_token on the page"
    return found.group(1)


def seed(app: Any) -> dict[str, Any]:
    from forms import tokyo
    from forms.consultation import fiscal_year_of
    from hub.db import db
    from hub.models import Municipality, User
    from hub.services import reference
    from hub.services.demo_consultations import add_demo_cases, add_demo_hearings
    from hub.services.municipalities import read_municipality_list
    from hub.services.referrals import lifecycle
    from hub.services.users import create_user, hash_password

    with app.app_context():
        with db.unit_of_work():
            reference.initialize()
            reference.import_municipalities(read_municipality_list(made_up_csv(NATIONAL_COUNT)))
        codes = list(db.session.scalars(select(Municipality.code).order_by(Municipality.code)))
        with db.unit_of_work():
            shared = hash_password(PASSWORD)
            db.session.execute(
                insert(User),
                [
                    {
                        "email": f"r{code}@bench.example.jp",
                        "role": "respondent",
                        "password_hash": shared,
                        "municipality_code": code,
                        "display_name": f"bench {code}",
                    }
                    for code in codes
                ],
            )
            people = {
                "staff": create_user("staff@bench.example.jp", role="staff", password=PASSWORD),
                "counterpart": create_user(
                    "probation@bench.example.jp",
                    role="counterpart",
                    password=PASSWORD,
                    recipient_name="tokyo-probation",
                ),
                "admin": create_user("admin@bench.example.jp", role="admin", password=PASSWORD),
            }
            today = tokyo.today()
            add_demo_cases(fiscal_year_of(today) - 1)
            add_demo_hearings(today)
        with db.unit_of_work():
            staff = db.session.get_one(User, people["staff"].id)
            for n in range(REFERRALS):
                lifecycle.create(
                    {
                        "municipality": codes[(n * 7) % len(codes)],
                        "person": {
                            "name": f"架空 太郎{n}",
                            "birth_year": 1960 + n % 40,
                            "phone": "090-1234-5678",
                        },
                        "needs": ["housing"],
                        "summary": "住まいが決まっていない。",
                        "consent": {
                            "obtained_on": (today - timedelta(days=1)).isoformat(),
                            "obtained_by": "都 相談員",
                            "scope": "氏名・連絡先・概要を相談窓口に伝えること",
                        },
                    },
                    referrer="staff",
                    user=staff,
                )
        ids = {role: user.id for role, user in people.items()}
    return {"codes": codes, "ids": ids}


def signed_in(app: Any, email: str) -> Any:
    client = app.test_client()
    token = _csrf(client.get("/login").get_data(as_text=True))
    done = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert done.status_code == 302, done.get_data(as_text=True)[:300]
    return client


def open_round_by_page(app: Any, staff: Any) -> tuple[int, float, int]:
    """都 staff open a round for every municipality, asking them by mail; (id, seconds, stmts)."""
    from hub.db import counting_statements

    html = staff.get("/staff/rounds/new").get_data(as_text=True)
    survey = re.search(r'<option[^>]*value="([^"]+)"', html)
    assert survey
    deadline = time.strftime("%Y-%m-%d 17:00", time.gmtime(time.time() + 20 * 86400))
    data = {
        "csrf_token": _csrf(html),
        "survey": survey.group(1),
        "reference_date": "2026-04-01",
        "deadline": deadline,
        "invite": "y",
    }
    with app.app_context(), counting_statements() as log:
        started = time.perf_counter()
        reply = staff.post("/staff/rounds/new", data=data)
        seconds = time.perf_counter() - started
    assert reply.status_code == 302, reply.get_data(as_text=True)[:500]
    round_id = int(reply.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    return round_id, seconds, len(log)


def half_submitted(app: Any, round_id: int, codes: list[str]) -> None:
    from hub.db import db
    from hub.models import Response
    from hub.services import responses

    with app.app_context(), db.unit_of_work():
        found = db.session.scalars(select(Response).where(Response.round_id == round_id)).all()
        by_code = {r.municipality_code: r for r in found}
        for index, code in enumerate(codes[::2]):
            responses.submit(by_code[code], user=None, raw_answers=complete_answers(index))


def paths(app: Any, facts: dict[str, Any]) -> list[str]:
    """One concrete path for every GET rule (the parameters filled from the seeded data)."""
    from hub.db import db
    from hub.models import Consultation, Referral

    round_id = facts["round_id"]
    with app.app_context():
        referral = db.session.scalar(select(Referral.id).order_by(Referral.id))
        case = db.session.scalar(select(Consultation.id).order_by(Consultation.id))
    values = {
        "round_id": round_id,
        "code": CHIYODA,
        "user_id": facts["ids"]["counterpart"],
        "referral_id": referral,
        "case_id": case,
        "questionnaire_id": "torikumi",
        "version": 1,
        "name": "tokyo-probation",
        "lang": "ja",
    }
    skip = {"static", "auth.language", "api-docs.openapi_json", "health.healthz"}
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.endpoint in skip:
            continue
        if rule.rule.startswith("/api/") or "draft_id" in rule.arguments:
            continue
        if rule.endpoint == "admin.created":
            continue  # shown once, right after an account is made
        if unknown := set(rule.arguments) - values.keys():
            # e.g. a delivered file: the bench makes no delivery
            print(f"not walked (no {', '.join(sorted(unknown))} in the seeded data): {rule.rule}")
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = re.sub(rf"<[^>]*:?{argument}>", str(values[argument]), path)
        found.append(path)
    # the board's filters and the lists' later pages, as people use them
    found += [
        f"/staff/rounds/{round_id}?state=not_started",
        f"/staff/rounds/{round_id}?q=架空",
    ]
    return found


def walk(app: Any, role: str, client: Any, urls: list[str]) -> list[Row]:
    from hub.db import counting_statements

    rows = []
    for url in urls:
        with app.app_context(), counting_statements() as log:
            started = time.perf_counter()
            reply = client.get(url)
            body = reply.get_data()
            seconds = time.perf_counter() - started
        rows.append(Row(role, url, reply.status_code, len(log), seconds, len(body)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("HUB_BENCH_DATABASE_URL"))
    parser.add_argument("--all", action="store_true", help="also the pages a role may not open")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hub-pages-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        if url.startswith("postgres"):
            _reset_postgresql(url)
        app = migrated_app(url, Path(tmp))
        started = time.perf_counter()
        facts = seed(app)
        print(
            f"seeded {len(facts['codes'])} municipalities in {time.perf_counter() - started:.1f} s"
        )
        staff = signed_in(app, "staff@bench.example.jp")
        round_id, seconds, statements = open_round_by_page(app, staff)
        print(
            f"POST /staff/rounds/new (all {len(facts['codes'])}, request mails): "
            f"{seconds:.2f} s, {statements} statements"
        )
        facts["round_id"] = round_id
        half_submitted(app, round_id, facts["codes"])
        urls = paths(app, facts)
        clients = {
            "staff": staff,
            "counterpart": signed_in(app, "probation@bench.example.jp"),
            "respondent": signed_in(app, f"r{CHIYODA}@bench.example.jp"),
            "admin": signed_in(app, "admin@bench.example.jp"),
        }
        print(
            "| role | path | status | statements | ms | KB |\n| --- | --- | --- | --- | --- | --- |"
        )
        for role, client in clients.items():
            walk(app, role, client, urls[:3])  # warm the templates and caches
            for row in walk(app, role, client, urls):
                if row.status in (403, 404) and not args.all:
                    continue
                print(
                    f"| {row.role} | `{row.path}` | {row.status} | {row.statements} | "
                    f"{row.seconds * 1000:.0f} | {row.size / 1024:.0f} |"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
