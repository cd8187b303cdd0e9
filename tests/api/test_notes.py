"""備考 of the summary tables (issue 14, item 4): staff write one per row through
``PUT /rounds/{id}/notes/{question}/{code}``; it shows in 集計, in the summary's ``notes`` and in the
workbook, kept as typed and never a formula; every change is audited without its text."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from exports.assembly import round_tables
from exports.workbook import build_workbook
from hub.db import db
from hub.models import AuditEvent
from hub.services import responses
from tests.conftest import Api
from tests.exports.conftest import open_xlsx

PUBLIC_COMMENT = "パブリックコメント手続中の１自治体は「令和3年8月時点策定済」（瑞穂町）"


def note_url(round_id: int, question: str, code: str) -> str:
    return f"/rounds/{round_id}/notes/{question}/{code}"


def test_a_note_shows_in_the_summary_and_the_tables_as_typed(
    app: Flask, round_id: int, staff: Api
) -> None:
    r = staff.put(
        note_url(round_id, "plan_status", "public_comment"), {"note": f"　{PUBLIC_COMMENT}\n"}
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["note"] == PUBLIC_COMMENT, "全角 kept, surrounding blanks gone"
    assert (
        staff.put(note_url(round_id, "programs", "other"), {"note": "（例）就労支援"}).status_code
        == 200
    )

    summary = staff.get(f"/rounds/{round_id}/summary").get_json()
    assert summary["notes"] == {
        "plan_status": {"public_comment": PUBLIC_COMMENT},
        "programs": {"other": "（例）就労支援"},
    }
    with app.app_context():
        tables = {t.name: t for t in round_tables(responses.get_round(round_id))}
    headline = tables["plan_status"]
    assert headline.rows[1][0].startswith("②")
    assert headline.rows[1][2] == PUBLIC_COMMENT
    programs = tables["programs"]
    other = next(row for row in programs.rows if str(row[0]).endswith("その他"))
    assert other[programs.headers.index("備考")] == "（例）就労支援"


def test_an_empty_note_removes_it_and_changes_are_audited_without_text(
    app: Flask, round_id: int, staff: Api
) -> None:
    url = note_url(round_id, "consultation_setup", "none")
    assert staff.put(url, {"note": "体制整備を検討中"}).status_code == 200
    assert staff.put(url, {"note": "  "}).status_code == 200
    assert staff.get(f"/rounds/{round_id}/summary").get_json()["notes"] == {}
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "summary_note.set")
            .order_by(AuditEvent.id)
        ).all()
        assert [
            (e.details["question"], e.details["code"], e.details["removed"]) for e in events
        ] == [
            ("consultation_setup", "none", False),
            ("consultation_setup", "none", True),
        ]
        assert "体制整備" not in str([e.details for e in events])


def test_a_formula_looking_note_stays_text_in_the_workbook(
    app: Flask, round_id: int, staff: Api
) -> None:
    hostile = '=HYPERLINK("http://x","y")'
    assert (
        staff.put(note_url(round_id, "plan_status", "no_plan"), {"note": hostile}).status_code
        == 200
    )
    with app.app_context():
        book = open_xlsx(build_workbook(responses.get_round(round_id)))
    cells = [c for row in book["集計"].iter_rows() for c in row if c.value == hostile]
    assert cells, "the note is on the 集計 sheet"
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_bad_notes_are_refused_clearly(
    round_id: int, staff: Api, api_as: Callable[..., Api]
) -> None:
    too_long = staff.put(note_url(round_id, "plan_status", "no_plan"), {"note": "あ" * 401})
    assert too_long.status_code == 422
    assert "400文字以内" in too_long.get_json()["errors"]["note"][0]
    not_text = staff.put(note_url(round_id, "plan_status", "no_plan"), {"note": 3})
    assert not_text.status_code == 422
    assert staff.put(note_url(round_id, "plan_status", "nothing"), {"note": "x"}).status_code == 404
    assert staff.put(note_url(round_id, "comments", "x"), {"note": "x"}).status_code == 404
    assert staff.put(note_url(round_id, "contact_name", "x"), {"note": "x"}).status_code == 404
    assert (
        staff.put(note_url(round_id + 1000, "plan_status", "no_plan"), {"note": "x"}).status_code
        == 404
    )
    for role, kwargs in (
        ("respondent", {"municipality": "131016"}),
        ("counterpart", {"recipient": "moj"}),
    ):
        other = api_as(role, **kwargs)
        assert (
            other.put(note_url(round_id, "plan_status", "no_plan"), {"note": "x"}).status_code
            == 403
        )
    assert staff.get(f"/rounds/{round_id}/summary").get_json()["notes"] == {}
