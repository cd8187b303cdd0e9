"""Referral counts leave the hub only as counts: in the consolidated workbook's 相談窓口 sheet
(exact for staff), and in the deliveries to 法務省 (suppressed); never a name."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import update

from hub.db import db
from hub.models import Referral
from tests.conftest import make_round, make_user
from tests.deliveries.conftest import submit_answers
from tests.referrals.conftest import CHIYODA, NAME, PHONE, Cast

DESK_YEAR = 2020
"""The desk's year that goes with a round of 基準日 2021-04-01 (the last full fiscal year)."""


def _in_desk_year(app: Flask) -> int:
    with app.app_context():
        db.session.execute(update(Referral).values(fiscal_year=DESK_YEAR))
        db.session.commit()
        return make_round(reference_date=date(2021, 4, 1)).id


def _rows(data: bytes, sheet: str) -> list[tuple]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]


def _seed(cast: Cast, refer: Callable[..., int]) -> None:
    ids = [refer() for _ in range(4)] + [refer(municipality=CHIYODA, needs=["employment"])]
    for referral_id in ids[:3]:
        cast.window.post(f"/referrals/{referral_id}/accept")
        cast.window.post(f"/referrals/{referral_id}/close", {"outcome": "connected"})


def test_the_staff_workbook_has_exact_referral_counts_on_the_desk_sheet(
    app: Flask, cast: Cast, refer: Callable[..., int]
):
    _seed(cast, refer)
    round_id = _in_desk_year(app)
    answer = cast.staff.get(f"/rounds/{round_id}/workbook")
    assert answer.status_code == 200
    rows = _rows(answer.data, "相談窓口")
    flat = [c for row in rows for c in row if c is not None]
    assert "令和2年度 つなぎ（区市町村の相談窓口への支援の依頼）" in flat
    overview = next(r for r in rows if r[0] == "つなぎの件数")
    assert overview[1] == 5
    share = next(r for r in rows if str(r[0]).startswith("支援につながった割合"))
    assert share[1] == 1  # 3 of 3 closed, a number Excel shows as 100%
    municipalities = {r[0]: r[1] for r in rows if r[0] in ("八王子市", "千代田区")}
    assert municipalities == {"八王子市": 4, "千代田区": 1}
    assert not any(str(NAME) in str(c) or PHONE in str(c) for c in flat)


def test_the_moj_delivery_carries_suppressed_referral_counts_only(
    app: Flask, cast: Cast, refer: Callable[..., int], runner, outbox: Path
):
    _seed(cast, refer)
    round_id = _in_desk_year(app)
    with app.app_context():
        staff = make_user(role="staff")
        for code in ("131016", "131024", "131032"):  # a round is delivered from 3 answers on
            submit_answers(round_id, code, staff)
    base = outbox / "moj"
    before = set(base.iterdir()) if base.exists() else set()  # other tests' deliveries
    result = runner("export", "moj", "--round", str(round_id))
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in base.iterdir() if p not in before and not p.name.startswith(".")]
    (document,) = [p for p in folder.glob("*.json") if p.name != "manifest.json"]
    text = document.read_text(encoding="utf-8")
    assert "referral_municipality" in text
    for path in folder.iterdir():
        data = path.read_bytes()
        assert NAME.encode() not in data
        assert PHONE.encode() not in data
    tables = json.loads(text)["tables"]
    need_rows = {row[0]: row[1] for row in tables["referral_need"]["rows"]}
    assert need_rows["就労"] == "＊"
    overview = {row[0]: row[1] for row in tables["referral_overview"]["rows"]}
    # 住居 4 beside a total of 5 would tell that one referral did not need housing
    assert "＊" in (need_rows["住居"], overview["つなぎの件数"])
    places = {row[0]: row[1] for row in tables["referral_municipality"]["rows"]}
    # 1, its complement 4 (= 5 − 1), and a third: 八王子市's window knows its own 4
    assert places == {"千代田区": "＊", "中央区": "＊", "八王子市": "＊"}
    outcomes = {row[0]: row[1] for row in tables["referral_outcome"]["rows"]}
    assert outcomes["支援につながった"] == "＊"  # else 5 − 3 gives away the 2 still open
