"""A database as an old release left it, with its data, upgraded by ``hub init`` and then used.

``test_migrations.py`` walks every revision up and down on empty tables; this module starts
where a real upgrade starts: a database migrated to an old revision and filled the way that
release filled it — rows written here as SQL against *that revision's* tables (read from its
migration files, not from today's models), answers as that release normalized what was typed
(全角, 和暦), a referral sealed as that release sealed it — then ``hub init`` through the CLI, as
an operator runs it, and the app used through the HTTP client by its users.

Two releases: the first (``0001``: rounds, responses, deliveries, the audit log) and the first
with referrals (``0003_referrals``, whose ``referral.fiscal_year`` was still read from the UTC
date: 0017 corrects it). On SQLite, and on PostgreSQL when ``HUB_TEST_DATABASE_URL`` names one
(a database of its own, ``<that name>_upgrade``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from click.testing import CliRunner
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Connection, Engine

from hub import create_app
from hub.cli import cli
from hub.config import load_settings
from hub.crypto import encode_key
from hub.db import db, make_engine
from hub.migrate import current_revision, head_revision, upgrade
from tests.conftest import PASSWORD, sign_in
from tests.test_migrations import _postgres_url, _throwaway_postgres

pytestmark = pytest.mark.slow

FIRST = "0001"
FIRST_WITH_REFERRALS = "0003_referrals"

# The test data key, 32 bytes as HUB_DATA_KEY takes them (base64url): the format of 0003_referrals
# (hub/crypto.py then and now).
DATA_KEY = hashlib.sha256(b"upgrade-test data key").digest()

HACHIOJI = "132012"
CHIYODA = "131016"

# What a respondent of 八王子市 typed in the first release, and what that release stored (its
# forms.schema.load_answers: 和暦 to ISO, 全角 digits, phone and e-mail folded, text kept as typed):
#   plan_date 「令和元年５月１日」, cooperating_employers 「１２」,
#   contact_phone 「０３－５３２１－１１１１」, contact_email 「ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｌｇ．ｊｐ」
PLAN_NAME = "ＡＢＣ市再犯防止推進計画（第１次）"
COMMENT = "=SUM(A1:A9) のような式は文字として"
ACCEPTED_ANSWERS = {
    "plan_status": "formulated",
    "plan_name": PLAN_NAME,
    "plan_date": "2019-05-01",
    "lead_department": "福祉部　地域福祉課",
    "programs": ["shamei_campaign", "hogoshi_support"],
    "cooperating_employers": 12,
    "consultation_setup": "general_welfare_window",
    "comments": COMMENT,
    "contact_name": "都庁　太郎",
    "contact_phone": "03-5321-1111",
    "contact_email": "TARO@example.lg.jp",
}
SUBMITTED_ANSWERS = {
    "plan_status": "no_plan",
    "lead_department": "総務部　総務課",
    "consultation_setup": "departmental",
    "contact_name": "千代田　一郎",
    "contact_phone": "03-3264-2111",
    "contact_email": "ichiro@example.lg.jp",
}
PERSON = {"name": "保護　観子", "kana": "ほご　みこ", "phone": "090-1234-5678", "birth_year": 1970}
SUMMARY = "就労の相談を希望。=HYPERLINK(1) は文字のまま"


def utc(text: str) -> datetime:
    """A Tokyo wall-clock time (``2026-05-29 17:00``) as the aware UTC value stored."""
    tokyo = datetime.fromisoformat(text + "+09:00")
    return tokyo.astimezone(UTC)


# --- the old releases' tables, as their migrations made them (0001, 0002, 0003_referrals) ----

JSON = sa.JSON
STAMP = sa.DateTime(timezone=True)
municipality = sa.table(
    "municipality",
    *(sa.column(c) for c in ("code", "prefecture_code", "name", "kana", "name_en", "region")),
    sa.column("type"),
    sa.column("active", sa.Boolean),
)
recipient = sa.table(
    "recipient",
    *(sa.column(c) for c in ("name", "title", "channel", "address", "schedule")),
    sa.column("formats", JSON),
    sa.column("include_detail", sa.Boolean),
    sa.column("active", sa.Boolean),
    sa.column("updated_at", STAMP),
)
survey = sa.table(
    "survey",
    sa.column("id", sa.Integer),
    *(sa.column(c) for c in ("key", "version", "title", "fingerprint")),
    sa.column("loaded_at", STAMP),
)
user_account = sa.table(
    "user_account",
    sa.column("id", sa.Integer),
    *(sa.column(c) for c in ("email", "display_name", "password_hash", "role")),
    *(sa.column(c) for c in ("municipality_code", "recipient_name", "locale", "session_version")),
    sa.column("active", sa.Boolean),
    sa.column("password_changed_at", STAMP),
    sa.column("created_at", STAMP),
)
round_ = sa.table(
    "round",
    sa.column("id", sa.Integer),
    *(sa.column(c) for c in ("survey_id", "title", "created_by_id")),
    sa.column("reference_date", sa.Date),
    *(sa.column(c, STAMP) for c in ("opens_at", "deadline", "closed_at", "created_at")),
)
response = sa.table(
    "response",
    sa.column("id", sa.Integer),
    *(sa.column(c) for c in ("round_id", "municipality_code", "state", "version")),
    sa.column("answers", JSON),
    *(sa.column(c, STAMP) for c in ("submitted_at", "accepted_at", "updated_at")),
    sa.column("updated_by_id"),
    sa.column("updated_on_behalf", sa.Boolean),
)
response_choice = sa.table(
    "response_choice", *(sa.column(c) for c in ("response_id", "question_id", "code"))
)
revision = sa.table(
    "revision",
    *(sa.column(c) for c in ("response_id", "number", "action", "state", "source", "user_id")),
    sa.column("answers", JSON),
    sa.column("changes", JSON),
    sa.column("on_behalf", sa.Boolean),
    sa.column("created_at", STAMP),
)
audit_event = sa.table(
    "audit_event",
    sa.column("at", STAMP),
    *(sa.column(c) for c in ("user_id", "action", "target", "municipality_code", "address")),
    sa.column("on_behalf", sa.Boolean),
    sa.column("details", JSON),
)
delivery = sa.table(
    "delivery",
    *(sa.column(c) for c in ("id", "recipient_name", "round_id", "content_hash", "channel")),
    *(sa.column(c) for c in ("status", "attempts", "location", "trigger")),
    sa.column("files", JSON),
    sa.column("changes", JSON),
    sa.column("forced", sa.Boolean),
    sa.column("created_at", STAMP),
    sa.column("sent_at", STAMP),
)
referral = sa.table(
    "referral",
    sa.column("id", sa.Integer),
    *(sa.column(c) for c in ("municipality_code", "referrer", "status", "fiscal_year")),
    sa.column("needs", JSON),
    sa.column("consent_obtained_on", sa.Date),
    *(sa.column(c) for c in ("consent_obtained_by", "consent_scope", "created_by_id")),
    sa.column("person_sealed", sa.LargeBinary),
    *(sa.column(c, STAMP) for c in ("created_at", "sent_at")),
)
referral_event = sa.table(
    "referral_event",
    *(sa.column(c) for c in ("referral_id", "action", "user_id", "municipality_code")),
    sa.column("at", STAMP),
)


@dataclass
class OldData:
    round_id: int
    referral_id: int | None


def _insert(conn: Connection, table: sa.TableClause, **values: object) -> int:
    """One row; its id as the database gave it (sequences advance as the release's did)."""
    if "id" in table.c and "id" not in values:
        return int(conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one())
    conn.execute(table.insert().values(**values))
    return 0


def _user(conn: Connection, email: str, role: str, code: str | None = None) -> int:
    # a real argon2id hash with the library's defaults, as the release's PasswordHasher() made
    hashed = PasswordHasher().hash(PASSWORD)
    return _insert(
        conn, user_account, email=email, display_name=email.split("@")[0], password_hash=hashed,
        role=role, municipality_code=code, recipient_name=None, active=True, locale="ja",
        session_version=1, password_changed_at=utc("2026-04-01 09:00"),
        created_at=utc("2026-04-01 09:00"),
    )  # fmt: skip


def _response(
    conn: Connection, round_id: int, code: str, answers: dict[str, object], *, user: int,
    accepted_by: int | None,
) -> int:  # fmt: skip
    """A response saved, submitted (and accepted), with its revisions and choice index as the
    first release's ``_record`` and ``index_choices`` wrote them."""
    steps = [("save", "draft", "2026-05-20 10:00"), ("submit", "submitted", "2026-05-21 11:00")]
    if accepted_by is not None:
        steps.append(("accept", "accepted", "2026-05-30 10:00"))
    response_id = _insert(
        conn, response, round_id=round_id, municipality_code=code, state=steps[-1][1],
        version=len(steps), answers=answers, submitted_at=utc(steps[1][2]),
        accepted_at=utc(steps[2][2]) if accepted_by else None, updated_at=utc(steps[-1][2]),
        updated_by_id=accepted_by or user, updated_on_behalf=False,
    )  # fmt: skip
    for number, (action, state, at) in enumerate(steps, start=1):
        changes = {k: [None, v] for k, v in answers.items()} if action == "save" else {}
        actor = accepted_by if action == "accept" else user
        _insert(
            conn, revision, response_id=response_id, number=number, action=action, state=state,
            answers=answers, changes=changes, source="web", user_id=actor, on_behalf=False,
            created_at=utc(at),
        )  # fmt: skip
    for question in ("plan_status", "programs", "consultation_setup"):
        value = answers.get(question)
        for code_ in value if isinstance(value, list) else [value] if value else []:
            _insert(conn, response_choice, response_id=response_id, question_id=question,
                    code=code_)  # fmt: skip
    return response_id


def _seal(plain: str, context: str) -> bytes:
    """As 0003_referrals' hub/crypto.py sealed: version 1 | key id | nonce | AES-GCM(context)."""
    nonce = os.urandom(12)
    sealed = AESGCM(DATA_KEY).encrypt(nonce, plain.encode("utf-8"), context.encode("utf-8"))
    return b"\x01" + hashlib.sha256(DATA_KEY).digest()[:4] + nonce + sealed


def fill_as_released(engine: Engine, release: str) -> OldData:
    with engine.begin() as conn:
        # what that release's hub init loaded: municipalities, the questionnaire, the recipients
        for code, name, kana, name_en, region in (
            (CHIYODA, "千代田区", "ちよだく", "Chiyoda", "区部"),
            (HACHIOJI, "八王子市", "はちおうじし", "Hachioji", "市部"),
        ):
            _insert(conn, municipality, code=code, prefecture_code="13", name=name, kana=kana,
                    name_en=name_en, region=region, type="市", active=True)  # fmt: skip
        for name, title in (("moj", "法務省 保護局"), ("tokyo-probation", "東京保護観察所")):
            _insert(conn, recipient, name=name, title=title, channel="outbox", address="",
                    schedule="", formats=["xlsx", "csv", "json"], include_detail=False,
                    active=True, updated_at=utc("2026-04-01 09:00"))  # fmt: skip
        survey_id = _insert(
            conn, survey, key="torikumi", version=1, title="再犯防止の取組状況調査",
            fingerprint="bef2d6c13bdd" + "0" * 52, loaded_at=utc("2026-04-01 09:00"),
        )  # fmt: skip
        staff = _user(conn, "staff@metro.tokyo.lg.jp", "staff")
        hachioji = _user(conn, "hachioji@city.hachioji.lg.jp", "respondent", HACHIOJI)
        chiyoda = _user(conn, "chiyoda@city.chiyoda.lg.jp", "respondent", CHIYODA)
        round_id = _insert(
            conn, round_, survey_id=survey_id, title="令和8年度 再犯防止の取組状況調査",
            reference_date=date(2026, 4, 1), opens_at=utc("2026-04-01 09:00"),
            deadline=utc("2026-05-29 17:00"), closed_at=None, created_at=utc("2026-04-01 09:00"),
            created_by_id=staff,
        )  # fmt: skip
        _response(conn, round_id, HACHIOJI, ACCEPTED_ANSWERS, user=hachioji, accepted_by=staff)
        _response(conn, round_id, CHIYODA, SUBMITTED_ANSWERS, user=chiyoda, accepted_by=None)
        _insert(
            conn, audit_event, at=utc("2026-05-30 10:00"), user_id=staff, action="response.accept",
            target=f"round/{round_id}/response/{HACHIOJI}", municipality_code=HACHIOJI,
            address="10.0.0.7", on_behalf=False,
            details={"version": 3, "changed": [], "source": "web"},
        )  # fmt: skip
        sent = utc("2026-06-01 09:00")
        _insert(
            conn, delivery, id=f"{sent:%Y%m%dT%H%M%SZ}-0a1b2c3d", recipient_name="moj",
            round_id=round_id, content_hash="c" * 64, channel="outbox", status="sent",
            attempts=1, location="outbox/moj", trigger="schedule", forced=False,
            files=[{"name": "r1_moj.xlsx", "sha256": "d" * 64, "bytes": 12345}],
            changes={"snapshot": {}}, created_at=sent, sent_at=sent,
        )  # fmt: skip
        referral_id = None
        if release == FIRST_WITH_REFERRALS:
            referral_id = _referral(conn, staff)
            _user(conn, "window@city.hachioji.lg.jp", "window", HACHIOJI)
    return OldData(round_id, referral_id)


def _referral(conn: Connection, staff: int) -> int:
    """A referral made by 都's desk at 08:00 on 1 April (Tokyo): that release read its fiscal
    year from the UTC date, 31 March, and stored 2025."""
    created = utc("2026-04-01 08:00")
    referral_id = _insert(
        conn, referral, municipality_code=HACHIOJI, referrer="staff", status="sent",
        fiscal_year=2025, needs=["employment", "housing"], consent_obtained_on=date(2026, 3, 31),
        consent_obtained_by="都庁　相談員", consent_scope="八王子市の窓口に氏名と連絡先を伝える",
        created_by_id=staff, created_at=created, sent_at=created, person_sealed=None,
    )  # fmt: skip
    plain = json.dumps(
        {"person": PERSON, "summary": SUMMARY, "needs_other": ""}, ensure_ascii=False,
        sort_keys=True,
    )  # fmt: skip
    conn.execute(
        referral.update()
        .where(referral.c.id == referral_id)
        .values(person_sealed=_seal(plain, f"referral:{referral_id}:person"))
    )
    _insert(conn, referral_event, referral_id=referral_id, action="sent", user_id=staff,
            municipality_code=HACHIOJI, at=created)  # fmt: skip
    _insert(conn, audit_event, at=created, user_id=staff, action="referral.create",
            target=str(referral_id), municipality_code=HACHIOJI, address=None, on_behalf=False,
            details={})  # fmt: skip
    return referral_id


# --- the databases ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old-release.sqlite3'}"
        return
    if _postgres_url() is None:
        pytest.skip("HUB_TEST_DATABASE_URL does not name a PostgreSQL database")
    for engine in _throwaway_postgres("upgrade"):
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        yield url


@pytest.fixture
def upgraded_app(tmp_path: Path) -> Iterator[list[Flask]]:
    """Holds the app made on the old database; afterwards the hub's one ``db`` is bound again to
    the engine it had (the suite's session app, if one was made before)."""
    before = db.engine
    made: list[Flask] = []
    yield made
    if db.engine is not None and db.engine is not before:
        db.engine.dispose()
    if before is not None:
        db.bind(before)


# --- the test ---------------------------------------------------------------------------------


def _words(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code, page.get_data(as_text=True)[:800])
    return page.get_data(as_text=True)


@pytest.mark.parametrize("release", [FIRST, FIRST_WITH_REFERRALS])
def test_a_database_an_old_release_left_upgrades_with_hub_init_and_serves_its_data(
    release: str, database_url: str, tmp_path: Path, upgraded_app: list[Flask]
) -> None:
    old = make_engine(database_url)
    upgrade(old, release)
    data = fill_as_released(old, release)
    old.dispose()

    instance = tmp_path / "instance"
    settings = load_settings(
        {
            "HUB_INSTANCE_DIR": str(instance),
            "HUB_DATABASE_URL": database_url,
            "HUB_SECRET_KEY": "upgrade-test-secret-key-long-enough-0123456789",
            "HUB_OUTBOX_DIR": str(instance / "outbox"),
            "HUB_DATA_KEY": encode_key(DATA_KEY),
        },
        testing=True,
    )
    app = create_app(settings)
    upgraded_app.append(app)

    init = CliRunner().invoke(cli, ["init"], obj=app)
    assert init.exit_code == 0, init.output
    assert f"migrated from {release} to {head_revision()}" in init.output
    assert "データ鍵" not in init.output  # every sealed value opens with the key it had
    assert db.engine is not None
    assert current_revision(db.engine) == head_revision()

    # the respondent of 八王子市 signs in with the password of the old release's hash
    respondent = app.test_client()
    sign_in(respondent, "hachioji@city.hachioji.lg.jp")
    home = _words(respondent, "/respond/")
    assert "令和8年度 再犯防止の取組状況調査" in home
    seen = _words(respondent, f"/respond/rounds/{data.round_id}/{HACHIOJI}/view")
    for typed in (PLAN_NAME, "福祉部　地域福祉課", "03-5321-1111", "TARO@example.lg.jp"):
        assert typed in seen
    assert "令和元年5月1日" in seen  # the ISO date of the first release, shown in 和暦
    assert "受理済み" in seen
    history = _words(respondent, f"/respond/rounds/{data.round_id}/{HACHIOJI}/history")
    assert "受理" in history

    # staff: the board, and the consolidated workbook holds both municipalities' answers
    staff = app.test_client()
    sign_in(staff, "staff@metro.tokyo.lg.jp")
    board = _words(staff, f"/staff/rounds/{data.round_id}")
    assert "八王子市" in board
    assert "千代田区" in board
    book = staff.get(f"/rounds/{data.round_id}/workbook.xlsx")
    assert book.status_code == 200, book.get_data(as_text=True)[:800]
    workbook = load_workbook(io.BytesIO(book.data), read_only=True)
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    assert PLAN_NAME in cells
    assert "総務部　総務課" in cells
    assert COMMENT in cells  # a formula-looking answer stays text
    assert not any(str(c).startswith("=SUM") and c != COMMENT for c in cells)

    # the delivery log of the old release's delivery, and the audit log's old row
    log = _words(staff, "/staff/recipients/moj")
    assert "20260601T000000Z-0a1b2c3d" in log
    audit = _words(staff, "/audit/?action=response.accept")
    assert "令和8年5月30日（土）10:00:00" in audit
    for shown in ("回答の受理", "八王子市の回答", "10.0.0.7", "版: 3"):
        assert shown in audit

    if data.referral_id is None:
        return
    with app.app_context():
        year = db.session.scalar(
            sa.select(referral.c.fiscal_year).where(referral.c.id == data.referral_id)
        )
    assert year == 2026  # 0017: 1 April 08:00 in Tokyo is the fiscal year 2026
    window = app.test_client()
    sign_in(window, "window@city.hachioji.lg.jp")
    inbox = _words(window, "/referrals")
    assert f"/referrals/{data.referral_id}" in inbox
    case = _words(window, f"/referrals/{data.referral_id}")
    for field in (PERSON["name"], PERSON["kana"], PERSON["phone"], SUMMARY, "都庁　相談員"):
        assert field in case
    with app.app_context():
        reads = db.session.execute(
            sa.text("SELECT fields, via FROM referral_read WHERE referral_id = :id"),
            {"id": data.referral_id},
        ).all()
    assert len(reads) == 1  # the read is logged as today's are
    assert "person.name" in reads[0][0]
