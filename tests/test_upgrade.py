"""A database as an old release left it, with its data, upgraded by ``hub init`` and then used.

``test_migrations.py`` walks every revision up and down on empty tables; this module starts
where a real upgrade starts: a database migrated to an old revision and filled the way that
release filled it — rows written here as SQL against *that revision's* tables (read from its
migration files, not from today's models), answers as that release normalized what was typed
(全角, 和暦), a referral sealed as that release sealed it — then ``hub init`` through the CLI, as
an operator runs it, and the app used through the HTTP client by its users.

Three releases: the first (``0001``: rounds, responses, deliveries, the audit log), the first
with referrals (``0003_referrals``, whose ``referral.fiscal_year`` was still read from the UTC
date: 0017 corrects it), and ``0007_outgoing_mail``, just before the migration that moves the
most stored data (:data:`MIDDLE`), with the desk's cases and a hearing, a sent and a queued mail,
a reminder its scheduler sent at once, a scheduled delivery's claim, a delivery waiting for its
retry and a questionnaire draft — there the scheduler's jobs run after the upgrade too, at a
fixed moment (``tests/clock.py``). On SQLite, and on PostgreSQL when ``HUB_TEST_DATABASE_URL`` names one
(a database of its own, ``<that name>_upgrade``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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

from exports.delivery import compose
from hub import create_app, jobs
from hub.cli import cli
from hub.config import load_settings
from hub.crypto import encode_key
from hub.db import db, make_engine
from hub.migrate import current_revision, head_revision, upgrade
from hub.models import Delivery, JobRun
from hub.services.recipients import get_recipient
from hub.services.rounds import get_round
from tests.clock import TokyoClock
from tests.conftest import PASSWORD, sign_in
from tests.consultations.test_pages import NUMBER_CELL
from tests.mailbox import Inbox, start_server
from tests.test_migrations import _postgres_url, _throwaway_postgres

pytestmark = [pytest.mark.slow, pytest.mark.database]

FIRST = "0001"
FIRST_WITH_REFERRALS = "0003_referrals"
MIDDLE = "0007_outgoing_mail"
"""The release just before the migration that moves the most stored data: 0008_ids_never_reused
copies every row of ``round`` and ``questionnaire_draft`` into rebuilt tables on SQLite, with the
rows of a dozen tables (responses, revisions, mails, reminders, deliveries, claims …) naming a
round across it; the others add a column or a constraint (0005 also rebuilds ``reminder_sent``)
or fix one value (0017). 0007 is also the first release with ``outgoing_mail``, and the last
whose scheduler sent its reminders at once (``reminder_sent`` without ``queued``: 0010)."""

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
    *(sa.column(c) for c in ("status", "attempts", "location", "trigger", "error")),
    sa.column("files", JSON),
    sa.column("changes", JSON),
    sa.column("forced", sa.Boolean),
    *(sa.column(c, STAMP) for c in ("created_at", "sent_at", "next_attempt_at")),
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
consultation = sa.table(
    "consultation",
    sa.column("id", sa.Integer),
    sa.column("received_on", sa.Date),
    *(sa.column(c) for c in ("fiscal_year", "channel", "age_group", "caller", "crime_type")),
    sa.column("crime_related", sa.Boolean),
    *(sa.column(c) for c in ("municipality_code", "source", "created_by_id")),
    sa.column("created_at", STAMP),
)
consultation_referral = sa.table(
    "consultation_referral", *(sa.column(c) for c in ("consultation_id", "code"))
)
hearing = sa.table(
    "hearing",
    sa.column("id", sa.Integer),
    *(sa.column(c) for c in ("municipality_code", "department", "notes", "created_by_id")),
    sa.column("held_on", sa.Date),
    sa.column("topics", JSON),
    sa.column("created_at", STAMP),
)
# 0005_reminder_deadline's reminder_sent: the deadline reminded of, no ``queued`` yet (0010)
reminder_sent = sa.table(
    "reminder_sent",
    sa.column("id", sa.Integer),
    *(sa.column(c) for c in ("round_id", "municipality_code", "kind")),
    sa.column("recipients", JSON),
    *(sa.column(c, STAMP) for c in ("sent_at", "deadline")),
)
# 0007_outgoing_mail: no until_submitted (0009), sent_to (0012) nor error_details (0015)
outgoing_mail = sa.table(
    "outgoing_mail",
    sa.column("id", sa.Integer),
    *(sa.column(c) for c in ("about", "round_id", "municipality_code", "subject", "body")),
    sa.column("attempts"),
    sa.column("error"),
    *(sa.column(c, STAMP) for c in ("created_at", "not_before", "sent_at", "given_up_at")),
)
# 0001's job_run: no ``result`` yet (0016)
job_run = sa.table(
    "job_run",
    sa.column("id", sa.Integer),
    *(sa.column(c) for c in ("job", "slot", "owner", "status", "error")),
    *(sa.column(c, STAMP) for c in ("claimed_at", "finished_at")),
)
# 0003_qstore's questionnaire_draft
questionnaire_draft = sa.table(
    "questionnaire_draft",
    sa.column("id", sa.Integer),
    *(sa.column(c) for c in ("key", "version", "title", "fingerprint", "source_name")),
    sa.column("definition", sa.LargeBinary),
    sa.column("uploaded_by_id"),
    sa.column("uploaded_at", STAMP),
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
    middle: MiddleData | None = None


@dataclass
class MiddleData:
    """What the middle release (:data:`MIDDLE`) left besides the first release's rows."""

    round_id: int
    """A round open in late November, its deadline on Thursday 3 December (Tokyo)."""
    retrying_id: str
    """A delivery to 東京保護観察所 whose first attempt failed, waiting for its retry."""
    draft_id: int


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
        middle = None
        if release == MIDDLE:
            middle = _middle(conn, survey_id, round_id, staff=staff)
    return OldData(round_id, referral_id, middle)


SECOND_ROUND = "令和8年度 再犯防止の取組状況調査（追加調査）"
HEARD_DEPARTMENT = "健康福祉部　福祉政策課"  # 全角 space, kept as typed
HEARD_NOTES = "=cmd|' /C calc'!A0 と書かれた資料を受領"
DRAFT_TITLE = "再犯防止の取組状況調査（令和9年度案）"
NOW = "2026-12-01 10:00"
"""When the scheduler runs again after the upgrade: a Tuesday morning, the offices open."""


def _middle(conn: Connection, survey_id: int, round_id: int, *, staff: int) -> MiddleData:
    """What :data:`MIDDLE` also held, as its services wrote it (tables of its migrations)."""
    # the desk's cases of 令和7年度 as that release stored what was typed (「令和7年５月１日」 →
    # 2025-05-01; 年度 from the Tokyo day), a residence 不明 as NULL, the agencies one row each
    cases = (
        ("2025-05-01", "phone", "40s", "self", "shoplifting", HACHIOJI, "web", ["municipal_window"]),
        ("2025-06-12", "visit", "40s", "family", None, HACHIOJI, "import", []),
        ("2025-09-30", "phone", "40s", "self", "drugs", CHIYODA, "import",
         ["mental_health_center", "self_help_group"]),
        ("2026-03-31", "phone", "70s", "agency", None, None, "web", []),
    )  # fmt: skip
    for day, channel, age, caller, crime, home, source, agencies in cases:
        case_id = _insert(
            conn, consultation, received_on=date.fromisoformat(day), fiscal_year=2025,
            channel=channel, age_group=age, caller=caller, crime_related=crime is not None,
            crime_type=crime, municipality_code=home, source=source, created_by_id=staff,
            created_at=utc(f"{day} 18:00"),
        )  # fmt: skip
        for code in agencies:
            _insert(conn, consultation_referral, consultation_id=case_id, code=code)
    # a hearing typed 「令和８年６月１０日」
    _insert(
        conn, hearing, municipality_code=HACHIOJI, held_on=date(2026, 6, 10),
        department=HEARD_DEPARTMENT, topics=["plan_challenges.no_lead_department"],
        notes=HEARD_NOTES, created_at=utc("2026-06-10 16:00"), created_by_id=staff,
    )  # fmt: skip
    # a second round, open, neither municipality has started it
    second = _insert(
        conn, round_, survey_id=survey_id, title=SECOND_ROUND, reference_date=date(2026, 11, 1),
        opens_at=utc("2026-11-16 09:00"), deadline=utc("2026-12-03 17:00"), closed_at=None,
        created_at=utc("2026-11-16 09:00"), created_by_id=staff,
    )  # fmt: skip
    for code in (HACHIOJI, CHIYODA):
        _insert(conn, response, round_id=second, municipality_code=code, state="not_started",
                version=0, answers={}, updated_on_behalf=False)  # fmt: skip
    # that release's scheduler mailed 八王子市 its due-soon reminder at once (3 days before)
    _insert(
        conn, reminder_sent, round_id=second, municipality_code=HACHIOJI, kind="due_soon",
        sent_at=utc("2026-11-30 17:00"), recipients=["hachioji@city.hachioji.lg.jp"],
        deadline=utc("2026-12-03 17:00"),
    )  # fmt: skip
    # a mail that went (the first round's return) and the board's 督促 to 千代田区, still queued
    _insert(
        conn, outgoing_mail, about="response.return_mail", round_id=round_id,
        municipality_code=HACHIOJI, subject="【差戻し】令和8年度 再犯防止の取組状況調査",
        body="回答を差し戻しました。", created_at=utc("2026-05-25 10:00"),
        not_before=utc("2026-05-25 10:00"), attempts=1, sent_at=utc("2026-05-25 10:01"),
    )  # fmt: skip
    _insert(
        conn, outgoing_mail, about="reminder.send", round_id=second, municipality_code=CHIYODA,
        subject=f"【督促】{SECOND_ROUND}", body="提出期限が近づいています。",
        created_at=utc("2026-12-01 09:25"), not_before=utc("2026-12-01 09:25"), attempts=0,
    )  # fmt: skip
    # 法務省's weekly delivery (Mondays 9:00) ran on 30 November: its claim
    conn.execute(recipient.update().where(recipient.c.name == "moj").values(schedule="0 9 * * 1"))
    conn.execute(
        recipient.update().where(recipient.c.name == "tokyo-probation").values(schedule="off")
    )
    _insert(
        conn, job_run, job="deliveries:moj", slot="2026-11-30T00:00Z", owner="hub-old:4242",
        status="done", claimed_at=utc("2026-11-30 09:00"), finished_at=utc("2026-11-30 09:00"),
    )  # fmt: skip
    # a delivery to 東京保護観察所 whose first attempt failed at 9:20, the upgrade before its retry
    failed_at = utc("2026-12-01 09:20")
    retrying = f"{failed_at:%Y%m%dT%H%M%SZ}-5e6f7a8b"
    error = "出力先フォルダに書き込めませんでした: [Errno 28] No space left on device"
    _insert(
        conn, delivery, id=retrying, recipient_name="tokyo-probation", round_id=round_id,
        content_hash="f" * 64, channel="outbox", status="retrying", attempts=1, location=None,
        trigger="manual", forced=False, files=[], changes={"snapshot": {}}, error=error,
        created_at=failed_at, sent_at=None, next_attempt_at=utc("2026-12-01 09:21"),
    )  # fmt: skip
    for action, details in (
        ("delivery.create", {"round": round_id, "channel": "outbox"}),
        ("delivery.attempt_failed", {"attempt": 1, "error": error, "gave_up": False}),
    ):
        _insert(conn, audit_event, at=failed_at, user_id=None, action=action,
                target=f"delivery/{retrying}", municipality_code=None, address=None,
                on_behalf=False, details=details)  # fmt: skip
    # a questionnaire uploaded and not yet published
    definition = Path(__file__).parents[1] / "forms" / "definitions" / "torikumi.xlsx"
    draft_id = _insert(
        conn, questionnaire_draft, key="torikumi", version=2, title=DRAFT_TITLE,
        fingerprint="9" * 64, definition=definition.read_bytes(), source_name="torikumi_r9.xlsx",
        uploaded_by_id=staff, uploaded_at=utc("2026-11-28 15:00"),
    )  # fmt: skip
    return MiddleData(second, retrying, draft_id)


CONSENT_SCOPE = "八王子市の窓口に氏名と連絡先を伝える（母 山田良子と同居）"
"""Stored in clear by that release; 0020 seals it with the key ``hub init`` holds."""


def _referral(conn: Connection, staff: int) -> int:
    """A referral made by 都's desk at 08:00 on 1 April (Tokyo): that release read its fiscal
    year from the UTC date, 31 March, and stored 2025."""
    created = utc("2026-04-01 08:00")
    referral_id = _insert(
        conn, referral, municipality_code=HACHIOJI, referrer="staff", status="sent",
        fiscal_year=2025, needs=["employment", "housing"], consent_obtained_on=date(2026, 3, 31),
        consent_obtained_by="都庁　相談員", consent_scope=CONSENT_SCOPE,
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


@pytest.fixture
def mail_server() -> Iterator[tuple[str, Inbox]]:
    inbox = Inbox()
    with start_server(inbox) as url:
        yield url, inbox


@pytest.mark.parametrize("release", [FIRST, FIRST_WITH_REFERRALS, MIDDLE])
def test_a_database_an_old_release_left_upgrades_with_hub_init_and_serves_its_data(
    release: str,
    database_url: str,
    tmp_path: Path,
    upgraded_app: list[Flask],
    request: pytest.FixtureRequest,
) -> None:
    clock: TokyoClock | None = None
    env = {}
    if release == MIDDLE:  # the scheduler's jobs run at a fixed moment, mailing a local server
        clock = request.getfixturevalue("tokyo_clock")
        clock.set(NOW)
        env["HUB_SMTP_URL"], inbox = request.getfixturevalue("mail_server")
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
            **env,
        },
        testing=True,
    )
    app = create_app(settings)
    upgraded_app.append(app)

    init = CliRunner().invoke(cli, ["init"], obj=app)
    assert init.exit_code == 0, init.output
    assert f"データベースを {release} から {head_revision()} に更新しました" in init.output
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
    # 最終入力者 (0021 read it from the revisions): the respondents who saved the answers, when
    # they saved them; 都 staff who accepted 八王子市's are not named
    status = list(workbook["提出状況"].iter_rows(values_only=True))
    header = next(row for row in status if row and row[0] == "団体コード")
    entered = {
        row[0]: (row[header.index("最終入力者")], row[header.index("最終入力日時")])
        for row in status
        if row and row[0] in (HACHIOJI, CHIYODA)
    }
    assert entered == {
        HACHIOJI: ("hachioji", datetime(2026, 5, 20, 10, 0)),
        CHIYODA: ("chiyoda", datetime(2026, 5, 20, 10, 0)),
    }

    # the delivery log of the old release's delivery, and the audit log's old row
    log = _words(staff, "/staff/recipients/moj")
    assert "20260601T000000Z-0a1b2c3d" in log
    audit = _words(staff, "/audit/?action=response.accept")
    assert "令和8年5月30日（土）10:00:00" in audit
    for shown in ("回答の受理", "八王子市の回答", "10.0.0.7", "版: 3"):
        assert shown in audit

    if data.middle is not None:
        assert clock is not None
        _check_middle(app, data.middle, clock.moment, inbox, respondent, staff)
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
    assert f"範囲: {CONSENT_SCOPE}" in case  # 0020 sealed it with the key hub init holds
    with app.app_context():
        reads = db.session.execute(
            sa.text("SELECT fields, via FROM referral_read WHERE referral_id = :id"),
            {"id": data.referral_id},
        ).all()
        stored = repr(db.session.execute(sa.text("SELECT * FROM referral")).all())
    assert len(reads) == 1  # the read is logged as today's are
    assert "person.name" in reads[0][0]
    assert "consent.scope" in reads[0][0]
    assert "山田良子" not in stored  # the scope is no longer anywhere in clear text


def _check_middle(
    app: Flask, middle: MiddleData, now: datetime, inbox: Inbox, respondent: FlaskClient,
    staff: FlaskClient,
) -> None:  # fmt: skip
    """The middle release's rows, upgraded: the desk's cases and hearings as users see them,
    the scheduler's claims and reminders honoured, the queued mail and the failed delivery
    carried on where the old release left them."""
    # the desk's statistics open on 令和7年度, the old release's cases
    shown = _words(staff, "/consultations/statistics")
    assert "令和7年度" in shown
    assert '<td class="numeric">4</td>' in shown  # 4 cases
    assert '<td class="numeric">1</td>' in shown  # staff see the true small cells
    own = _words(respondent, "/consultations/statistics")
    assert "令和7年度" in own
    assert "八王子市に住む方からの相談" in own  # the two cases of its residents
    assert "＊" in own
    assert not {int(n) for n in NUMBER_CELL.findall(own)} & {1, 2}, "suppressed for respondents"
    assert "居住区市町村別" not in own

    # the hearing of 令和8年6月10日, in 令和8年度, as typed
    heard = _words(staff, "/hearings?fiscal_year=2026")
    assert "1/62" in heard
    for typed in ("八王子市", HEARD_DEPARTMENT, "所管部署が決まらない", "令和8年6月10日"):
        assert typed in heard, typed

    # the draft uploaded before the upgrade is still there to publish (0008 rebuilt its table)
    drafts = _words(staff, "/staff/questionnaires/")
    assert DRAFT_TITLE in drafts
    assert f"/staff/questionnaires/drafts/{middle.draft_id}" in drafts

    # the board: 八王子市 reminded on 30 November by the old scheduler, 千代田区 today by staff
    board = _words(staff, f"/staff/rounds/{middle.round_id}")
    assert "最終督促 令和8年11月30日" in board
    assert "最終督促 令和8年12月1日" in board

    with app.app_context():
        # the reminders job: 八王子市's due-soon point was sent by the old release, not again;
        # 千代田区 reached it without one and is queued its reminder now
        queued = jobs.reminders(now)
        assert [(r.municipality_code, r.kind, r.queued) for r in queued] == [
            (CHIYODA, "due_soon", True)
        ]
        assert jobs.reminders(now + timedelta(minutes=1)) == []

        # 法務省's weekly delivery: the slot of Monday 9:00 was claimed by the old release
        assert jobs.scheduled_deliveries(now) == []
        runs = db.session.scalars(sa.select(JobRun).where(JobRun.job == "deliveries:moj")).all()
        assert [(r.slot, r.status, r.result) for r in runs] == [("2026-11-30T00:00Z", "done", None)]
        moj = db.session.scalars(sa.select(Delivery.id).where(Delivery.recipient_name == "moj"))
        assert list(moj) == ["20260601T000000Z-0a1b2c3d"], "the claimed slot does not run again"

        # the failed delivery: the retry job tries it a second time, and it goes. The release's
        # hash was of the same tables; this test cannot run its code, so the row gets today's
        # hash of them (a release whose tables differ supersedes it: tests/deliveries)
        retrying = db.session.get_one(Delivery, middle.retrying_id)
        assert (retrying.status, retrying.attempts, retrying.error_details) == ("retrying", 1, None)
        assert retrying.round_id is not None
        composed = compose(get_recipient("tokyo-probation"), get_round(retrying.round_id))
        retrying.content_hash = composed.content_hash
        db.session.commit()
        outcomes = jobs.delivery_retries(now)
        assert [o.status for o in outcomes] == ["sent"]
        db.session.expire_all()
        retried = db.session.get_one(Delivery, middle.retrying_id)
        assert (retried.status, retried.attempts, retried.error) == ("sent", 2, None)

        # the mail queue: the 督促 queued before the upgrade goes as queued, with the new reminder
        jobs.mail_queue(now)
    chiyoda = inbox.to("chiyoda@city.chiyoda.lg.jp")
    assert sorted(str(m["Subject"]) for m in chiyoda) == [
        f"【提出のお願い】{SECOND_ROUND}（締切 令和8年12月3日（木）17:00）",  # the due-soon point
        f"【督促】{SECOND_ROUND}",  # queued by staff before the upgrade, sent as queued
    ]
    assert inbox.to("hachioji@city.hachioji.lg.jp") == []

    log = _words(staff, "/staff/recipients/tokyo-probation")
    assert middle.retrying_id in log
    assert '<td class="numeric">2</td>' in log  # 試行
    # the audit log: the old release's failed first attempt, and the second that sent it
    failed = _words(staff, "/audit/?action=delivery.attempt_failed")
    sent = _words(staff, "/audit/?action=delivery.sent")
    for page, attempt in ((failed, 1), (sent, 2)):
        assert middle.retrying_id in page
        assert f"試行回数: {attempt}" in page
