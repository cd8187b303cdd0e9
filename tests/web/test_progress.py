"""The progress queries behind the staff board: counts by state and region, overdue, filters."""

from __future__ import annotations

from datetime import timedelta

from hub.db import db, utcnow
from hub.models import Round
from hub.services import progress, responses
from tests.conftest import complete_answers, make_round, make_user, response_of

CHIYODA, MINATO, HACHIOJI, OKUTAMA = "131016", "131032", "132012", "133086"


def submit(round_id: int, code: str) -> None:
    responses.submit(response_of(round_id, code), raw_answers=complete_answers(), user=None)


def test_counts_by_state_and_region(ctx):
    round_ = make_round()
    submit(round_.id, CHIYODA)
    submit(round_.id, MINATO)
    submit(round_.id, OKUTAMA)
    responses.accept(response_of(round_.id, MINATO), user=None)
    responses.save_draft(response_of(round_.id, HACHIOJI), {}, version=0, user=None)
    responses.return_response(response_of(round_.id, OKUTAMA), "直してください", user=None)
    db.session.commit()
    summary = progress.progress(round_)
    assert summary.regions == ("区部", "市部", "町村部")
    assert summary.asked == 62
    assert summary.by_state == {
        "not_started": 58,
        "draft": 1,
        "returned": 1,
        "submitted": 1,
        "accepted": 1,
    }
    assert summary.by_region["区部"] == {
        "not_started": 21,
        "draft": 0,
        "returned": 0,
        "submitted": 1,
        "accepted": 1,
    }
    assert summary.by_region["町村部"]["returned"] == 1
    assert (summary.asked_in("市部"), summary.done_in("市部")) == (26, 0)
    assert (summary.asked_in("町村部"), summary.done_in("町村部")) == (13, 0)
    assert summary.done == 2
    assert summary.returned == 1
    assert summary.overdue == 0


def test_overdue_respects_extensions(ctx):
    round_ = make_round(opens_at=utcnow() - timedelta(days=10))
    submit(round_.id, CHIYODA)
    round_.deadline = utcnow() - timedelta(hours=1)
    db.session.flush()
    responses.grant_extension(
        response_of(round_.id, HACHIOJI), utcnow() + timedelta(days=2), user=None
    )
    db.session.commit()
    summary = progress.progress(round_)
    assert summary.overdue == 60
    rows = {r.code: r for r in progress.board_page(round_, None).items}
    assert not rows[CHIYODA].overdue
    assert not rows[HACHIOJI].overdue
    assert rows[HACHIOJI].deadline > round_.deadline
    assert rows[OKUTAMA].overdue
    assert rows[OKUTAMA].deadline == round_.deadline
    overdue_codes = {r.code for r in progress.board_page(round_, None, overdue_only=True).items}
    assert len(overdue_codes) == 60
    assert HACHIOJI not in overdue_codes


def test_board_rows_and_filters(ctx):
    round_ = make_round()
    staff = make_user(role="staff")
    responses.save_draft(response_of(round_.id, OKUTAMA), {}, version=0, user=staff)
    submit(round_.id, CHIYODA)
    responses.return_response(response_of(round_.id, CHIYODA), "理由", user=staff)
    db.session.commit()
    rows = progress.board_page(round_, None).items
    assert [r.code for r in rows] == sorted(r.code for r in rows)
    okutama = next(r for r in rows if r.code == OKUTAMA)
    assert okutama.name == "奥多摩町"
    assert okutama.region == "町村部"
    assert okutama.updated_by == staff.email
    assert okutama.on_behalf
    assert okutama.updated_at is not None
    assert okutama.updated_at.tzinfo is not None
    assert [r.code for r in progress.board_page(round_, None, state="returned").items] == [CHIYODA]
    assert [
        r.code for r in progress.board_page(round_, None, state="draft", region="町村部").items
    ] == [OKUTAMA]
    assert CHIYODA not in {r.code for r in progress.board_page(round_, None, state="draft").items}
    assert len(progress.board_page(round_, None, region="市部").items) == 26


def test_overview_and_municipality_rounds(ctx):
    first = make_round()
    second = make_round(reference_date=first.reference_date.replace(year=2022))
    submit(first.id, CHIYODA)
    db.session.commit()
    lines = progress.overview([second, first])
    assert [(line.round.id, line.asked, line.done) for line in lines] == [
        (second.id, 62, 0),
        (first.id, 62, 1),
    ]
    assert [r.round_id for r in progress.municipality_rounds(CHIYODA)] == [second.id, first.id]
    assert progress.overview([]) == []
    assert isinstance(db.session.get(Round, first.id), Round)
