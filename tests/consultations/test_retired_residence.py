"""A municipality retired on a day (合併・廃止) is still a residence for the cases received, and a
party to the hearings held, before that day — typed on the page, sent to the API or imported —
and is refused, saying the day, for any later one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import db
from hub.errors import Invalid
from hub.models import Consultation, Hearing, Municipality
from hub.services import municipalities
from hub.services.consultations import import_cases, record_case
from hub.services.hearings import record_hearing
from tests.conftest import Api, add_hiroshima_fuchu, csrf_of
from tests.web.conftest import page

CHIYODA = "131016"
CHUO = "131024"
MERGED_ON = date(2025, 4, 1)
REFUSAL = "この区市町村は令和7年4月1日に廃止されたため、受付日がその日以降の相談には選べません。"


def case(received_on: str, municipality: str = CHIYODA) -> dict[str, object]:
    return {
        "received_on": received_on,
        "channel": "phone",
        "age_group": "30s",
        "caller": "self",
        "crime_related": False,
        "municipality": municipality,
    }


@pytest.fixture
def merged(app: Flask) -> None:
    """千代田区 retired on 令和7年4月1日; 中央区 retired without a day, as before the day was kept."""
    with app.app_context():
        municipalities.set_active([CHIYODA], active=False, user=None, on=MERGED_ON)
        chuo = db.session.get(Municipality, CHUO)
        assert chuo is not None
        chuo.active = False
        db.session.commit()


def test_the_day_decides_in_python_and_in_sql_alike(app: Flask, merged: None) -> None:
    with app.app_context():
        for day in (date(2025, 3, 31), MERGED_ON, date(2025, 4, 2)):
            in_sql = set(
                db.session.scalars(select(Municipality.code).where(Municipality.existed_on(day)))
            )
            in_python = {
                m.code for m in db.session.scalars(select(Municipality)) if m.existed_on(day)
            }
            assert in_sql == in_python
            assert (CHIYODA in in_sql) is (day < MERGED_ON)
            assert CHUO not in in_sql, "retired without a day: retired for good"


def test_a_case_before_the_day_names_it_and_one_on_the_day_is_refused(
    app: Flask, merged: None
) -> None:
    with app.app_context():
        kept = record_case(case("令和7年3月31日"), user=None)
        assert kept.municipality_code == CHIYODA
        with pytest.raises(Invalid) as refused:
            record_case(case("2025-04-01"), user=None)
        assert refused.value.errors == {"municipality": [REFUSAL]}
        with pytest.raises(Invalid) as unknown:
            record_case(case("2020-04-01", CHUO), user=None)
        assert list(unknown.value.errors) == ["municipality"]
        with pytest.raises(Invalid) as both:
            record_case({**case("2099-04-01"), "age_group": "nope"}, user=None)
        assert set(both.value.errors) == {"received_on", "age_group", "municipality"}, (
            "every problem of the case at once"
        )


def test_an_imported_list_names_the_row_of_a_case_after_the_day(app: Flask, merged: None) -> None:
    header = "received_on,channel,age_group,caller,crime_related,municipality"
    before = (
        f"{header}\n2025-03-31,phone,30s,self,0,千代田区\n2024-04-01,visit,40s,self,0,{CHIYODA}\n"
    )
    with app.app_context():
        assert import_cases(before.encode(), user=None).added == 2
        db.session.commit()
        after = before + "R7.4.1,phone,30s,self,0,千代田区\n"
        with pytest.raises(Invalid) as refused:
            import_cases(after.encode(), user=None)
        assert refused.value.errors == {"4行目 municipality（居住区市町村）": [REFUSAL]}
        db.session.rollback()
        assert db.session.query(Consultation).count() == 2


def test_the_page_marks_the_day_and_keeps_what_was_typed(
    app: Flask, merged: None, browser: Callable[..., FlaskClient]
) -> None:
    staff = browser("staff")
    form = staff.get("/consultations/new")
    options = page(form).xpath("//select[@name='municipality']/option")
    labels = {o.get("value"): o.text_content() for o in options}
    assert labels[CHIYODA] == "千代田区（令和7年4月1日廃止）"
    assert CHUO not in labels
    token = csrf_of(form.get_data(as_text=True))

    def typed(received_on: str) -> dict[str, object]:
        fields = {k: v for k, v in case(received_on).items() if k != "crime_related"}
        return {**fields, "csrf_token": token}  # an unticked box is not posted

    refused = staff.post("/consultations/new", data=typed("令和7年4月1日"))
    assert refused.status_code == 422
    doc = page(refused)
    assert REFUSAL in doc.xpath("string(//*[@id='municipality-error'])")
    assert doc.xpath("//select[@name='municipality']/option[@selected]/@value") == [CHIYODA]
    assert doc.xpath("//input[@name='received_on']/@value") == ["令和7年4月1日"]
    done = staff.post("/consultations/new", data=typed("令和7年3月31日"))
    assert done.status_code == 302
    staff.get("/language/en")
    english = page(staff.get("/consultations/new"))
    label = english.xpath(f"//select[@name='municipality']/option[@value='{CHIYODA}']")
    assert label[0].text_content() == "Chiyoda (abolished 2025-04-01)"
    english_refusal = staff.post("/consultations/new", data=typed("2025-04-02"))
    assert "This municipality was abolished on 2025-04-01" in english_refusal.get_data(as_text=True)


def test_the_api_refuses_a_case_after_the_day_in_the_users_language(
    app: Flask, merged: None, api_as: Callable[..., Api]
) -> None:
    staff = api_as("staff")
    assert staff.post("/consultations", case("R7.3.31")).status_code == 201
    refused = staff.post("/consultations", case("R7.4.1"))
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"municipality": [REFUSAL]}


def test_a_hearing_before_the_day_names_it_and_one_after_is_refused(
    app: Flask, merged: None, browser: Callable[..., FlaskClient]
) -> None:
    with app.app_context():
        record_hearing(CHIYODA, {"held_on": "2025-03-01", "department": "総務課"}, user=None)
        db.session.commit()
        with pytest.raises(Invalid) as refused:
            record_hearing(CHIYODA, {"held_on": "2025-05-01", "department": "総務課"}, user=None)
        assert refused.value.errors == {
            "municipality": [
                "この区市町村は令和7年4月1日に廃止されたため、その日以降の聞き取りには選べません。"
            ]
        }
        with pytest.raises(Invalid):
            record_hearing(CHUO, {"held_on": "2020-05-01", "department": "総務課"}, user=None)
        db.session.rollback()
        assert db.session.query(Hearing).count() == 1
    staff = browser("staff")
    listed = page(staff.get("/hearings?fiscal_year=2024"))
    option = listed.xpath(f"//select[@name='municipality']/option[@value='{CHIYODA}']")
    assert option[0].text_content() == "千代田区（令和7年4月1日廃止）"
    assert "1/61" in listed.text_content(), "fiscal 2024 counts 千代田区, not 中央区 (no day)"


@pytest.mark.parametrize("typed", ["青ヶ島村", "青ケ島村", "134023", "１３４０２３", "Aogashima"])
def test_a_residence_is_read_whichever_way_its_name_is_written(app: Flask, typed: str) -> None:
    with app.app_context():
        recorded = record_case(case("2024-05-01", typed), user=None)
        assert recorded.municipality_code == "134023"


def test_the_desk_tells_municipalities_that_share_a_name_apart_by_prefecture(
    app: Flask, browser: Callable[..., FlaskClient]
) -> None:
    """On a national list the two 府中市 say their prefecture in the residence list of a case
    and of a hearing, in either language; a name nobody shares says none."""
    add_hiroshima_fuchu(app)
    staff = browser("staff")
    for path in ("/consultations/new", "/hearings"):
        options = page(staff.get(path)).xpath("//select[@name='municipality']/option")
        labels = {o.get("value"): o.text_content() for o in options}
        assert (labels["132063"], labels["342076"], labels[CHIYODA]) == (
            "府中市（東京都）",
            "府中市（広島県）",
            "千代田区",
        ), path
    staff.get("/language/en")
    english = page(staff.get("/consultations/new"))
    label = english.xpath("//select[@name='municipality']/option[@value='342076']")
    assert label[0].text_content() == "Fuchu (Hiroshima)"
