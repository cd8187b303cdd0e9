"""English lists name municipalities in English (Chiyoda, Hachioji) as the other pages do, put
", " between the values of one cell instead of 「、」, and a note after a name in ASCII brackets
("Hachioji (132012)"); the Japanese pages stay as they were."""

from __future__ import annotations

from hub.db import db
from hub.services import audit
from hub.services.consultations import record_case
from hub.services.hearings import record_hearing
from tests.web.conftest import page, text_of

CHIYODA = "131016"
HACHIOJI = "132012"


def test_the_case_list_names_the_residence_and_the_referrals_in_english(app, web):
    staff = web("staff")
    with app.app_context():
        record_case(
            {
                "received_on": "2020-08-01",
                "channel": "phone",
                "age_group": "30s",
                "caller": "self",
                "referred_to": ["community_support_center", "municipal_window"],
                "municipality": CHIYODA,
            },
            user=None,
        )
        db.session.commit()
    staff.get("/language/en")
    row = page(staff.get("/consultations?fiscal_year=2020")).xpath("//tbody/tr")[0]
    cells = [" ".join(td.text_content().split()) for td in row.xpath("td")]
    assert "Chiyoda" in cells[6], cells
    assert "千代田区" not in " ".join(cells)
    assert ", " in cells[5], cells
    assert "、" not in cells[5], cells
    staff.get("/language/ja")
    row = page(staff.get("/consultations?fiscal_year=2020")).xpath("//tbody/tr")[0]
    cells = [" ".join(td.text_content().split()) for td in row.xpath("td")]
    assert cells[6] == "千代田区"
    assert "、" in cells[5]


def test_the_hearings_name_municipalities_in_english(app, web):
    staff = web("staff")
    with app.app_context():
        record_hearing(
            CHIYODA,
            {
                "held_on": "2021-06-10",
                "department": "地域福祉課",
                "topics": [
                    "plan_challenges.no_lead_department",
                    "plan_challenges.lack_of_staff",
                ],
            },
            user=None,
        )
        db.session.commit()
    staff.get("/language/en")
    doc = page(staff.get("/hearings?fiscal_year=2021"))
    not_heard = doc.xpath("string(//p[@data-not-heard])")
    assert "Hachioji" in not_heard
    assert "八王子市" not in not_heard
    assert "、" not in not_heard
    record = " ".join(doc.xpath("string(//tbody/tr[1])").split())
    assert "Chiyoda" in record, record
    assert "千代田区" not in record, record
    assert "地域福祉課" in record, "free text stays as typed"
    assert "、" not in record, record
    assert ", " in record, record
    staff.get("/language/ja")
    doc = page(staff.get("/hearings?fiscal_year=2021"))
    assert "八王子市" in doc.xpath("string(//p[@data-not-heard])")
    assert "、" in doc.xpath("string(//p[@data-not-heard])")


def test_the_audit_log_names_municipalities_in_english(app, web):
    admin = web("admin")
    with app.app_context():
        audit.record("response.save", user=None, target=f"round/999/response/{HACHIOJI}")
        audit.record(
            "round.open", user=None, target="round/999", municipalities=[CHIYODA, HACHIOJI]
        )
        db.session.commit()
    admin.get("/language/en")
    shown = text_of(admin.get("/audit/"))
    assert "八王子市" not in shown
    assert "千代田区" not in shown
    assert "Hachioji" in shown
    assert "(Chiyoda, Hachioji)" in shown
    admin.get("/language/ja")
    shown = text_of(admin.get("/audit/"))
    assert "八王子市の回答" in shown
    assert "2団体（千代田区、八王子市）" in shown


def test_a_code_after_a_name_is_in_ascii_brackets_in_english(app, web):
    admin = web("admin")
    web("respondent", municipality=HACHIOJI)
    admin.get("/language/en")
    shown = text_of(admin.get("/admin/"))
    assert "Hachioji (132012)" in shown
    assert "（132012）" not in shown
    admin.get("/language/ja")
    assert "八王子市（132012）" in text_of(admin.get("/admin/"))
