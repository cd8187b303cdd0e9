"""Tables per fiscal year, the three-year view, hearings, and the sheets in the staff workbook."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from exports import hearings as hearing_reads
from exports.consultation_counts import three_years
from exports.consultation_tables import consultation_sheets, sheets_for_reference_date
from exports.suppression import SUPPRESSED_MARK
from exports.tables import Table
from forms.consultation import fiscal_year_label, fiscal_year_of
from hub.db import db
from hub.errors import Invalid
from hub.services import hearings
from hub.services.consultations import import_cases, record_case
from tests.conftest import Api, make_round
from tests.consultations.cases import Case, csv_bytes

CHIYODA, HACHIOJI, OKUTAMA = "131016", "132012", "133035"


def _import(app: Flask, data: bytes) -> None:
    with app.app_context():
        import_cases(data, user=None)
        db.session.commit()


def _case(
    day: str, age: str = "30s", crime: str | None = None, sent: str = "", home: str | None = None
) -> dict[str, Any]:
    return {
        "received_on": day,
        "channel": "phone",
        "age_group": age,
        "caller": "self",
        "crime_related": crime is not None,
        "crime_type": crime,
        "referred_to": sent,
        "municipality": home,
    }


def _rows(table: Table) -> dict[Any, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in table.rows}


def _sheet(sheets: list[tuple[str, list[Table]]], title: str) -> dict[str, Table]:
    found = dict(sheets)
    assert title in found, list(found)
    return {t.name: t for t in found[title]}


def test_fiscal_years_run_from_april_to_march_and_are_named_in_wareki() -> None:
    assert fiscal_year_of(date(2021, 3, 31)) == 2020
    assert fiscal_year_of(date(2021, 4, 1)) == 2021
    assert fiscal_year_label(2020) == "令和2年度"
    assert fiscal_year_label(2019) == "令和元年度"
    assert fiscal_year_label(2018) == "平成30年度"


def test_r2_tables_give_the_documents_numbers_to_everyone(
    app: Flask, r2: list[Case], names: dict[str, str]
) -> None:
    _import(app, csv_bytes(r2, names))
    with app.app_context():
        staff = _sheet(consultation_sheets(2020, suppress=False), "相談窓口")
        shared = _sheet(consultation_sheets(2020, suppress=True), "相談窓口")
    for tables in (staff, shared):
        overview = _rows(tables["consultation_overview"])
        assert overview["相談件数"] == (239,)
        assert overview["うち犯罪に関する相談"] == (199,)
        assert overview["支援機関等を紹介した相談"] == (151,)
        assert overview["地域の窓口を紹介した割合（紹介した相談に占める割合）"] == (0.397,)
        assert 1 in tables["consultation_overview"].shares, "a number shown as a percentage"
        assert _rows(tables["consultation_age_group"])["70代"] == (52, round(52 / 239, 3))
        assert _rows(tables["consultation_crime_type"])["万引き"][0] == 98
    assert "consultation_municipality" in staff, "staff see every municipality"
    assert "consultation_municipality" not in shared, "nothing per municipality is shared"
    by_municipality = _rows(staff["consultation_municipality"])
    assert by_municipality[CHIYODA][2] == sum(1 for c in r2 if c.municipality == CHIYODA)
    assert staff["consultation_municipality"].rows[-1][-1] == 239


def test_the_three_year_view_sums_the_years_and_hides_a_sum_that_would_reveal_a_year(
    app: Flask,
) -> None:
    with app.app_context():
        for i in range(7):
            record_case(
                _case(
                    "2018-06-01",
                    crime="shoplifting" if i < 4 else None,
                    sent="地域包括支援センター" if i < 3 else "",
                ),
                user=None,
            )
        for i in range(9):
            record_case(
                _case(
                    "2019-06-01",
                    age="40s",
                    crime="fraud" if i < 8 else None,
                    sent="municipal_window;self_help_group",
                ),
                user=None,
            )
        for _ in range(4):
            record_case(_case("2021-03-31", crime="drugs", sent="other"), user=None)
        db.session.commit()
        true = three_years(2020, suppressed=False)
        shared = three_years(2020, suppressed=True)
    assert [r.label for r in true] == [
        "平成30年度",
        "令和元年度",
        "令和2年度",
        "3年間計（平成30年度〜令和2年度）",
    ]
    assert [(r.total, r.crime_related, r.referred, r.local_window) for r in true] == [
        (7, 4, 3, 3),
        (9, 8, 9, 9),
        (4, 4, 4, 0),
        (20, 16, 16, 12),
    ]
    assert true[-1].share_text == "75.0%"
    assert true[-1].share_cell == 0.75, "tables get the number; the workbook shows 75.0%"
    assert true[2].share_cell == 0.0, "0 of 4 referred to a local window"
    h30, r1, r2, total = shared
    assert (h30.total, h30.crime_related, r2.total) == (7, 4, 4)
    assert r1.crime_related is None, "8 of 9: one case that is not about a crime would show"
    assert total.crime_related is None, "else 16 - 4 - 4 would give 令和元年度 back"
    assert total.total == 20
    for row in shared:
        for value in (row.total, row.crime_related, row.referred, row.local_window):
            assert value not in (1, 2)


def test_the_three_year_sums_do_not_give_away_one_case_not_about_a_crime(app: Flask) -> None:
    """Every year small (1, 1 and 2 cases, all hidden) but the sums 4 and 3 would leave one case
    over three years that was not about a crime: one of the two sums is hidden."""
    with app.app_context():
        record_case(_case("2018-06-01", crime="violence"), user=None)
        record_case(_case("2019-06-01"), user=None)
        for _ in range(2):
            record_case(_case("2020-06-01", crime="violence"), user=None)
        db.session.commit()
        true = three_years(2020, suppressed=False)[-1]
        shared = three_years(2020, suppressed=True)
    assert (true.total, true.crime_related) == (4, 3), "staff see the true sums"
    assert all(row.total is None for row in shared[:-1]), "every year is small"
    total = shared[-1]
    assert None in (total.total, total.crime_related), "else 4 - 3 = 1 case not about a crime"


def test_hearings_count_municipalities_heard_in_the_fiscal_year(app: Flask) -> None:
    with app.app_context():
        hearings.record_hearing(
            CHIYODA,
            {
                "held_on": "令和3年6月10日",
                "department": "福祉局 地域福祉課",
                "topics": "plan_challenges.no_lead_department;program_challenges.lack_statistics",
                "notes": '=HYPERLINK("http://x") 所管部署が未定',
            },
            user=None,
        )
        hearings.record_hearing(
            CHIYODA, {"held_on": "2021-07-01", "department": "福祉課"}, user=None
        )
        hearings.record_hearing(
            HACHIOJI,
            {"held_on": "R3.7.30", "department": "福祉政策課", "topics": ["統計データが不足"]},
            user=None,
        )
        hearings.record_hearing(
            OKUTAMA, {"held_on": "2021-03-31", "department": "福祉保健課"}, user=None
        )
        db.session.commit()
        state = hearing_reads.progress(2021)
        assert state.label() == "2/62 区市町村"
        assert [m.code for m in state.heard] == [CHIYODA, HACHIOJI]
        assert len(state.not_heard) == 60
        assert OKUTAMA in {m.code for m in state.not_heard}
        sheets = _sheet(consultation_sheets(2021, suppress=False), "聞き取り")
        shared = _sheet(consultation_sheets(2021, suppress=True), "聞き取り")
    assert _rows(sheets["hearing_progress"])["計"] == (2, 62)
    records = sheets["hearing_records"]
    assert len(records.rows) == 3
    assert records.rows[0][4] == "所管部署が決まらない・庁内調整が進まない、統計データが不足"
    assert {3, 5} <= records.user_text, "typed text never becomes a formula"
    assert set(shared) == {"hearing_progress"}, "no notes or lists leave 都"


def test_a_bad_hearing_names_each_field(app: Flask) -> None:
    with app.app_context(), pytest.raises(Invalid) as caught:
        hearings.record_hearing(
            "999999", {"held_on": "令和1年4月30日", "topics": "nothing"}, user=None
        )
    assert set(caught.value.errors) == {"municipality", "held_on", "department", "topics"}


def test_the_staff_workbook_download_has_the_consultation_and_hearing_sheets(
    app: Flask, api_as: Callable[..., Api], r2: list[Case], names: dict[str, str]
) -> None:
    _import(app, csv_bytes(r2, names))
    with app.app_context():
        round_id = make_round(reference_date=date(2021, 4, 1)).id
        hearings.record_hearing(
            CHIYODA, {"held_on": "2021-06-10", "department": "地域福祉課"}, user=None
        )
        db.session.commit()
        sheets = sheets_for_reference_date(date(2021, 4, 1), suppress=False)
    assert [title for title, _ in sheets] == ["相談窓口", "聞き取り"]
    response = api_as("staff").get(f"/rounds/{round_id}/workbook")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert {"相談窓口", "聞き取り"} <= set(book.sheetnames)
    percentages = [
        (cell.value, cell.number_format)
        for row in book["相談窓口"].iter_rows()
        for cell in row
        if (getattr(cell, "number_format", None) or "").endswith("%")
    ]
    assert (0.397, "0.0%") in percentages, "the share is a number shown as a percentage"
    assert not [
        cell.value
        for row in book["相談窓口"].iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1].isdigit() and cell.value.endswith("%")
    ], "no percentage is written as text"
    values = [
        [c for c in row if c is not None] for row in book["相談窓口"].iter_rows(values_only=True)
    ]
    book.close()
    lines = {str(row[0]): row[1:] for row in values if row}
    assert lines["相談件数"][0] == 239
    assert lines["うち犯罪に関する相談"][0] == 199
    assert lines["支援機関等を紹介した相談"][0] == 151
    assert 0.397 in lines["地域の窓口を紹介した割合（紹介した相談に占める割合）"]
    assert SUPPRESSED_MARK not in {v for row in values for v in row}, "staff see true counts"
