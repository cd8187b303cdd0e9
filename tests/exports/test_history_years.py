"""経年比較 over three and more years and an era change: 平成31年4月1日 (FY2019, 令和元年度), then
令和2年, 令和3年 (the source document's 62 answers) and 令和4年 — a column per round in 基準日
order, each written as the 基準日 it is, the change against the round just before."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Flask

from exports.assembly import round_sheets
from hub.services import responses
from tests.conftest import Api, complete_answers


def test_four_years_side_by_side_across_the_era(
    app: Flask,
    seeded_round: int,
    open_round_at: Callable[[date], int],
    api_as: Callable[..., Api],
) -> None:
    staff = api_as("staff")
    heisei = open_round_at(date(2019, 4, 1))
    reiwa2 = open_round_at(date(2020, 4, 1))
    for round_id, code in ((heisei, "131016"), (reiwa2, "131016"), (reiwa2, "131024")):
        assert staff.submit(round_id, code, complete_answers()).status_code == 200
    latest = open_round_at(date(2022, 4, 1))
    answers = complete_answers(
        plan_status="formulated", plan_name="再犯防止推進計画", plan_date="2022-03-01"
    )
    assert staff.submit(latest, "131016", answers).status_code == 200
    with app.app_context():
        sheets = round_sheets(responses.get_round(latest))
    history = next(s for s in sheets if s.name == "経年比較").tables[0]
    assert history.headers == (
        "計画の策定状況",
        "平成31年4月1日現在",
        "令和2年4月1日現在",
        "令和3年4月1日現在",
        "令和4年4月1日現在",
        "増減（前回比）",
    )
    rows = {row[0]: row[1:] for row in history.rows}
    assert rows["① 策定済み"] == (0, 0, 9, 1, -8)
    assert rows["合計（回答自治体数）"] == (1, 2, 62, 1, -61)
