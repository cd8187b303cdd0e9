"""A date that does not exist is explained in English on English pages: eras by their English
names (Heisei, Reiwa) and days as ISO dates, not 「令和8年 month 2 …」 or 「平成31年4月30日」; the
Japanese pages say it as before."""

from __future__ import annotations

import re

from tests.conftest import make_round
from tests.web.conftest import Web, page
from tests.web.test_questionnaire import CHIYODA, fill, form_url

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _error(web: Web, url: str, answers: dict[str, str], field: str) -> str:
    answer = fill(web, url, answers)
    assert answer.status_code == 422
    return " ".join(page(answer).xpath(f"string(//*[@id='{field}-error'])").split())


def test_the_questionnaire_explains_a_missing_day_in_english(app, web):
    clerk = web("respondent", municipality=CHIYODA)
    with app.app_context():
        url = form_url(make_round().id)
    clerk.get("/language/en")
    said = _error(clerk, url, {"plan_date": "令和8年2月30日"}, "plan_date")
    assert "Month 2 of Reiwa 8 (2026) has 28 days (day 30 does not exist)" in said
    assert not JAPANESE.search(said), said
    said = _error(clerk, url, {"plan_date": "平成31年5月1日"}, "plan_date")
    assert "Heisei ended on 2019-04-30" in said
    assert "Heisei 31-05-01 does not exist; from 2019-05-01 use Reiwa" in said
    assert not JAPANESE.search(said), said
    said = _error(clerk, url, {"plan_date": "2021年4月1日(金)"}, "plan_date")
    assert "2021-04-01 is a Thursday (you typed Friday)" in said
    said = _error(clerk, url, {"plan_date": "2021-13-01"}, "plan_date")
    assert not JAPANESE.search(said), said
    clerk.get("/language/ja")
    said = _error(clerk, url, {"plan_date": "平成31年5月1日"}, "plan_date")
    assert "平成は平成31年4月30日までです" in said
    assert "2019年5月1日以降は令和で入力してください" in said
    said = _error(clerk, url, {"plan_date": "令和8年2月30日"}, "plan_date")
    assert "令和8年2月は28日までです（30日は存在しません）" in said


def test_the_desks_forms_explain_it_in_english_too(app, web):
    staff = web("staff")
    staff.get("/language/en")
    staff.get("/consultations/new")
    case = staff.post("/consultations/new", {"received_on": "平成31年5月1日", "channel": "phone"})
    assert case.status_code == 422
    said = " ".join(page(case).xpath("string(//*[@id='received_on-error'])").split())
    assert "Heisei ended on 2019-04-30" in said, said
    assert not JAPANESE.search(said), said
    staff.get("/referrals/new")
    referral = staff.post("/referrals/new", {"consent-obtained_on": "令和7年2月29日"})
    assert referral.status_code == 422
    said = " ".join(page(referral).xpath("string(//*[@id='consent-obtained_on-error'])").split())
    assert "Month 2 of Reiwa 7 (2025) has 28 days" in said, said
    assert not JAPANESE.search(said), said
