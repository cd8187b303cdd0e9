"""The same case list imported twice through the page: the rows already stored (and a row
repeated within the file) are left out and listed by row number and 受付日, the new rows are
added at once, and the clerk may add the listed rows after all by choosing the same file again;
the page then shows the fiscal year of what was imported."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forms import tokyo
from forms.consultation import fiscal_year_of
from hub.db import db
from hub.models import Consultation
from hub.services.consultations import record_case
from tests.conftest import csrf_of

Browser = Callable[..., FlaskClient]
HEADER = (
    "受付日",
    "相談方法",
    "相談対象者の年代",
    "相談者",
    "犯罪に関する相談か",
    "紹介した支援機関",
)
FIRST = [
    ("2020-03-10", "電話", "30代", "本人", "いいえ", ""),  # 令和元年度
    ("2020-06-01", "電話", "70代", "家族", "いいえ", "地域包括支援センター;区市町村窓口"),
    ("2020-06-02", "来所", "40代", "本人", "いいえ", ""),
]
NEW = ("2020-07-01", "電話", "50代", "本人", "いいえ", "")


def _stored(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Consultation)) or 0)


def _csv(*rows: tuple[str, ...]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([HEADER, *rows])
    return out.getvalue().encode("utf-8-sig")


def _import(client: FlaskClient, data: bytes, **fields: str) -> tuple[int, str, str]:
    token = csrf_of(client.get("/consultations/import").get_data(as_text=True))
    response = client.post(
        "/consultations/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), "相談.csv"), **fields},
        content_type="multipart/form-data",
    )
    return response.status_code, response.headers.get("Location", ""), response.get_data(True)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, name
    return found.group(1)


def test_the_same_file_twice_adds_only_its_new_rows_and_names_the_others(
    app: Flask, browser: Browser
) -> None:
    staff = browser("staff")
    with app.app_context():  # a later year has cases: the import still shows its own year
        record_case(
            {
                "received_on": tokyo.today().isoformat(),
                "channel": "phone",
                "age_group": "30s",
                "caller": "self",
            },
            user=None,
        )
        db.session.commit()
    status, location, _page = _import(staff, _csv(*FIRST))
    assert status == 302
    assert location.endswith("/consultations?fiscal_year=2020"), "the latest year of the rows"
    assert fiscal_year_of(tokyo.today()) != 2020
    listing = staff.get(location).get_data(as_text=True)
    assert "3件の相談記録を追加しました。" in listing
    assert _stored(app) == 4

    again = _csv(*FIRST, NEW, NEW)
    status, location, page = _import(staff, again)
    assert status == 200
    assert location == ""
    assert _stored(app) == 5, "the new row is added at once, once"
    assert "1件の相談記録を追加しました。登録済みの記録と同じ内容の4件は追加していません。" in page
    rows = re.findall(r'<tr><th scope="row">(\d+)行目</th><td>(.*?)</td><td>(.*?)</td></tr>', page)
    assert rows == [
        ("2", "令和2年3月10日", "登録済みの記録"),
        ("3", "令和2年6月1日", "登録済みの記録"),
        ("4", "令和2年6月2日", "登録済みの記録"),
        ("6", "令和2年7月1日", "このファイルの5行目"),
    ]
    assert 'href="/consultations?fiscal_year=2020"' in page
    assert "同じ内容の記録も追加する（4件）" in page

    # The clerk says rows 3 and 6 were other callers: only those rows are added.
    confirm = {"repeat_digest": _hidden(page, "repeat_digest"), "repeat_lines": "3,6"}
    status, location, _page = _import(staff, again, **confirm)
    assert status == 302
    assert location.endswith("/consultations?fiscal_year=2020")
    assert "2件の相談記録を追加しました。" in staff.get(location).get_data(as_text=True)
    assert _stored(app) == 7


def test_adding_the_left_out_rows_needs_the_same_file(app: Flask, browser: Browser) -> None:
    staff = browser("staff")
    assert _import(staff, _csv(*FIRST))[0] == 302
    _status, _location, page = _import(staff, _csv(*FIRST))
    lines = _hidden(page, "repeat_lines")
    assert lines == "2,3,4"
    confirm = {"repeat_digest": _hidden(page, "repeat_digest"), "repeat_lines": lines}

    status, _location, refused = _import(staff, _csv(*FIRST, NEW), **confirm)
    assert status == 422
    assert "先ほど取り込んだファイルと違うファイルです。同じファイルを選んでください。" in refused
    assert "file:" not in refused
    assert f'name="repeat_lines" value="{lines}"' in refused, "the choice is still offered"
    assert _stored(app) == 3

    status, _location, _page = _import(staff, _csv(*FIRST), **confirm)
    assert status == 302
    assert _stored(app) == 6


def test_a_confirmation_naming_no_row_of_the_file_adds_nothing_and_says_so(
    app: Flask, browser: Browser
) -> None:
    staff = browser("staff")
    assert _import(staff, _csv(*FIRST))[0] == 302
    _status, _location, page = _import(staff, _csv(*FIRST))
    digest = _hidden(page, "repeat_digest")
    for lines in ("", "99", "abc"):  # a form tampered with, or kept from another file
        status, _location, refused = _import(
            staff, _csv(*FIRST), repeat_digest=digest, repeat_lines=lines
        )
        assert status == 422, lines
        assert "このファイルに、追加すると選んだ行はありません。" in refused
    assert _stored(app) == 3


def test_a_large_file_imported_twice_lists_a_hundred_rows_and_folds_the_rest(
    app: Flask, browser: Browser
) -> None:
    """A whole year's file imported again leaves every row out: the page lists the first hundred
    one by one and names the others by their row numbers in runs, not 250 table rows; the
    confirmation still carries every row."""
    staff = browser("staff")
    rows = [
        (f"2020-{month:02d}-{day:02d}", "電話", age, "本人", "いいえ", "")
        for month in range(6, 11)
        for day in range(1, 26)
        for age in ("30代", "40代")
    ]
    assert _import(staff, _csv(*rows))[0] == 302
    status, _location, page = _import(staff, _csv(*rows))
    assert status == 200
    assert _stored(app) == 250
    listed = re.findall(r'<tr><th scope="row">(\d+)行目</th>', page)
    assert listed == [str(line) for line in range(2, 102)]
    assert "ほかに150行（102〜251行目）も同じ内容です。" in page
    assert _hidden(page, "repeat_lines") == ",".join(str(line) for line in range(2, 252))
    assert "同じ内容の記録も追加する（250件）" in page


def test_two_imports_of_one_file_at_the_same_moment_add_its_rows_once(
    app: Flask, browser: Browser, monkeypatch
) -> None:
    """Two clerks import the same file at once: the second waits for the first (the import's
    lock) and then finds its rows stored, instead of both looking before either has written.
    The first import lingers between its look and its write, long enough for the other to reach
    the look too if nothing held it back."""
    import threading
    import time

    from hub.services import consultations

    looked = consultations._leave_out_repeats
    entered: list[float] = []

    def slow_look(rows):
        entered.append(time.monotonic())
        result = looked(rows)
        if len(entered) == 1:
            time.sleep(0.5)
        return result

    monkeypatch.setattr(consultations, "_leave_out_repeats", slow_look)
    clients = [browser("staff"), browser("staff")]
    tokens = [csrf_of(c.get("/consultations/import").get_data(as_text=True)) for c in clients]
    start = threading.Barrier(2)
    codes: list[int] = []

    def send(client: FlaskClient, token: str) -> None:
        start.wait()
        response = client.post(
            "/consultations/import",
            data={"csrf_token": token, "file": (io.BytesIO(_csv(*FIRST)), "相談.csv")},
            content_type="multipart/form-data",
        )
        codes.append(response.status_code)

    threads = [
        threading.Thread(target=send, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(codes) == [200, 302], "one adds the rows, the other lists them as left out"
    assert _stored(app) == len(FIRST)


def test_the_same_file_again_with_nothing_new_says_nothing_was_added(
    app: Flask, browser: Browser
) -> None:
    """A list imported a second time as it was: the page says that the file holds no new row,
    not 「0件の相談記録を追加しました」 and 「新しい行は追加しました」."""
    staff = browser("staff")
    status, _location, _page = _import(staff, _csv(*FIRST))
    assert status == 302
    stored = _stored(app)
    status, _location, page = _import(staff, _csv(*FIRST))
    assert status == 200
    assert _stored(app) == stored
    said = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "ファイルの3件はどれも登録済みの記録と同じ内容のため、1件も追加していません。" in said
    assert "には新しい行がありません" in said
    assert "0件" not in said
    assert "新しい行は追加しました" not in said
