"""The consultation-desk pages as people use them: staff enter and import cases and record
hearings; everyone with access reads the statistics, suppressed unless they are staff."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forms import tokyo
from forms.consultation import fiscal_year_label, fiscal_year_of
from hub.db import db
from hub.models import Consultation, Hearing
from hub.services import consultations
from hub.services.consultations import record_case
from tests.conftest import csrf_of
from tests.consultations.cases import Case, csv_bytes
from tests.statistics_files import page_tables

Browser = Callable[..., FlaskClient]
CHIYODA = "131016"
NUMBER_CELL = re.compile(r'<td class="numeric">(\d+)</td>')


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _post(client: FlaskClient, url: str, data: dict[str, object]) -> object:
    token = csrf_of(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_staff_enter_a_case_with_wareki_and_fullwidth_digits(app: Flask, browser: Browser) -> None:
    staff = browser("staff")
    page = staff.get("/consultations/new").get_data(as_text=True)
    for label in (
        "受付日",
        "相談方法",
        "相談対象者の年代",
        "犯罪に関する相談か",
        "紹介した支援機関",
        "千代田区",
    ):
        assert label in page
    done = _post(
        staff,
        "/consultations/new",
        {
            "received_on": "令和２年６月１日",
            "channel": "phone",
            "age_group": "80_plus",
            "caller": "family",
            "crime_related": "y",
            "crime_type": "shoplifting",
            "referred_to": ["community_support_center", "other"],
            "municipality": CHIYODA,
        },
    )
    assert done.status_code == 302  # type: ignore[attr-defined]
    assert "令和2年度" in staff.get("/consultations/new").get_data(as_text=True)
    with app.app_context():
        case = db.session.scalars(select(Consultation)).one()
        assert (case.fiscal_year, case.crime_type, case.municipality_code) == (
            2020,
            "shoplifting",
            CHIYODA,
        )
        assert sorted(case.referred_to) == ["community_support_center", "other"]


def test_a_wrong_case_shows_every_error_and_keeps_what_was_typed(
    app: Flask, browser: Browser
) -> None:
    staff = browser("staff")
    response = _post(
        staff,
        "/consultations/new",
        {
            "received_on": "令和1年4月30日",
            "channel": "phone",
            "crime_related": "y",
            "age_group": "",
        },
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "令和元年は5月1日から始まります" in page
    assert 'value="令和1年4月30日"' in page, "what was typed is kept"
    assert page.count("選択してください（必須）") >= 3, "age group, caller and crime type"
    assert _count(app, Consultation) == 0


def test_an_import_with_a_bad_row_lists_it_and_adds_nothing_then_a_good_one_adds_all(
    app: Flask, browser: Browser, r2: list[Case], names: dict[str, str]
) -> None:
    staff = browser("staff")
    bad = ["2020-06-01", "phone", "<script>alert(1)</script>", "self", "0", "", "", ""]
    token = csrf_of(staff.get("/consultations/import").get_data(as_text=True))
    import io

    refused = staff.post(
        "/consultations/import",
        data={
            "csrf_token": token,
            "file": (
                io.BytesIO(csv_bytes(r2, names, encoding="cp932", extra={6: bad})),
                "相談.csv",
            ),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "8行目 age_group" in page
    assert "<script>alert(1)</script>" not in page, "escaped"
    assert "1件も追加していません" in page
    assert _count(app, Consultation) == 0
    accepted = staff.post(
        "/consultations/import",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(csv_bytes(r2, names, encoding="cp932")), "相談.csv"),
        },
        content_type="multipart/form-data",
    )
    assert accepted.status_code == 302
    assert _count(app, Consultation) == 239
    listing = staff.get("/consultations?fiscal_year=2020").get_data(as_text=True)
    assert "239件" in listing


def test_staff_record_hearings_and_see_how_many_municipalities_were_heard(
    app: Flask, browser: Browser
) -> None:
    staff = browser("staff")
    wrong = _post(staff, "/hearings", {"held_on": "2021-13-01", "department": ""})
    assert wrong.status_code == 422  # type: ignore[attr-defined]
    text = wrong.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "区市町村を選択してください" in text
    assert "13月は存在しません" in text
    done = _post(
        staff,
        "/hearings",
        {
            "municipality": CHIYODA,
            "held_on": "R3.6.10",
            "department": "地域福祉課",
            "topics": ["plan_challenges.no_lead_department"],
            "notes": "=cmd|' /C calc'!A0",
        },
    )
    assert done.status_code == 302  # type: ignore[attr-defined]
    page = staff.get("/hearings?fiscal_year=2021").get_data(as_text=True)
    assert "1/62" in page
    assert "所管部署が決まらない" in page
    assert "中央区" in page, "listed among those not heard yet"
    assert _count(app, Hearing) == 1


def test_a_day_before_the_desks_first_year_is_refused_not_stored_out_of_sight(
    app: Flask, browser: Browser
) -> None:
    """H2.5.1 typed for R2.5.1 is 1990: stored, it would sit in a year no page shows."""
    staff = browser("staff")
    case = _post(
        staff,
        "/consultations/new",
        {"received_on": "H2.5.1", "channel": "phone", "age_group": "70s", "caller": "self"},
    )
    assert case.status_code == 422  # type: ignore[attr-defined]
    text = case.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "記録は平成30年度からです" in text
    assert 'value="H2.5.1"' in text, "what was typed is kept"
    hearing = _post(
        staff,
        "/hearings",
        {"municipality": CHIYODA, "held_on": "2018-03-31", "department": "地域福祉課"},
    )
    assert hearing.status_code == 422  # type: ignore[attr-defined]
    assert "記録は平成30年度からです" in hearing.get_data(as_text=True)  # type: ignore[attr-defined]
    first_day = _post(
        staff,
        "/consultations/new",
        {"received_on": "H30.4.1", "channel": "phone", "age_group": "70s", "caller": "self"},
    )
    assert first_day.status_code == 302  # type: ignore[attr-defined]
    assert _count(app, Consultation) == 1
    assert _count(app, Hearing) == 0


def test_statistics_page_is_suppressed_for_respondents_and_counterparts_true_for_staff(
    app: Flask, browser: Browser
) -> None:
    with app.app_context():
        for age, home in (
            ("20s", CHIYODA),
            ("30s", CHIYODA),
            ("30s", None),
            ("40s", None),
            ("40s", None),
            ("40s", None),
            ("50s", "131024"),
            ("50s", None),
            ("50s", None),
        ):
            record_case(
                {
                    "received_on": "2020-08-01",
                    "channel": "phone",
                    "age_group": age,
                    "caller": "self",
                    "municipality": home,
                },
                user=None,
            )
        db.session.commit()
    for role, extra in (
        ("respondent", {"municipality": CHIYODA}),
        ("counterpart", {"recipient": "moj"}),
    ):
        page = browser(role, **extra).get("/consultations/statistics?fiscal_year=2020")
        assert page.status_code == 200, role
        html = page.get_data(as_text=True)
        assert "＊" in html
        assert "<svg" in html
        numbers = {int(n) for n in NUMBER_CELL.findall(html)}
        assert numbers, role
        assert not numbers & {1, 2}, (role, numbers)
        assert "居住区市町村別" not in html
        assert html.count("<script") == 1, "only the hub's own script, no inline one"
        assert "<script>" not in html
    own = browser("respondent", municipality=CHIYODA).get(
        "/consultations/statistics?fiscal_year=2020"
    )
    own_page = own.get_data(as_text=True)
    assert "千代田区に住む方からの相談" in own_page
    assert own_page.count("相談対象者の居住地域") == 1, "residents of one municipality: no regions"
    staff = (
        browser("staff").get("/consultations/statistics?fiscal_year=2020").get_data(as_text=True)
    )
    assert '<td class="numeric">1</td>' in staff
    assert "居住区市町村別" in staff


def test_respondents_and_counterparts_cannot_enter_cases_or_hearings(browser: Browser) -> None:
    for role, extra in (
        ("respondent", {"municipality": CHIYODA}),
        ("counterpart", {"recipient": "moj"}),
    ):
        client = browser(role, **extra)
        for url in ("/consultations", "/consultations/new", "/consultations/import", "/hearings"):
            assert client.get(url).status_code == 403, (role, url)


def _record_cases_in(app: Flask, *years: int) -> None:
    with app.app_context():
        for year in years:
            record_case(
                {
                    "received_on": f"{year}-08-01",
                    "channel": "phone",
                    "age_group": "30s",
                    "caller": "self",
                    "municipality": CHIYODA,
                },
                user=None,
            )
        db.session.commit()


def _statistics_year(client: FlaskClient, query: str = "") -> str:
    page = client.get(f"/consultations/statistics{query}")
    assert page.status_code == 200
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page.get_data(as_text=True), re.S)
    assert heading
    return heading.group(1)


def _cases_year(client: FlaskClient) -> str:
    page = client.get("/consultations")
    assert page.status_code == 200
    found = re.search(r"/consultations/statistics\?fiscal_year=(\d+)", page.get_data(as_text=True))
    assert found
    return found.group(1)


def test_the_desk_pages_open_on_the_latest_fiscal_year_with_cases(
    app: Flask, browser: Browser
) -> None:
    current = fiscal_year_of(tokyo.today())
    staff = browser("staff")
    assert fiscal_year_label(current) in _statistics_year(staff), "no cases: the current year"
    assert _cases_year(staff) == str(current)

    _record_cases_in(app, current - 3, current - 2)
    latest = fiscal_year_label(current - 2)
    assert latest in _statistics_year(staff), "the current year has none: the latest that has"
    assert _cases_year(staff) == str(current - 2)
    respondent = browser("respondent", municipality=CHIYODA)
    assert latest in _statistics_year(respondent)
    asked = _statistics_year(staff, f"?fiscal_year={current - 3}")
    assert fiscal_year_label(current - 3) in asked, "a year asked for wins"
    asked = _statistics_year(staff, f"?fiscal_year={current}")
    assert fiscal_year_label(current) in asked, "even an empty one"
    for unreadable in ("令和", "9" * 5000):  # more digits than Python reads was a 500
        assert latest in _statistics_year(staff, f"?fiscal_year={unreadable}")

    _record_cases_in(app, current)
    assert fiscal_year_label(current) in _statistics_year(staff), "the current year has cases"
    assert _cases_year(staff) == str(current)


def test_the_case_list_comes_a_page_at_a_time_keeping_the_year(
    app: Flask, browser: Browser
) -> None:
    """It stopped at the newest 500 and said 「500件」 however many there were."""
    year = fiscal_year_of(tokyo.today()) - 1
    per_page = consultations.CASES_PER_PAGE
    _record_cases_in(app, *[year] * (per_page + 1))
    staff = browser("staff")

    first = staff.get(f"/consultations?fiscal_year={year}").get_data(as_text=True)
    assert first.count("<tr>") == per_page + 1  # the heading row and a page of cases
    assert f"{per_page + 1}件中 1〜{per_page}件目を表示しています。" in first
    assert f'href="/consultations?page=2&amp;fiscal_year={year}" rel="next"' in first

    second = staff.get(f"/consultations?fiscal_year={year}&page=2").get_data(as_text=True)
    assert second.count("<tr>") == 2
    assert f"{per_page + 1}件中 {per_page + 1}〜{per_page + 1}件目を表示しています。" in second


def test_a_residents_count_under_a_regional_zero_reads_0_not_hidden(
    app: Flask, browser: Browser
) -> None:
    """千代田区 has all 3 of the year's cases, each of another age: its own table hides its total
    and its ages, but its 50代 reads 0 as the region's 50代 does (every reader knows it is 0; ＊
    would say there is something to hide), and its share of a hidden total stays ＊."""
    with app.app_context():
        for age in ("under_20", "20s", "30s"):
            record_case(
                {
                    "received_on": "2020-08-01",
                    "channel": "phone",
                    "age_group": age,
                    "caller": "self",
                    "municipality": CHIYODA,
                    "referred_to": ["municipal_window"],
                },
                user=None,
            )
        db.session.commit()
    page = browser("respondent", municipality=CHIYODA).get(
        "/consultations/statistics?fiscal_year=2020"
    )
    tables = page_tables(page)
    captions = [caption for caption, _, _ in tables]
    own_summary = captions.index("令和2年度 千代田区に住む方からの相談")
    regional_ages, own_ages = (
        {row[0]: row[1:] for row in rows}
        for caption, _, rows in tables
        if caption == "令和2年度 相談対象者の年代"
    )
    assert captions.index("令和2年度 相談対象者の年代", own_summary) > own_summary
    assert regional_ages["50代"] == ["0", "0.0%"]
    assert own_ages["50代"] == ["0", "＊"]
    assert own_ages["20歳未満"] == ["＊", "＊"]
    assert own_ages["計"] == ["＊", "＊"]
