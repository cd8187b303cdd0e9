"""The progress board a page at a time: its statements do not grow with the number of
municipalities a round asks (1,741 in a national round: docs/performance.md), the filters carry
over to every page, and 「遅れている団体をすべて選んで確認へ」 still chooses every late
municipality, not only those of the page shown."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.db import counting_statements, db, utcnow
from hub.services import progress
from tests.conftest import make_round
from tests.web.conftest import page, text_of

CHIYODA, CHUO, MINATO = "131016", "131024", "131032"


@pytest.fixture
def ten_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "BOARD_PER_PAGE", 10)


def rows(answer) -> list[str]:
    return page(answer).xpath("//tr[@data-municipality]/@data-municipality")


def statements_of(staff, url: str) -> int:
    staff.get(url)  # the first request may fill the process's caches
    with counting_statements() as log:
        answer = staff.get(url)
    assert answer.status_code == 200
    return len(log)


def test_the_boards_statements_do_not_grow_with_the_municipalities(app, web, ten_a_page):
    staff = web("staff")
    with app.app_context():
        few = make_round(municipalities=[CHIYODA, CHUO, MINATO]).id
        every = make_round().id  # Tokyo's 62, over seven pages of ten
    counted = {
        url: statements_of(staff, url)
        for url in (
            f"/staff/rounds/{few}",
            f"/staff/rounds/{every}",
            f"/staff/rounds/{every}?page=7",
            f"/staff/rounds/{every}?state=not_started&page=3",
        )
    }
    assert len(set(counted.values())) == 1, counted
    last = rows(staff.get(f"/staff/rounds/{every}?page=7"))
    assert len(last) == 2  # 62 = six pages of ten and two
    assert last == sorted(last)


def test_each_page_keeps_the_filters_and_says_how_many(app, web, ten_a_page):
    staff = web("staff")
    with app.app_context():
        round_id = make_round().id
    first = staff.get(f"/staff/rounds/{round_id}?region=区部&state=not_started")
    assert "23件中 1〜10件目を表示しています。" in text_of(first)
    following = page(first).xpath("//nav//a[@rel='next']/@href")[0]
    assert "region=" in following
    assert "state=not_started" in following
    assert following.endswith("#municipalities")
    second = staff.get(following)
    assert "23件中 11〜20件目を表示しています。" in text_of(second)
    assert all(code.startswith("131") for code in rows(second))
    assert set(rows(first)).isdisjoint(rows(second))
    # a page past the last is the last page, as every list of the hub answers
    assert rows(staff.get(f"/staff/rounds/{round_id}?region=区部&page=99")) == rows(
        staff.get(f"/staff/rounds/{round_id}?region=区部&page=3")
    )


def test_all_late_chooses_every_late_municipality_from_any_page(app, web, ten_a_page):
    staff = web("staff")
    with app.app_context():
        round_ = make_round(opens_at=utcnow() - timedelta(days=10))
        round_.deadline = utcnow() - timedelta(hours=1)
        db.session.commit()
        round_id = round_.id
    board = staff.get(f"/staff/rounds/{round_id}?page=2&state=not_started")
    assert len(rows(board)) == 10
    assert "このページに表示している団体の分だけです" in text_of(board)
    form = page(board).xpath("//form[@data-remind]")[0]
    # the form comes back to the same page and filters when nothing could be chosen
    assert "page=2" in form.get("action")
    assert "state=not_started" in form.get("action")
    preview = staff.post(form.get("action"), {"all_late": "1"})
    assert preview.status_code == 200
    chosen = page(preview).xpath(
        "//form[contains(@action, '/reminders/send')]//input[@name='municipality']/@value"
    )
    assert len(set(chosen)) == 62


def test_one_page_says_nothing_of_pages_beside_the_ticks(app, web):
    staff = web("staff")
    with app.app_context():
        round_ = make_round(opens_at=utcnow() - timedelta(days=10))
        round_.deadline = utcnow() - timedelta(hours=1)
        db.session.commit()
        round_id = round_.id
    board = text_of(staff.get(f"/staff/rounds/{round_id}"))  # Tokyo's 62 on one page
    assert "督促メール" in board
    assert "このページに表示している団体の分だけです" not in board
