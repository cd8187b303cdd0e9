"""The audit log as a CSV file: every event the filters select (not one page), named as the page
names them, opening in Excel (UTF-8 with a BOM), text that looks like a formula kept as text, and
the download itself audited."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

from flask import Flask
from sqlalchemy import select

from hub.db import db
from hub.models import AuditEvent
from hub.services import audit
from tests.conftest import make_round, make_user
from tests.web.conftest import page

CHIYODA = "131016"


def rows_of(answer) -> list[list[str]]:
    text = answer.get_data().decode("utf-8")
    assert text.startswith("\ufeff"), "a BOM, so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def test_every_event_the_filters_select_in_one_file(app: Flask, web) -> None:
    with app.app_context():
        round_ = make_round()
        round_.title = "令和8年度 取組状況調査"
        staff = make_user(role="staff")
        for _ in range(audit.PER_PAGE + 5):  # more than a page
            audit.record("workbook.download", user=staff, target=f"round/{round_.id}")
        audit.record("hearing.record", user=staff, target="1", municipality_code=CHIYODA)
        db.session.commit()
    auditor = web("staff")
    shown = page(auditor.get("/audit/?action=workbook.download"))
    link = shown.xpath("//a[@data-audit-export]/@href")[0]
    answer = auditor.get(link)
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    disposition = answer.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("''", 1)[1]).startswith("監査ログ_")
    header, *rows = rows_of(answer)
    assert header[:2] == ["日時（日本時間）", "操作"]
    assert len(rows) == audit.PER_PAGE + 5
    assert {row[1] for row in rows} == {"集計表のダウンロード"}
    assert {row[4] for row in rows} == {"調査回「令和8年度 取組状況調査」"}
    with app.app_context():
        exported = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "audit.export")
        ).one()
        assert exported.details == {"by_action": "workbook.download"}


def test_formula_looking_text_stays_text(app: Flask, web) -> None:
    with app.app_context():
        staff = make_user(role="staff")
        audit.record("user.profile", user=staff, target='=HYPERLINK("http://x")')
        db.session.commit()
    _header, *rows = rows_of(web("staff").get("/audit/export.csv?action=user.profile"))
    assert rows[0][4] == '\'=HYPERLINK("http://x")'


def test_unreadable_filters_show_the_page_with_the_error(app: Flask, web) -> None:
    refused = web("staff").get("/audit/export.csv?date_from=2021-13-01")
    assert refused.status_code == 422
    assert refused.mimetype == "text/html"
    assert page(refused).xpath("//*[@id='date_from-error']")


def test_the_filters_kept_with_the_download_are_as_read_not_as_typed(app: Flask, web) -> None:
    """和暦 and 全角 typed into the filters are kept as the days and the code they were read as."""
    answer = web("staff").get(
        "/audit/export.csv?date_from=令和8年12月1日&date_to=２０２６／１２／３&municipality=１３１０１６"
    )
    assert answer.status_code == 200
    answer.get_data()
    with app.app_context():
        exported = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "audit.export")
        ).one()
        assert exported.details == {
            "by_date_from": "2026-12-01",
            "by_date_to": "2026-12-03",
            "by_municipality": CHIYODA,
        }


def test_respondents_may_not_export(app: Flask, web) -> None:
    assert web("respondent", municipality=CHIYODA).get("/audit/export.csv").status_code == 403


def test_the_person_searched_for_is_not_kept_in_the_audit_text(app: Flask, web) -> None:
    """A search by a person's name is recorded as a search by person, not the name."""
    with app.app_context():
        make_user(role="staff")
        db.session.commit()
    answer = web("staff").get("/audit/export.csv?user=山田太郎")
    assert answer.status_code == 200
    answer.get_data()
    with app.app_context():
        exported = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "audit.export")
        ).one()
        assert exported.details == {"by_user": True}
        assert "山田" not in str(exported.details)


def test_details_name_municipalities_give_times_in_tokyo_and_say_where_the_rest_is(
    app: Flask, web
) -> None:
    """A 督促 of sixty municipalities without accounts, and a deadline moved: the page reads
    names, not codes, and 17:00 in Tokyo, not 08:00 UTC; a long list is cut saying the CSV holds
    the rest, and the CSV holds it whole."""
    from hub.models import Municipality

    with app.app_context():
        round_id = make_round().id
        codes = list(db.session.scalars(select(Municipality.code).order_by(Municipality.code)))
        names = dict(db.session.execute(select(Municipality.code, Municipality.name)).all())
        audit.record(
            "reminder.chosen", user=None, target=f"round/{round_id}", no_address=codes[:60]
        )
        audit.record(
            "round.change",
            user=None,
            target=f"round/{round_id}",
            deadline_before="2026-12-30T08:00:00+00:00",
            deadline="2027-01-08T08:00:00+00:00",
        )
        db.session.commit()
    auditor = web("staff")
    shown = page(auditor.get("/audit/"))
    rows_shown = shown.xpath("//tr[@data-audit-event]")
    text = " ".join(" ".join(r.text_content().split()) for r in rows_shown)
    assert "令和8年12月30日（水）17:00" in text
    assert "令和9年1月8日（金）17:00" in text
    assert "08:00:00+00:00" not in text
    assert f"60団体（{names[codes[0]]}、{names[codes[1]]}、" in text
    assert "…（続きはCSVで）" in text
    assert codes[0] not in text
    link = shown.xpath("//a[@data-audit-export]/@href")[0]
    _header, *rows = rows_of(auditor.get(link))
    (chosen,) = [row for row in rows if row[1] == "督促メール（選択した団体）"]
    assert names[codes[59]] in chosen[-1], "the CSV holds every name"
    assert "続きはCSVで" not in chosen[-1]


def test_a_submit_that_changed_no_answer_says_so(app: Flask, web) -> None:
    """A draft saved, then submitted as it was: the submit's row said 「変更した項目: 」 with
    nothing after it, on the page and in the CSV."""
    from hub.services import responses
    from tests.conftest import complete_answers, response_of

    with app.app_context():
        round_id = make_round(municipalities=[CHIYODA]).id
        clerk = make_user(role="respondent", municipality=CHIYODA)
        response = response_of(round_id, CHIYODA)
        responses.save_draft(response, complete_answers(), version=0, user=clerk)
        responses.submit(response, user=clerk, version=response.version)
        db.session.commit()
    auditor = web("staff")
    shown = page(auditor.get("/audit/?action=response.submit"))
    (row,) = shown.xpath("//tr[@data-audit-event]")
    text = " ".join(row.text_content().split())
    assert "変更した項目: なし（回答の変更はありません）" in text
    link = shown.xpath("//a[@data-audit-export]/@href")[0]
    _header, *rows = rows_of(auditor.get(link))
    assert "変更した項目: なし（回答の変更はありません）" in rows[0][-1]
    auditor.get("/language/en")
    english = page(auditor.get("/audit/?action=response.submit"))
    assert "None (no answer changed)" in english.xpath("string(//tr[@data-audit-event])")


def test_a_profile_saved_unchanged_is_not_said_to_change_no_answer(app: Flask, web) -> None:
    """「なし（回答の変更はありません）」 is a response's: a user's profile saved as it was
    (``user.profile``, no round) reads 「変更した項目: なし」."""
    from hub.services.users import update_profile

    with app.app_context():
        person = make_user(role="respondent", municipality=CHIYODA)
        update_profile(
            person,
            display_name=person.display_name or "",
            organisation=person.organisation or "",
            phone=person.phone or "",
            actor=None,
        )
        db.session.commit()
    shown = page(web("admin").get("/audit/?action=user.profile"))
    (row,) = shown.xpath("//tr[@data-audit-event]")
    text = " ".join(row.text_content().split())
    assert "変更した項目: なし" in text
    assert "回答" not in text
