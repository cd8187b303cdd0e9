"""The referral pages as people use them: the desk's form (errors keep what was typed), the
window's inbox and case page (accept, contact, close), the referrer's list and the access log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from forms import tokyo
from hub.db import db, utcnow
from hub.models import Referral
from tests.referrals.conftest import HACHIOJI, NAME, SENT_ON, SURELY_LATE, Cast
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
    window_text = text_of(window.get("/referrals/statistics"))
    assert "＊" in window_text


def test_a_fiscal_year_that_is_not_one_shows_this_year(desk: Web) -> None:
    this_year = text_of(desk.get("/referrals/statistics"))
    for unreadable in ("abc", "9" * 5000):  # more digits than Python reads was a 500
        answer = desk.get(f"/referrals/statistics?fiscal_year={unreadable}")
        assert answer.status_code == 200
        assert text_of(answer) == this_year


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
    moved = desk.post(f"{url}/reroute", {"municipality": "131016"})
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
