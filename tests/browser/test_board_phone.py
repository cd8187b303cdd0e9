"""The progress board's 提出期限 on a phone, in Chromium: each deadline reads whole beside the
municipality's name — broken between its parts (令和8年12月11日 / （金）13:21), never inside a
number — with no sideways scroll of the page or the table, in Japanese and English."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from hub.db import db, utcnow
from hub.services import responses
from tests.browser.accessibility import assert_accessible
from tests.browser.support import PHONE, no_sideways_scroll, sign_in_directly
from tests.conftest import make_round, make_user, response_of

pytestmark = pytest.mark.browser

CHIYODA, CHUO = "131016", "131024"

DEADLINE_LINES = """cell => {
  const text = cell.firstChild;
  const lines = [];
  let line = '', top = null;
  for (let i = 0; i < text.length; i++) {
    const range = document.createRange();
    range.setStart(text, i);
    range.setEnd(text, i + 1);
    const y = Math.round(range.getBoundingClientRect().top);
    if (top !== null && y > top + 2) { lines.push(line); line = ''; }
    top = y;
    line += text.data[i];
  }
  lines.push(line);
  return lines.map(l => l.trim()).filter(l => l);
}"""


def deadline_cells(page: Any) -> list[Any]:
    return [page.locator(f"tr[data-municipality='{code}'] td").nth(1) for code in (CHIYODA, CHUO)]


def test_the_board_s_deadlines_read_whole_on_a_phone(app: Flask, open_page) -> None:
    with app.app_context():
        round_id = make_round(
            municipalities=[CHIYODA, CHUO],
            opens_at=utcnow() - timedelta(days=10),
            deadline=utcnow() - timedelta(days=2),
        ).id
        staff = make_user(role="staff")
        responses.grant_extension(
            response_of(round_id, CHUO), utcnow() + timedelta(days=10), user=staff
        )
        db.session.commit()
        email = staff.email
    phone = open_page(viewport=PHONE)
    sign_in_directly(phone, email)
    phone.goto(f"/staff/rounds/{round_id}")
    overdue, extended = deadline_cells(phone)
    assert "日超過" in overdue.inner_text()
    assert "延長" in extended.inner_text()
    window = phone.evaluate("() => window.innerWidth")
    for cell in (overdue, extended):
        lines = cell.evaluate(DEADLINE_LINES)
        assert lines[0].startswith("令和"), lines
        for line in lines[:-1]:  # a break only after the day or after the weekday
            assert line.endswith(("日", "）")), lines
        box = cell.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= window, (box, window)
    no_sideways_scroll(phone)
    assert_accessible(phone)

    phone.goto("/language/en")
    phone.goto(f"/staff/rounds/{round_id}")
    for cell in deadline_cells(phone):
        lines = cell.evaluate(DEADLINE_LINES)
        written = cell.evaluate("cell => cell.firstChild.data").split()
        assert " ".join(lines).split() == written, lines  # broken between words only
        assert written[0] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), lines
        box = cell.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= window, (box, window)
    no_sideways_scroll(phone)
    assert_accessible(phone)
