"""The referral pages as people use them: the desk's form (errors keep what was typed), the
window's inbox and case page (accept, contact, close), the referrer's list and the access log."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from forms import tokyo
from hub.db import db, utcnow
from hub.models import AuditEvent, Referral, ReferralRead
from hub.services.referrals import personal
from hub.services.referrals.queries import READS_PER_PAGE
from tests.referrals.conftest import CHIYODA, HACHIOJI, NAME, SENT_ON, SURELY_LATE, Cast
from tests.web.conftest import Web, page, text_of

FORM = {
    "municipality": HACHIOJI,
    "person-name": NAME,
    "person-kana": "やまだ はなこ",
    "person-birth_year": "昭和33年",
    "person-phone": "０９０（１２３４）５６７８",
    "needs": ["housing", "other"],
    "needs_other": "携帯電話の契約",
    "summary": '=HYPERLINK("http://example.com")　住まいの相談',
    "consent-obtained_on": "令和7年4月1日",
    "consent-obtained_by": "相談員 佐藤",
    "consent-scope": "八王子市の相談窓口へ",
}

NEW_SCOPE = "氏名・連絡先・概要を千代田区の相談窓口に伝えること"
NEW_CONSENT = {"consent-scope": NEW_SCOPE, "consent-confirmed": "yes"}
"""The re-routing form's consent to the new municipality (千代田区), ticked."""


def test_the_desk_refers_and_the_window_works_the_case(desk: Web, window: Web, cast: Cast):
    desk.get("/referrals/new")
    sent = desk.post("/referrals/new", FORM)
    assert sent.status_code == 302, text_of(sent)
    case_url = sent.headers["Location"]
    case_page = desk.get(case_url)
    shown = text_of(case_page)
    assert NAME in shown
    assert "090-1234-5678" in shown
    assert "1958" in shown
    assert '=HYPERLINK("http://example.com")　住まいの相談' in page(case_page).text_content()
    inbox = window.get("/referrals")
    assert case_url in inbox.get_data(as_text=True)
    assert NAME not in text_of(inbox)  # the inbox lists no personal data
    assert "住居、その他" in text_of(inbox)  # needs by their labels, as on the case page
    assert "住居、その他（携帯電話の契約）" in text_of(window.get(case_url))
    window.get(case_url)
    assert window.post(f"{case_url}/accept").status_code == 302
    bad = window.post(f"{case_url}/contact", {"on": "あした", "method": "phone", "note": "面談"})
    assert bad.status_code == 422
    assert "面談" in bad.get_data(as_text=True)  # what was typed stays
    assert page(bad).xpath("//div[@class='error-summary']")
    today = tokyo.today()
    recorded = window.post(
        f"{case_url}/contact",
        {
            "on": tokyo.format_day(today),  # 令和…年…月…日, as people type it
            "method": "visit",
            "note": "来所。次回は書類を持参",
            "next_follow_up": (today + timedelta(days=7)).isoformat(),
        },
    )
    assert recorded.status_code == 302, text_of(recorded)
    assert window.post(f"{case_url}/close", {"outcome": "connected"}).status_code == 302
    referrer_view = text_of(desk.get(case_url))
    assert "支援につながった" in referrer_view
    assert "来所。次回は書類を持参" not in referrer_view
    assert "来所。次回は書類を持参" in text_of(window.get(case_url))
    listed = text_of(desk.get("/referrals"))
    assert "支援につながった" in listed
    assert cast.emails["window"] in referrer_view  # the access log names the window's reads


def test_the_form_without_consent_names_it_and_keeps_everything_typed(desk: Web, app: Flask):
    desk.get("/referrals/new")
    form = {k: v for k, v in FORM.items() if not k.startswith("consent-")}
    answer = desk.post("/referrals/new", form)
    assert answer.status_code == 422
    doc = page(answer)
    summary = " ".join(doc.xpath("//div[@class='error-summary']//text()"))
    assert "同意" in summary
    assert doc.xpath("//input[@id='person-name']/@value") == [NAME]
    assert doc.xpath("//input[@id='needs-other'][@checked]")
    with app.app_context():
        assert db.session.query(Referral).count() == 0


def test_the_inbox_puts_new_ones_first_and_highlights_overdue(
    app: Flask, window: Web, cast: Cast, refer: Callable[..., int]
):
    accepted = refer(sent_on=SENT_ON)
    cast.window.post(f"/referrals/{accepted}/accept")
    cast.window.post(
        f"/referrals/{accepted}/contacts",
        {"on": "2025-04-01", "method": "phone", "note": "", "next_follow_up": "2025-04-02"},
    )
    new = refer()
    doc = page(window.get("/referrals"))
    rows = doc.xpath("//tbody/tr")
    assert [r.xpath("string(th)").strip() for r in rows] == [f"No.{new}", f"No.{accepted}"]
    assert "row--overdue" in (rows[1].get("class") or "")
    assert "フォロー期限超過" in rows[1].text_content()


def test_a_late_referral_is_flagged_in_the_referrers_list(
    app: Flask, desk: Web, refer: Callable[..., int]
):
    referral_id = refer()
    with app.app_context():
        db.session.get_one(Referral, referral_id).sent_at = utcnow() - SURELY_LATE
        db.session.commit()
    assert "5営業日以上未受理" in text_of(desk.get("/referrals"))


def test_withdrawal_needs_the_check_and_erases(desk: Web, refer: Callable[..., int]):
    referral_id = refer()
    url = f"/referrals/{referral_id}"
    desk.get(url)
    refused = desk.post(f"{url}/withdraw-consent", {})
    assert refused.status_code == 422
    assert NAME in text_of(desk.get(url))
    assert desk.post(f"{url}/withdraw-consent", {"confirm": "yes"}).status_code == 302
    shown = text_of(desk.get(url))
    assert NAME not in shown
    assert "消去されています" in shown


def test_the_statistics_page_shows_tables_and_charts(
    app: Flask, desk: Web, window: Web, refer: Callable[..., int]
):
    refer()
    staff_page = desk.get("/referrals/statistics")
    assert staff_page.status_code == 200
    doc = page(staff_page)
    assert doc.xpath("//svg[@role='img']")
    assert "八王子市" in text_of(staff_page)
    exact = "都職員向けの表示です（秘匿処理なし）。外部に共有するときは"
    assert exact in text_of(staff_page), "staff are told their counts are not for sharing"
    window_text = text_of(window.get("/referrals/statistics"))
    assert "＊" in window_text
    assert exact not in window_text


def test_a_fiscal_year_that_is_not_one_shows_this_year(desk: Web) -> None:
    this_year = text_of(desk.get("/referrals/statistics"))
    for unreadable in ("abc", "9" * 5000):  # more digits than Python reads was a 500
        answer = desk.get(f"/referrals/statistics?fiscal_year={unreadable}")
        assert answer.status_code == 200
        doc = page(answer)
        (said,) = doc.xpath("//*[@data-year-notice][contains(., '表示できない')]")
        assert f"「{unreadable[:20]}」は表示できないため" in said.text_content(), "it says so"
        said.getparent().remove(said)
        assert " ".join(doc.text_content().split()) == this_year, "and shows this year"


def test_next_fiscal_year_may_be_chosen_and_shows_as_chosen(desk: Web) -> None:
    """A year the page accepts is among the choices, selected (the picker left it out)."""
    from forms.consultation import current_fiscal_year

    following = current_fiscal_year() + 1
    doc = page(desk.get(f"/referrals/statistics?fiscal_year={following}"))
    assert doc.xpath(f"//select/option[@value='{following}']/@selected")
    assert not doc.xpath(f"//select/option[@value='{following - 1}']/@selected")


def test_the_pages_read_in_english(desk: Web, refer: Callable[..., int]):
    referral_id = refer()
    desk.get("/language/en")
    shown = text_of(desk.get(f"/referrals/{referral_id}"))
    assert "Timeline" in shown
    assert "Access log" in shown
    columns = page(desk.last).xpath("//h2[@id='reads']/following::table[1]//th[@scope='col']")
    assert [th.text_content() for th in columns] == [
        "Date and time",
        "Viewed by",
        "Fields viewed",
        "Method",
    ]


def test_a_declined_referral_is_re_routed_from_the_case_page(
    desk: Web, window: Web, cast: Cast, smtp, refer: Callable[..., int]
):
    referral_id = refer()
    url = f"/referrals/{referral_id}"
    window.get(url)
    assert window.post(f"{url}/decline", {"reason": ""}).status_code == 422
    assert window.post(f"{url}/decline", {"reason": "市外に転居予定のため"}).status_code == 302
    shown = text_of(desk.get(url))
    assert "市外に転居予定のため" in shown
    smtp.envelopes.clear()
    moved = desk.post(f"{url}/reroute", {"municipality": "131016", **NEW_CONSENT})
    assert moved.status_code == 302
    assert window.get(url).status_code == 404
    assert [m["Subject"] for m in smtp.to(cast.emails["other_window"])] == [
        "新しいつなぎ依頼が1件あります"
    ]


def test_the_menu_offers_referrals_only_to_those_they_can_concern(app: Flask, cast: Cast) -> None:
    """東京保護観察所 refers and a window receives; 法務省 (a counterpart too) has none to see."""
    for who, shown in (("probation", True), ("window", True), ("moj", False)):
        web = Web(app)
        web.login(cast.emails[who])
        html = web.client.get("/account/tokens").get_data(as_text=True)
        assert ('href="/referrals"' in html) is shown, who


def test_re_routing_needs_the_persons_consent_to_the_new_municipality(
    app: Flask, desk: Web, cast: Cast, refer: Callable[..., int]
):
    """The consent recorded named 八王子市: the person's data goes to 千代田区 only with the scope
    agreed for it and the tick that the person agreed; the audit log says so, without the text."""
    referral_id = refer()
    url = f"/referrals/{referral_id}"
    cast.window.post(f"{url}/decline", {"reason": "管轄外の住所のため"})
    form = page(desk.get(url))
    assert form.xpath("//textarea[@id='consent-scope']")[0].text_content() == ""
    assert not form.xpath("//input[@id='consent-confirmed'][@checked]")
    for refused in (
        {"municipality": CHIYODA},
        {"municipality": CHIYODA, "consent-scope": NEW_SCOPE},
        {"municipality": CHIYODA, "consent-confirmed": "yes"},
    ):
        answer = desk.post(f"{url}/reroute", refused)
        assert answer.status_code == 422, refused
        doc = page(answer)
        kept = doc.xpath("//textarea[@id='consent-scope']")[0].text_content()
        assert kept == refused.get("consent-scope", "")  # what was typed stays
        assert doc.xpath("//select[@id='municipality']/option[@selected]/@value") == [CHIYODA]
        summary = " ".join(doc.xpath("//div[@class='error-summary']//text()"))
        if "consent-scope" not in refused:
            assert "本人が同意した範囲を入力してください" in summary
        if "consent-confirmed" not in refused:
            assert "本人が同意したことを確かめて" in summary
    with app.app_context():
        unchanged = db.session.get_one(Referral, referral_id)
        assert (unchanged.municipality_code, unchanged.status) == (HACHIOJI, "declined")
        first_scope = personal.open_scope(unchanged)
        assert first_scope is not None
        assert "八王子市" in first_scope
    assert desk.post(f"{url}/reroute", {"municipality": CHIYODA, **NEW_CONSENT}).status_code == 302
    shown = text_of(desk.get(url))
    assert f"範囲: {NEW_SCOPE}" in shown
    assert "新しいつなぎ先への本人の同意を確認" in shown
    assert f"それまでの同意の範囲: {first_scope}" in shown
    with app.app_context():
        moved = db.session.get_one(Referral, referral_id)
        assert (moved.municipality_code, personal.open_scope(moved)) == (CHIYODA, NEW_SCOPE)
        assert moved.consent_scope_sealed is not None
        assert NEW_SCOPE.encode() not in moved.consent_scope_sealed
        kept = next(e for e in moved.events if e.action == "consent_reconfirmed")
        assert kept.text_sealed is not None
        assert first_scope.encode() not in kept.text_sealed
        row = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "referral.reroute")
        ).one()
        assert row.details == {"consent_reconfirmed": True}
        assert row.municipality_code == CHIYODA
        assert NEW_SCOPE not in json.dumps(row.details, ensure_ascii=False) + row.target


def test_a_step_from_a_stale_tab_says_what_happened_and_keeps_what_was_typed(
    app: Flask, window: Web, refer: Callable[..., int]
):
    """Tab A accepted; tab B, opened before, says it cannot take it: the status in words as the
    page shows it, the case as it is now, and the reason typed in tab B still there to copy."""
    referral_id = refer()
    url = f"/referrals/{referral_id}"
    window.get(url)
    assert window.post(f"{url}/accept").status_code == 302  # tab A
    stale = window.post(f"{url}/decline", {"reason": "管轄外の住所のため"})  # tab B
    assert stale.status_code == 409
    doc = page(stale)
    clash = " ".join(doc.xpath("//div[@data-state-clash]//text()"))
    assert "このつなぎは既に受理されています（受理・支援中）。" in clash
    assert "accepted" not in clash
    assert "管轄外の住所のため" in clash
    assert "連絡の記録" in text_of(stale)  # the page as it is now: accepted
    blank = window.post(f"{url}/decline", {"reason": ""})  # the state first, not the field
    assert blank.status_code == 409
    with app.app_context():
        assert db.session.get_one(Referral, referral_id).status == "accepted"
    window.post(f"{url}/close", {"outcome": "connected"})
    late_note = window.post(
        f"{url}/contact", {"on": tokyo.today().isoformat(), "method": "phone", "note": "電話した"}
    )
    assert late_note.status_code == 409
    clash = " ".join(page(late_note).xpath("//div[@data-state-clash]//text()"))
    assert "このつなぎは既に終了しています（終了）。" in clash
    assert "電話した" in clash
    method = page(late_note).xpath(
        "//div[@data-state-clash]//dt[.='方法']/following-sibling::dd/text()"
    )
    assert method == ["電話"]  # by its label, not phone


def test_a_list_left_unchosen_asks_for_a_choice_and_a_wrong_one_names_the_choices(
    window: Web, cast: Cast, refer: Callable[..., int]
):
    referral_id = refer()
    url = f"/referrals/{referral_id}"
    cast.window.post(f"{url}/accept")
    window.get(url)
    today = tokyo.today().isoformat()

    def errors(answer) -> str:
        assert answer.status_code == 422
        return " ".join(page(answer).xpath("//div[@class='error-summary']//text()"))

    unchosen = errors(window.post(f"{url}/contact", {"on": today, "method": ""}))
    assert "方法を選んでください。" in unchosen
    wrong = errors(window.post(f"{url}/contact", {"on": today, "method": "fax"}))
    assert "電話、来所、訪問、郵送、メール、その他" in wrong
    assert "phone" not in wrong
    assert "結果を選んでください。" in errors(window.post(f"{url}/close", {"outcome": ""}))
    wrong = errors(window.post(f"{url}/close", {"outcome": "done"}))
    assert "支援につながった、本人辞退、連絡不能、転出、その他" in wrong
    assert "connected" not in wrong
    answer = cast.window.post(f"{url}/contacts", {"on": today})  # the API says the same
    assert answer.get_json()["errors"]["method"] == ["方法を選んでください。"]


def test_a_contact_before_the_referral_was_sent_is_refused(
    window: Web, cast: Cast, refer: Callable[..., int]
):
    referral_id = refer(sent_on=SENT_ON)
    url = f"/referrals/{referral_id}"
    cast.window.post(f"{url}/accept")
    window.get(url)
    before = window.post(f"{url}/contact", {"on": "2025-03-31", "method": "phone", "note": "電話"})
    assert before.status_code == 422
    assert "このつなぎ依頼が届いた日（令和7年4月1日）より前です" in text_of(before)
    assert "電話" in page(before).xpath("//textarea[@id='note']")[0].text_content()
    same_day = window.post(f"{url}/contact", {"on": "令和7年4月1日", "method": "phone"})
    assert same_day.status_code == 302


def test_the_timeline_names_the_municipalities(desk: Web, cast: Cast, refer: Callable[..., int]):
    referral_id = refer()
    url = f"/referrals/{referral_id}"
    cast.window.post(f"{url}/decline", {"reason": "管轄外"})
    desk.post(f"{url}/reroute", {"municipality": CHIYODA, **NEW_CONSENT})
    timeline = " ".join(page(desk.get(url)).xpath("//ol[@class='timeline']//text()"))
    assert "つなぎ先: 八王子市" in timeline
    assert "つなぎ先: 千代田区" in timeline
    assert f"つなぎ先: {HACHIOJI}" not in timeline
    assert f"つなぎ先: {CHIYODA}" not in timeline
    desk.get("/language/en")
    timeline = " ".join(page(desk.get(url)).xpath("//ol[@class='timeline']//text()"))
    assert "Hachioji" in timeline
    assert "Chiyoda" in timeline


def test_the_access_log_is_shown_a_page_at_a_time(
    app: Flask, window: Web, refer: Callable[..., int]
) -> None:
    referral_id = refer()
    url = f"/referrals/{referral_id}"
    for _ in range(READS_PER_PAGE + 4):
        assert window.get(url).status_code == 200
    shown = page(window.get(url))
    rows = shown.xpath("//h2[@id='reads']/following::table[1]/tbody/tr")
    assert len(rows) == READS_PER_PAGE
    total = READS_PER_PAGE + 5
    assert f"{total}件中 1〜{READS_PER_PAGE}件目" in shown.text_content()
    (next_page,) = shown.xpath("//nav[@aria-label='ページ']/a[@rel='next']/@href")
    assert next_page == f"{url}?page=2#reads"
    second = page(window.get(next_page))
    rows = second.xpath("//h2[@id='reads']/following::table[1]/tbody/tr")
    assert len(rows) == total + 1 - READS_PER_PAGE  # this showing of page 2 is a read too
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ReferralRead)
                .where(ReferralRead.referral_id == referral_id)
            )
            == total + 1
        )
