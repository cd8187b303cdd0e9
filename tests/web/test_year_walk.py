"""The survey year of 令和9年度 walked in December 2026 as the people who will do it: 都 staff open
the round (基準日 and deadline typed as people type them, 全角 digits, the page's own way of
writing a date copied back, a Saturday in 年末年始 moved to a Monday, invitation mails on); 千代田区
answers on the pages over last year's carried answers, 八王子市 through the Excel template; the
reminders around 年末年始; a return and a resubmission, an extension, acceptance; the board, the
workbook and a delivery to 法務省. Each step asserts what the person sees."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
from flask import Flask

from forms.tokyo import TOKYO
from hub import jobs
from hub.db import db
from hub.services import responses
from tests.clock import TokyoClock
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.excel.conftest import fill
from tests.mailbox import Inbox
from tests.web.conftest import Web, field_values, page, text_of

CHIYODA, HACHIOJI, CHUO = "131016", "132012", "131024"
CHIYODA_MAIL, HACHIOJI_MAIL = (
    "kikaku@city.chiyoda.example.lg.jp",
    "fukushi@city.hachioji.example.lg.jp",
)


def last_years_round(app: Flask, clock: TokyoClock) -> int:
    """令和8年度, answered in April 2026 and accepted: what this year's forms carry."""
    clock.set("2026-04-10 09:00")
    with app.app_context():
        round_ = make_round(
            reference_date=date(2026, 4, 1),
            deadline=datetime(2026, 5, 29, 17, tzinfo=TOKYO),
            municipalities=[CHIYODA, HACHIOJI, CHUO],
        )
        staff = make_user(role="staff")
        answered = {
            CHIYODA: {"plan_status": "formulated", "plan_name": "千代田区再犯防止推進計画",
                      "plan_date": "2025-03-31", "cooperating_employers": 3},
            HACHIOJI: {"plan_status": "internal_planning", "cooperating_employers": 10},
            CHUO: {"plan_status": "council_review"},
        }  # fmt: skip
        for code, answers in answered.items():
            response = response_of(round_.id, code)
            user = make_user(role="respondent", municipality=code)
            responses.submit(response, raw_answers=complete_answers(**answers), user=user)
            responses.accept(response, user=staff)
        db.session.commit()
        return round_.id


def tick(app: Flask, clock: TokyoClock, at: str) -> None:
    """The scheduler's minute at ``at`` (Tokyo): reminders, then the mail queue."""
    moment = clock.set(at)
    with app.app_context():
        jobs.reminders(moment)
        jobs.mail_queue(moment)


def flashes(answer) -> str:
    return " ".join(" ".join(page(answer).xpath("//*[contains(@class,'flash')]//text()")).split())


def test_the_year_walk(app: Flask, web, tokyo_clock: TokyoClock, smtp: Inbox, outbox) -> None:
    before = last_years_round(app, tokyo_clock)
    tokyo_clock.set("2026-12-01 10:00")
    with app.app_context():
        make_user(role="respondent", municipality=CHIYODA, email=CHIYODA_MAIL)
        make_user(role="respondent", municipality=HACHIOJI, email=HACHIOJI_MAIL)
    staff: Web = web("staff")

    # 1. 都 staff open 令和9年度's round -------------------------------------------------------
    staff.get("/staff/rounds/new")
    typed = {"survey": "torikumi", "reference_date": "令和9年4月1日",
             "deadline": "令和９年１月２日（土）１７時", "opens_at": "", "title": "",
             "municipalities": "千代田区、八王子市", "invite": "y"}  # fmt: skip
    preview = staff.post("/staff/rounds/new", {**typed, "action": "preview"})
    assert preview.status_code == 200, text_of(preview)
    said = text_of(preview)
    assert "依頼先の確認: 2団体" in said
    assert "提出期限（令和9年1月2日（土）17:00）は閉庁日（年末年始）です。" in said
    assert "提出期限（令和9年1月2日（土）17:00）が基準日（令和9年4月1日）より前です。" in said
    opened = staff.post("/staff/rounds/new", {**typed, "action": "open"})
    assert opened.status_code == 302
    url = opened.headers["Location"]
    round_id = int(url.rsplit("/", 1)[1])
    board = staff.get(url)
    assert "（令和9年4月1日現在）（2団体）" in flashes(board)
    assert "依頼メール0/2団体に送信済み" in text_of(board)

    # the deadline moved to Monday 4 January, typed as the board writes a date
    change = staff.get(f"{url}/change")
    title = page(change).xpath("//input[@name='title']/@value")[0]
    moved = staff.post(f"{url}/change", {"title": title, "deadline": "令和9年1月4日（月）17:00",
                                         "notify": "y"})  # fmt: skip
    assert moved.status_code == 302, text_of(moved)
    board = staff.get(url)
    told = flashes(board)
    assert "2団体にはまだ依頼メールを送っていないため" in told
    assert "新しい提出期限をメールで知らせます" not in told
    assert "提出期限令和9年1月4日（月）17:00" in text_of(board)
    tick(app, tokyo_clock, "2026-12-01 10:05")
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert len(subjects) == 2  # one to each municipality, to all its respondents
    assert all(s.startswith("【回答のお願い】") and "（締切 令和9年1月4日（月）17:00）" in s
               for s in subjects), subjects  # fmt: skip
    assert "依頼メール2/2団体に送信済み" in text_of(staff.get(url))

    # 2. 千代田区 answers on the pages -----------------------------------------------------------
    tokyo_clock.set("2026-12-02 14:00")
    chiyoda = Web(app)
    chiyoda.login(CHIYODA_MAIL)
    form_url = f"/respond/rounds/{round_id}/{CHIYODA}"
    form = chiyoda.get(form_url)
    shown = text_of(form)
    assert (
        "「区市町村における再犯防止等の推進に向けた取組状況調査（令和8年4月1日現在）」で受理された回答をあらかじめ入力しています。"
        in shown
    )
    assert "前回の回答: 千代田区再犯防止推進計画" in shown
    values = field_values(form)
    assert values["plan_status"] == "formulated"
    assert values["plan_date"] == "令和7年3月31日"
    values.update(cooperating_employers="１２", consultations_received="２５",
                  comments="=HYPERLINK(\"http://example.com\",\"詳細\")\n＋保護司会と連携",
                  contact_name="", contact_phone="０３－３２６４－２１１１", action="submit")  # fmt: skip
    values.pop("csrf_token")
    refused = chiyoda.post(form_url, values)
    assert refused.status_code == 422
    assert "回答者氏名: 入力してください（必須）。" in text_of(refused)
    kept = field_values(refused)
    assert kept["comments"] == values["comments"], "the formula-looking comment kept as typed"
    assert kept["cooperating_employers"] == "１２"
    values.update(contact_name="千代田 花子", version=kept["version"])
    assert chiyoda.post(form_url, values).status_code == 302
    confirm = chiyoda.get(f"{form_url}/confirm")
    shown = text_of(confirm)
    assert "03-3264-2111" in shown
    assert "=HYPERLINK(" in shown
    done = chiyoda.post(
        f"{form_url}/submit", {"version": page(confirm).xpath("//input[@name='version']/@value")[0]}
    )
    assert done.status_code == 302

    # 3. staff return 千代田区's answers; 千代田区 resubmits -------------------------------------
    tokyo_clock.set("2026-12-03 10:00")
    review = f"{url}/responses/{CHIYODA}"
    staff.get(review)
    reason = "相談件数（２５件）の内訳を自由記述に書いてください。"
    returned = staff.post(f"{review}/return", {"reason": reason})
    assert returned.status_code == 302
    board = staff.get(url)
    assert "1団体の回答者に、差し戻したことをメールで知らせます。" in flashes(board)
    assert "差し戻し中 1" in text_of(board)
    tick(app, tokyo_clock, "2026-12-03 10:01")
    assert smtp.messages[-1]["Subject"].startswith("【差し戻し】"), smtp.messages[-1]["Subject"]
    assert reason not in smtp.as_read.decode(), "the reason stays behind the sign-in"
    tokyo_clock.set("2026-12-04 09:30")
    form = chiyoda.get(form_url)
    assert f"差し戻しの理由 {reason}" in text_of(form)
    values = field_values(form)
    values.pop("csrf_token")
    values.update(comments=values["comments"] + "\n内訳: 就労１０件、住居１５件", action="submit")
    assert chiyoda.post(form_url, values).status_code == 302
    confirm = chiyoda.get(f"{form_url}/confirm")
    done = chiyoda.post(
        f"{form_url}/submit", {"version": page(confirm).xpath("//input[@name='version']/@value")[0]}
    )
    assert done.status_code == 302
    resubmitted = text_of(chiyoda.get(done.headers["Location"]))
    assert "状態提出済み" in resubmitted
    assert "再提出" in resubmitted
    assert "協力雇用主数（把握している場合） 12" in resubmitted

    # 4. 年末年始: the reminder of a deadline on Monday 4 January goes on Monday 28 December ---
    tick(app, tokyo_clock, "2026-12-25 17:00")
    assert len(smtp.messages) == 3, "the invitations and the return's mail; nothing yet"
    tick(app, tokyo_clock, "2026-12-28 08:30")
    # the 3 days before Monday 4 January 17:00 start on 1 January, a closed day: the reminder goes
    # on the last office day before 年末年始, not on the deadline's own morning
    assert smtp.messages[-1]["Subject"].startswith("【提出のお願い】")
    assert smtp.messages[-1]["To"].count("hachioji") == 1
    reminded = len(smtp.messages)
    for day in ("2026-12-29 09:00", "2027-01-02 09:00", "2027-01-04 08:00", "2027-01-04 08:30"):
        tick(app, tokyo_clock, day)
    assert len(smtp.messages) == reminded, "once, and nothing while the offices are closed"
    board = text_of(staff.get(url))
    assert "最終督促 令和8年12月28日（月）" in board
    # 八王子市 asks for more time; staff extend it to Friday 8 January
    tokyo_clock.set("2027-01-04 10:00")
    staff.get(f"{url}/responses/{HACHIOJI}")
    extended = staff.post(
        f"{url}/responses/{HACHIOJI}/extension", {"until": "令和９年１月８日（金）１７時"}
    )
    assert extended.status_code == 302
    board = staff.get(url)
    assert "八王子市の提出期限を延長しました。" in flashes(board)
    assert "令和9年1月8日（金）17:00 延長" in text_of(board)

    # 5. 八王子市 answers in Excel ---------------------------------------------------------------
    tokyo_clock.set("2027-01-06 15:00")
    hachioji = Web(app)
    hachioji.login(HACHIOJI_MAIL)
    xlsx = hachioji.get(f"/rounds/{round_id}/responses/{HACHIOJI}/template.xlsx")
    assert xlsx.status_code == 200
    filled = fill(bytes(xlsx.data), {"plan_status": "③関係機関等との協議会等で検討中",
                                      "cooperating_employers": "１５", "comments": "=1+1",
                                      "contact_name": "八王子 次郎"})  # fmt: skip
    upload = f"/rounds/{round_id}/responses/{HACHIOJI}/template/upload"
    hachioji.get(upload)
    preview = hachioji.post(
        upload,
        {"file": (io.BytesIO(filled), "回答（八王子市）.xlsx")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 422
    assert "回答!C65自由記述: 数式は使えません。値を直接入力してください。" in text_of(preview)
    filled = fill(filled, {"comments": "＝１＋１（協議会で検討）"})
    preview = hachioji.post(
        upload,
        {"file": (io.BytesIO(filled), "回答（八王子市）.xlsx")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200, text_of(preview)
    token = page(preview).xpath("//input[@name='token']/@value")[0]
    saved = hachioji.post(
        f"/rounds/{round_id}/responses/{HACHIOJI}/template/confirm", {"token": token}
    )
    assert saved.status_code == 302
    hform = f"/respond/rounds/{round_id}/{HACHIOJI}"
    confirm = hachioji.get(f"{hform}/confirm")
    assert "Excelの内容を一時保存しました。提出はまだ済んでいません。" in text_of(confirm)
    assert "令和9年1月8日（金）17:00 延長" in text_of(confirm)
    done = hachioji.post(
        f"{hform}/submit", {"version": page(confirm).xpath("//input[@name='version']/@value")[0]}
    )
    assert done.status_code == 302

    # 6. acceptance, the board, the workbook, 法務省 ----------------------------------------------
    tokyo_clock.set("2027-01-07 10:00")
    for code in (CHIYODA, HACHIOJI):
        staff.get(f"{url}/responses/{code}")
        assert staff.post(f"{url}/responses/{code}/accept").status_code == 302
    board = text_of(staff.get(url))
    assert "2/2 区市町村が提出済み（受理を含む）" in board
    assert "八王子市 受理済み最終督促 令和8年12月28日（月） 令和9年1月8日（金）17:00 延長" in board
    book = staff.get(f"/rounds/{round_id}/workbook.xlsx")
    assert book.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(book.data))
    assert {"集計", "経年比較", "回答一覧"} <= set(workbook.sheetnames)
    cells = {str(v) for row in workbook["経年比較"].iter_rows(values_only=True) for v in row if v}
    assert any("令和8年4月1日" in c for c in cells)
    assert any("令和9年4月1日" in c for c in cells)
    listed = list(workbook["回答一覧"].iter_rows(values_only=True))
    assert any("＝１＋１（協議会で検討）" in row for row in listed)
    typed = [c for row in workbook["回答一覧"].iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]  # fmt: skip
    assert typed, "the formula-looking comment is in 回答一覧"
    assert all(c.data_type == "s" for c in typed), "text, never a formula"
    assert before != round_id
