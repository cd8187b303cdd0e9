"""The statistics pages' tables in English on English pages (captions, headers, row labels, N=
lines, ＊ notes, the fiscal year as FY2020), while the workbook's tables stay Japanese."""

from __future__ import annotations

import re

from hub.db import db
from hub.services.consultations import record_case
from tests.web.conftest import page

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
CHIYODA = "131016"


def _tables_text(shown) -> str:
    doc = page(shown)
    return " ".join(" ".join(t.text_content().split()) for t in doc.xpath("//main//table"))


def _cases(app) -> None:
    with app.app_context():
        for age in ("20s", "30s", "30s", "40s", "40s", "40s"):
            record_case(
                {
                    "received_on": "2020-08-01",
                    "channel": "phone",
                    "age_group": age,
                    "caller": "self",
                    "referred_to": ["municipal_window"],
                    "municipality": CHIYODA,
                },
                user=None,
            )
        db.session.commit()


def test_the_desks_statistics_read_in_english(app, web):
    _cases(app)
    for role, extra in (("staff", {}), ("respondent", {"municipality": CHIYODA})):
        reader = web(role, **extra)
        reader.get("/language/en")
        shown = reader.get("/consultations/statistics?fiscal_year=2020")
        heading = page(shown).xpath("string(//h1)")
        assert "FY2020" in heading, heading
        assert "令和" not in heading
        text = _tables_text(shown)
        assert "FY2020: age of the person concerned" in text
        assert "Chiyoda" in text or role != "staff"
        assert not JAPANESE.search(text.replace("＊", "")), JAPANESE.findall(text)
        reader.get("/language/ja")
        text = _tables_text(reader.get("/consultations/statistics?fiscal_year=2020"))
        assert "令和2年度 相談対象者の年代" in text
        assert "構成比" in text


def test_the_referral_statistics_read_in_english(app, web):
    staff = web("staff")
    staff.get("/language/en")
    shown = staff.get("/referrals/statistics?fiscal_year=2025")
    text = _tables_text(shown)
    assert "FY2025: referrals by support needed" in text
    assert not JAPANESE.search(text.replace("＊", "")), JAPANESE.findall(text)
    staff.get("/language/ja")
    assert "令和7年度 つなぎ 必要な支援" in _tables_text(
        staff.get("/referrals/statistics?fiscal_year=2025")
    )
