"""The audit log page (/audit) for staff and administrators: filters, paging, times in
Asia/Tokyo, refused to everyone else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.db import db
from hub.models import AuditEvent
from tests.conftest import make_user
from tests.security.conftest import Web, page, text_of

# 2021-03-31 15:30:05 UTC is 2021-04-01 00:30:05 in Tokyo: the day differs.
AT = datetime(2021, 3, 31, 15, 30, 5, tzinfo=UTC)


def add_events(app, *events: dict) -> None:
    with app.app_context():
        for event in events:
            db.session.add(AuditEvent(**{"at": AT, "details": {}, **event}))
        db.session.commit()


def rows(answer) -> list[str]:
    return [
        " ".join(row.text_content().split())
        for row in page(answer).xpath("//tr[@data-audit-event]")
    ]


def targets_shown(answer) -> list[str]:
    """The 対象 column, top to bottom."""
    return [
        " ".join(cell.text_content().split())
        for cell in page(answer).xpath("//tr[@data-audit-event]/td[4]")
    ]


@pytest.fixture
def staff(web) -> Web:
    return web("staff")


def test_staff_and_admin_read_the_log_others_are_refused(app, web):
    for role in ("staff", "admin"):
        answer = web(role).get("/audit/")
        assert answer.status_code == 200, role
        assert "監査ログ" in text_of(answer)
    assert web("respondent", municipality="131016").get("/audit/").status_code == 403
    assert web("counterpart", recipient="moj").get("/audit/").status_code == 403
    assert web("window", municipality="131016").get("/audit/").status_code == 403
    for role, kwargs in (
        ("respondent", {"municipality": "131016"}),
        ("counterpart", {"recipient": "moj"}),
        ("window", {"municipality": "131016"}),
    ):
        assert web(role, **kwargs).get("/audit/export.csv").status_code == 403, role
    assert Web(app).get("/audit/").headers["Location"].startswith("/login?next=/audit/")


def test_the_menu_links_to_it_for_those_who_may_read_it(web):
    for role, kwargs, shown in (
        ("staff", {}, True),
        ("admin", {}, True),
        ("respondent", {"municipality": "131016"}, False),
    ):
        client = web(role, **kwargs)
        home = client.get("/password")
        links = page(home).xpath("//nav[@class='site-nav']//a/@href")
        assert ("/audit/" in links) is shown, role


def test_an_event_reads_in_japanese_with_tokyo_time(app, staff):
    with app.app_context():
        user = make_user(role="respondent", municipality="132012", email="hachioji@example.jp")
        user_id = user.id
    add_events(
        app,
        {
            "action": "response.save",
            "user_id": user_id,
            "target": "round/1/response/132012",
            "municipality_code": "132012",
            "on_behalf": True,
            "address": "10.20.30.40",
            "details": {"version": 3, "changed": ["contact_name", "comments"]},
        },
    )
    [row] = [r for r in rows(staff.get("/audit/")) if "八王子市" in r]
    assert "令和3年4月1日（木）00:30:05" in row
    assert "回答の一時保存" in row
    assert "代理入力" in row
    assert "hachioji@example.jp" in row  # an account with no name is named by its address
    assert "10.20.30.40" in row
    assert "変更した項目: contact_name, comments" in row  # round 1 does not exist: ids as stored


def test_user_text_is_shown_as_text(app, staff):
    add_events(
        app,
        {"action": "consultation.import", "target": "<script>alert(1)</script>.csv"},
        {"action": "consultation.import", "target": '=HYPERLINK("http://evil.example","x")'},
    )
    answer = staff.get("/audit/")
    body = answer.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    assert any('=HYPERLINK("http://evil.example","x")' in r for r in rows(answer))


def test_filters_by_action_family_user_and_municipality(app, staff):
    with app.app_context():
        alice = make_user(role="staff", email="Alice.Tocho@example.jp").id
        bob = make_user(role="staff", email="bob@example.jp").id
    add_events(
        app,
        {
            "action": "response.submit",
            "user_id": alice,
            "municipality_code": "131016",
            "target": "t1",
        },
        {
            "action": "response.return",
            "user_id": bob,
            "municipality_code": "132012",
            "target": "t2",
        },
        {"action": "round.open", "user_id": alice, "target": "t3"},
        {"action": "auth.login_failed", "target": "t4"},
    )

    def targets(query: str) -> set[str]:
        answer = staff.get(f"/audit/?{query}")
        assert answer.status_code == 200, query
        return set(targets_shown(answer))

    assert targets("action=response.submit") == {"t1"}
    assert targets("action=response.*") == {"t1", "t2"}
    assert targets("user=alice.TOCHO") == {"t1", "t3"}
    assert targets("user=%25") == set(), "a typed % is a character, not a wildcard"
    assert targets("municipality=132012") == {"t2"}
    assert targets("municipality=１３２０１２") == {"t2"}, "全角 digits typed into the address"
    assert targets("action=response.*&user=bob") == {"t2"}
    options = page(staff.get("/audit/")).xpath("//select[@name='action']/option/@value")
    assert {"response.*", "response.submit", "auth.login_failed"} <= set(options)


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("date_from=2021-04-01", True),
        ("date_from=令和3年4月1日", True),
        ("date_from=２０２１－０４－０１&date_to=R3.4.1", True),
        ("date_to=2021-03-31", False),
        ("date_from=2021-04-02", False),
        ("date_from=2021/3/1&date_to=2021/3/31", False),
    ],
)
def test_dates_are_days_in_tokyo(app, staff, query, shown):
    add_events(app, {"action": "round.open", "target": "the-event"})
    answer = staff.get(f"/audit/?{query}")
    assert answer.status_code == 200
    assert ("the-event" in targets_shown(answer)) is shown


@pytest.mark.parametrize(
    ("query", "field", "fragment"),
    [
        ("date_from=2021-02-30", "date_from", "2"),
        ("date_from=きのう", "date_from", ""),
        ("date_from=2021-05-01&date_to=2021-04-01", "date_to", "後の日"),
        ("municipality=999999", "municipality", "999999"),
        # a day without its year: the year to add, with the last such day as the example
        ("date_from=12/1", "date_from", "年も入力してください（例: "),
        ("date_to=１２月１日", "date_to", "-12-01）"),
    ],
)
def test_a_filter_that_cannot_be_read_says_so_and_keeps_what_was_typed(
    app, staff, query, field, fragment
):
    add_events(app, {"action": "round.open", "target": "x"})
    answer = staff.get(f"/audit/?{query}")
    assert answer.status_code == 422
    error = page(answer).xpath(f"//*[@id='{field}-error']")
    assert error, query
    assert fragment in error[0].text_content()
    assert page(answer).xpath("//*[@data-error-summary]")
    if field != "municipality":
        typed = query.split(f"{field}=")[1].split("&")[0]
        assert page(answer).xpath(f"//input[@name='{field}']/@value") == [typed]
    assert not rows(answer)


def test_the_log_is_paged_newest_first_keeping_the_filters(app, staff):
    add_events(
        app,
        *(
            {"action": "round.open", "target": f"n{n:03}", "at": AT + timedelta(minutes=n)}
            for n in range(120)
        ),
        {"action": "round.close", "target": "other"},
    )
    first = staff.get("/audit/?action=round.open")
    assert len(rows(first)) == 50
    assert targets_shown(first)[0] == "n119"
    assert "120件中 1〜50件目" in text_of(first)
    [following] = page(first).xpath("//a[@rel='next']/@href")
    assert "action=round.open" in following
    assert "page=2" in following
    last = staff.get("/audit/?action=round.open&page=3")
    assert targets_shown(last)[-1] == "n000"
    assert len(rows(last)) == 20
    assert not page(last).xpath("//a[@rel='next']")
    assert rows(staff.get("/audit/?action=round.open&page=999")) == rows(last)
    assert rows(staff.get("/audit/?action=round.open&page=abc")) == rows(first)
    # more digits than Python turns into an int (4,300) was a 500: the last page, as for 999
    assert rows(staff.get("/audit/?action=round.open&page=" + "9" * 5000)) == rows(last)


def test_reading_the_log_changes_nothing(app, staff):
    add_events(app, {"action": "round.open", "target": "x"})
    with app.app_context():
        before = db.session.query(AuditEvent).count()
    staff.get("/audit/?action=round.open")
    with app.app_context():
        assert db.session.query(AuditEvent).count() == before


def test_the_page_reads_in_english(app, staff):
    add_events(app, {"action": "auth.login_failed", "target": "x@example.jp"})
    answer = staff.get("/audit/?lang=en")
    text = text_of(answer)
    assert "Audit log" in text
    assert "Failed login" in text


def test_every_message_of_the_audit_page_and_login_has_an_english_translation():
    from pathlib import Path

    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    root = Path(__file__).parents[2]
    with (root / "hub/translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        translated = {m.id for m in read_po(f) if m.id and m.string}
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None}
    sources = [
        ("python", root / "hub/audit/views.py"),
        ("python", root / "hub/account/views.py"),
        ("python", root / "hub/auth/sessions.py"),
        ("jinja2", root / "hub/templates/audit/index.html"),
    ]
    missing = set()
    for method, path in sources:
        for _, message, _, _ in extract_from_file(method, path, keywords=keywords):
            msgid = message if isinstance(message, str) else message[0]
            if msgid not in translated:
                missing.add(msgid)
    assert not missing
