"""督促メール from the board: staff choose late municipalities, preview the mail the scheduled
reminder sends, then send it through the real SMTP server; audited without personal data
(issue 14, item 14)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from forms.tokyo import format_datetime
from hub.db import db, utcnow
from hub.models import AuditEvent, OutgoingMail, ReminderSent, Response, ResponseState, Round
from hub.services import reminders, responses
from hub.services.mail_queue import ATTEMPTS, send_due
from hub.services.users import create_user
from tests.conftest import PASSWORD, make_round, make_user, response_of
from tests.mailbox import send_queued
from tests.web.conftest import page, text_of

CHIYODA, CHUO, MINATO = "131016", "131024", "131032"
CLERK = "fukushi@city.chiyoda.example.lg.jp"


def late_round(app) -> int:
    """A round whose deadline passed yesterday: 千代田区 has a respondent, 中央区 none, 港区 submitted."""
    with app.app_context():
        round_ = make_round(deadline=utcnow() + timedelta(days=1))
        create_user(
            CLERK,
            role="respondent",
            password=PASSWORD,
            municipality_code=CHIYODA,
            display_name="千代田　花子",
        )
        make_user(role="respondent", municipality=MINATO)
        minato = response_of(round_.id, MINATO)
        minato.state = ResponseState.SUBMITTED
        minato.submitted_at = utcnow()
        round_.opens_at = utcnow() - timedelta(days=10)
        round_.deadline = utcnow() - timedelta(days=1)
        db.session.commit()
        return round_.id


def queued_mails(app) -> list[tuple[str, str]]:
    """The queued mails of every round: (about, municipality code), oldest first."""
    with app.app_context():
        return [
            (m.about, m.municipality_code)
            for m in db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id))
        ]


def board_form(staff, round_id: int):
    shown = page(staff.get(f"/staff/rounds/{round_id}"))
    return shown.xpath("//form[@data-remind]")[0]


def test_only_late_municipalities_can_be_ticked_each_with_a_label(app, web):
    staff = web("staff")
    round_id = late_round(app)
    form = board_form(staff, round_id)
    ticks = form.xpath(".//input[@type='checkbox'][@name='municipality']")
    codes = {t.get("value") for t in ticks}
    assert {CHIYODA, CHUO} <= codes
    assert MINATO not in codes
    for tick in ticks:
        assert form.xpath(f".//label[@for='{tick.get('id')}']")
    assert form.xpath(".//input[@name='csrf_token']")
    assert form.xpath(".//button[@type='submit']")[0].text_content().strip() == "督促メールを送る"


def test_preview_shows_addressees_and_the_scheduled_reminders_text(app, web):
    staff = web("staff")
    round_id = late_round(app)
    staff.get(f"/staff/rounds/{round_id}")
    shown = staff.post(
        f"/staff/rounds/{round_id}/reminders", {"municipality": [CHIYODA, CHUO, MINATO]}
    )
    assert shown.status_code == 200
    doc = page(shown)
    chiyoda = doc.xpath(f"//*[@data-reminder='{CHIYODA}']")[0]
    assert "千代田　花子" in chiyoda.text_content()
    assert CLERK in chiyoda.text_content()
    with app.app_context():
        subject, body = reminders.reminder_message(
            response_of(round_id, CHIYODA), reminders.OVERDUE
        )
    number = chiyoda.xpath(".//*[@data-mail]/@data-mail")[0]
    text = doc.xpath(f"//*[@data-mail-text='{number}']")[0]
    assert text.xpath(".//*[@data-subject]")[0].text_content() == subject
    shown_body = text.xpath(".//*[@data-body]")[0].text_content()
    assert (
        shown_body.replace(reminders.NAME_SLOT, "千代田区").replace(reminders.CODE_SLOT, CHIYODA)
        == body
    )
    assert f"/respond/rounds/{round_id}/{reminders.CODE_SLOT}" in shown_body
    with app.app_context():
        deadline = format_datetime(response_of(round_id, CHIYODA).deadline_for())
    assert f"（締切 {deadline}）" in subject, "the deadline as every page writes it: 令和…（曜日）"
    assert deadline.startswith("令和")
    chuo = doc.xpath(f"//*[@data-reminder='{CHUO}']")[0]
    assert "宛先なし" in chuo.text_content()
    assert not doc.xpath(f"//*[@data-reminder='{MINATO}']")


def test_a_text_many_municipalities_get_is_shown_once_with_each_name_in_its_place(app, web):
    """The preview lists every chosen municipality once and each distinct mail once: the same
    text for all whose state and deadline are the same, another for an extension."""
    round_id = late_round(app)
    others = ["131041", "131059", "131067"]  # 新宿区, 文京区, 台東区: each with a clerk
    with app.app_context():
        for code in others:
            make_user(role="respondent", municipality=code)
        extended = response_of(round_id, others[-1])
        extended.extension_until = utcnow() + timedelta(hours=2)
        db.session.commit()
        expected = {
            code: reminders.reminder_message(response_of(round_id, code), reminders.OVERDUE)
            for code in [CHIYODA, *others[:2]]
        }
    staff = web("staff")
    staff.get(f"/staff/rounds/{round_id}")
    doc = page(staff.post(f"/staff/rounds/{round_id}/reminders",
                          {"municipality": [CHIYODA, CHUO, *others]}))  # fmt: skip
    rows = doc.xpath("//tr[@data-reminder]")
    assert [r.get("data-reminder") for r in rows] == sorted([CHIYODA, CHUO, *others])
    numbers = {r.get("data-reminder"): r.xpath(".//@data-mail") for r in rows}
    assert numbers[CHUO] == [], "no addressee, no mail"
    assert numbers[CHIYODA] == numbers[others[0]] == numbers[others[1]] == ["1"]
    assert numbers[others[2]] == ["2"], "an extension makes another text"
    texts = doc.xpath("//*[@data-mail-text]")
    assert [t.get("data-mail-text") for t in texts] == ["1", "2"]
    body = texts[0].xpath(".//*[@data-body]")[0].text_content()
    with app.app_context():
        for code, (subject, sent) in expected.items():
            name = response_of(round_id, code).municipality.name
            assert (
                body.replace(reminders.NAME_SLOT, name).replace(reminders.CODE_SLOT, code) == sent
            )
            assert texts[0].xpath(".//*[@data-subject]")[0].text_content() == subject


def test_confirming_queues_the_mails_the_scheduler_sends_audited_without_personal_data(
    app, web, smtp
):
    staff = web("staff")
    round_id = late_round(app)
    staff.get(f"/staff/rounds/{round_id}")
    staff.post(f"/staff/rounds/{round_id}/reminders", {"municipality": [CHIYODA, CHUO]})
    done = staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": [CHIYODA, CHUO]})
    assert done.status_code == 302
    assert smtp.messages == [], "the page queues; it never waits for a mail server"
    board = staff.get(done.headers["Location"])
    assert "1団体への督促メールを送信待ちに入れました。1分ほどで送られます。" in text_of(board)
    assert "宛先なしのため1団体には送信していません。" in text_of(board)
    assert page(board).xpath("//*[@data-mail-waiting]")[0].text_content() == (
        "送信待ちのメール: 1通（1分ほどで送られます）"
    )

    sent = send_queued(app)
    assert [(s.municipality_code, s.sent) for s in sent] == [(CHIYODA, True)]
    assert [str(m["To"]) for m in smtp.messages] == [CLERK]
    assert str(smtp.messages[0]["Subject"]).startswith("【提出期限超過】")
    with app.app_context():
        subject, body = reminders.reminder_message(
            response_of(round_id, CHIYODA), reminders.OVERDUE
        )
    assert str(smtp.messages[0]["Subject"]) == subject
    assert smtp.messages[0].get_content() == body
    assert send_queued(app) == [], "sent once"
    assert not page(staff.get(f"/staff/rounds/{round_id}")).xpath("//*[@data-mail-waiting]")
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("reminder.%")).order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.municipality_code) for e in events] == [
            ("reminder.chosen", None),
            ("reminder.send", CHIYODA),
        ]
        assert events[0].user_id is not None, "who chose to remind"
        assert events[0].details == {
            "queued": [CHIYODA],
            "no_address": [CHUO],
            "reminded_today": [],
            "resend": False,
        }
        assert events[1].details == {"recipients": 1}
        written = " ".join(f"{e.target} {e.details}" for e in events)
        for personal in (CLERK, "花子", "提出"):
            assert personal not in written


def test_no_selection_keeps_the_board_with_a_clear_error(app, web, smtp):
    staff = web("staff")
    round_id = late_round(app)
    staff.get(f"/staff/rounds/{round_id}?overdue=1")
    shown = staff.post(f"/staff/rounds/{round_id}/reminders", {})
    assert shown.status_code == 422
    assert "督促メールを送る区市町村を選んでください。" in text_of(shown)
    assert page(shown).xpath("//form[@data-remind]")
    refused = staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": MINATO})
    assert refused.status_code == 422
    assert "督促の対象ではありません" in text_of(refused)
    assert page(refused).xpath(f"//input[@name='municipality'][@value='{CHIYODA}']")
    assert queued_mails(app) == []
    assert send_queued(app) == []
    assert smtp.messages == []


def test_without_csrf_nothing_is_queued(app, web, smtp):
    staff = web("staff")
    round_id = late_round(app)
    answer = staff.post(
        f"/staff/rounds/{round_id}/reminders/send", {"municipality": CHIYODA}, csrf=False
    )
    assert answer.status_code == 400
    assert queued_mails(app) == []


def test_others_may_not_remind(app, web, smtp):
    round_id = late_round(app)
    with app.app_context():
        assert db.session.get(Round, round_id) is not None
    for role, kwargs in (("respondent", {"municipality": CHIYODA}), ("admin", {})):
        other = web(role, **kwargs)
        other.get("/")
        for url in (
            f"/staff/rounds/{round_id}/reminders",
            f"/staff/rounds/{round_id}/reminders/send",
        ):
            assert other.post(url, {"municipality": CHIYODA}).status_code in (403, 404)
        assert not page(other.get(f"/staff/rounds/{round_id}")).xpath("//form[@data-remind]")
    assert queued_mails(app) == []


def test_a_send_without_a_mail_server_queues_nothing_and_says_why(app, web):
    staff = web("staff")
    round_id = late_round(app)
    staff.get(f"/staff/rounds/{round_id}")
    done = staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": CHIYODA})
    assert done.status_code == 302
    board = text_of(staff.get(done.headers["Location"]))
    assert "メールサーバー（HUB_SMTP_URL）が設定されていないため送信できません。" in board
    assert "送信待ちに入れました" not in board
    assert queued_mails(app) == []
    with app.app_context():
        assert reminders.last_reminded(db.session.get_one(Round, round_id)) == {}


CHUO_CLERK = "kikaku@city.chuo.example.lg.jp"


def with_chuo_clerk(app, round_id: int) -> int:
    with app.app_context():
        create_user(CHUO_CLERK, role="respondent", password=PASSWORD, municipality_code=CHUO)
        db.session.commit()
    return round_id


def test_every_late_municipality_is_queued_at_once_and_sent_over_one_connection(app, web, smtp):
    """What took several presses while the page sent (20 seconds a press), one press queues:
    every late municipality of the round, whatever their number."""
    staff = web("staff")
    round_id = with_chuo_clerk(app, late_round(app))
    with app.app_context():
        late = reminders.late_codes(db.session.get_one(Round, round_id), utcnow())
        for number, code in enumerate(sorted(late - {CHIYODA, CHUO})):
            make_user(role="respondent", municipality=code, email=f"clerk{number}@example.lg.jp")
        db.session.commit()
    staff.get(f"/staff/rounds/{round_id}")
    preview = staff.post(f"/staff/rounds/{round_id}/reminders", {"all_late": "1"})
    ticked = [i.get("value") for i in page(preview).xpath("//input[@name='municipality']")]
    assert len(ticked) == len(late) > 50
    done = staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": ticked})
    assert f"{len(late)}団体への督促メールを送信待ちに入れました。" in text_of(
        staff.get(done.headers["Location"])
    )
    assert smtp.messages == []
    send_queued(app)
    assert len(smtp.messages) == len(late)
    assert sorted(str(m["To"]) for m in smtp.to(CHUO_CLERK)) == [CHUO_CLERK]
    assert len(smtp.connections) == 1


def test_a_mail_server_that_cannot_be_reached_keeps_the_reminders_waiting(app, web, smtp):
    """A server that takes the connection and closes it: the queue stops at the first failure
    (it does not wait on the server once per municipality), and the reminders go at the next run
    once the server is back."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[int] = []

    def hang_up() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            accepted.append(1)
            connection.close()

    threading.Thread(target=hang_up, daemon=True).start()
    settings = app.extensions["hub_settings"]
    staff = web("staff")
    round_id = with_chuo_clerk(app, late_round(app))
    staff.get(f"/staff/rounds/{round_id}")
    staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": [CHIYODA, CHUO]})
    url = f"smtp://127.0.0.1:{listener.getsockname()[1]}"
    app.extensions["hub_settings"] = settings.with_(smtp_url=url)
    try:
        tried = send_queued(app)
    finally:
        app.extensions["hub_settings"] = settings
        listener.close()
    assert [s.sent for s in tried] == [False]
    assert len(accepted) == 1
    board = page(staff.get(f"/staff/rounds/{round_id}"))
    assert "送信待ちのメール: 2通" in board.xpath("//*[@data-mail-waiting]")[0].text_content()
    assert not board.xpath("//*[@data-mail-given-up]")

    with app.app_context():  # the next run, a minute later, with the server back
        sent = send_due(utcnow() + timedelta(minutes=1))
    assert [s.sent for s in sent] == [True, True]
    assert sorted(str(m["To"]) for m in smtp.messages) == sorted([CLERK, CHUO_CLERK])


def test_without_a_mail_server_the_preview_says_so_and_offers_no_send(app, web):
    staff = web("staff")
    round_id = late_round(app)
    staff.get(f"/staff/rounds/{round_id}")
    shown = staff.post(f"/staff/rounds/{round_id}/reminders", {"municipality": CHIYODA})
    assert "HUB_SMTP_URL" in text_of(shown)
    assert not page(shown).xpath("//button[normalize-space()='送信する']")


# --- everyone late in one step, never twice the same day by accident (issue 14, item 14) -------

SHINJUKU = "131041"


def preview_codes(answer) -> set[str]:
    return {s.get("data-reminder") for s in page(answer).xpath("//*[@data-reminder]")}


def test_select_all_late_previews_exactly_the_late_municipalities(app, web):
    staff = web("staff")
    round_id = late_round(app)
    with app.app_context():
        shinjuku = response_of(round_id, SHINJUKU)
        shinjuku.state = ResponseState.ACCEPTED
        shinjuku.submitted_at = utcnow()
        db.session.commit()
        pending = {
            r.municipality_code
            for r in db.session.scalars(select(Response).where(Response.round_id == round_id))
            if r.state in (ResponseState.NOT_STARTED, ResponseState.DRAFT)
        }
    form = board_form(staff, round_id)
    button = form.xpath(".//button[@data-all-late]")[0]
    assert button.text_content().strip() == "遅れている団体をすべて選んで確認へ"
    assert (button.get("name"), button.get("value"), button.get("type")) == (
        "all_late",
        "1",
        "submit",
    )
    # The server decides: what was ticked (or tampered with) does not matter.
    shown = staff.post(
        f"/staff/rounds/{round_id}/reminders", {"all_late": "1", "municipality": [MINATO]}
    )
    assert shown.status_code == 200
    codes = preview_codes(shown)
    assert codes == pending
    assert {CHIYODA, CHUO} <= codes
    assert MINATO not in codes
    assert SHINJUKU not in codes
    sending = page(shown).xpath("//form[contains(@action, '/reminders/send')]")[0]
    assert {i.get("value") for i in sending.xpath(".//input[@name='municipality']")} == pending


def test_select_all_late_with_nobody_late_says_so(app, web):
    staff = web("staff")
    with app.app_context():
        round_id = make_round(deadline=utcnow() + timedelta(days=30)).id
    staff.get(f"/staff/rounds/{round_id}")
    shown = staff.post(f"/staff/rounds/{round_id}/reminders", {"all_late": "1"})
    assert shown.status_code == 422
    assert "督促の対象となる区市町村はありません" in text_of(shown)


def test_a_second_send_the_same_day_needs_the_explicit_choice(app, web, smtp):
    staff = web("staff")
    round_id = late_round(app)
    staff.get(f"/staff/rounds/{round_id}")
    first = staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": CHIYODA})
    assert first.status_code == 302
    assert len(queued_mails(app)) == 1

    # Queued a moment ago and not yet sent: it counts as reminded today.
    preview = staff.post(f"/staff/rounds/{round_id}/reminders", {"municipality": CHIYODA})
    chiyoda = page(preview).xpath(f"//*[@data-reminder='{CHIYODA}']")[0]
    assert chiyoda.xpath(".//*[@data-reminded-today]")
    assert "本日督促済み" in chiyoda.text_content()
    # Nobody chosen is due a first reminder today: no 「送信する」 that would send nothing, and
    # the one button there is says what it does.
    shown = page(preview)
    assert "選んだ団体はどれも本日すでに督促しています。" in text_of(preview)
    assert "次の0団体" not in text_of(preview)
    assert [b.text_content() for b in shown.xpath("//main//form//button")] == [
        "本日送信済みの団体に再送する（1団体）"
    ]
    assert shown.xpath("//form//input[@name='resend']/@type") == ["hidden"]

    send_queued(app)
    again = staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": CHIYODA})
    assert again.status_code == 302
    board = text_of(staff.get(again.headers["Location"]))
    assert "本日すでに督促した1団体には送信していません。" in board
    assert "送信待ちに入れました" not in board
    assert send_queued(app) == []

    chosen = staff.post(
        f"/staff/rounds/{round_id}/reminders/send", {"municipality": CHIYODA, "resend": "1"}
    )
    assert chosen.status_code == 302
    assert "1団体への督促メールを送信待ちに入れました。" in text_of(
        staff.get(chosen.headers["Location"])
    )
    send_queued(app)
    assert [str(m["To"]) for m in smtp.messages] == [CLERK, CLERK]
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "reminder.chosen").order_by(AuditEvent.id)
        ).all()
        assert [(e.details["queued"], e.details["reminded_today"]) for e in events] == [
            ([CHIYODA], []),
            ([], [CHIYODA]),
            ([CHIYODA], []),
        ]


def test_a_reminder_to_a_municipality_that_submitted_meanwhile_is_not_sent(app, web, smtp):
    """「まだ提出されていません」 must not arrive after the answer did: a 督促 still queued when
    the municipality submits is dropped, and the board waits for nothing."""
    from tests.conftest import complete_answers

    staff = web("staff")
    round_id = late_round(app)
    staff.get(f"/staff/rounds/{round_id}")
    staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": CHIYODA})
    with app.app_context():
        late = response_of(round_id, CHIYODA)
        late.extension_until = utcnow() + timedelta(days=1)  # staff let it submit late
        db.session.flush()
        responses.submit(late, raw_answers=complete_answers(), user=None)
        db.session.commit()
    [dropped] = send_queued(app)
    assert dropped.dropped
    assert smtp.messages == []
    assert queued_mails(app) == []
    assert not page(staff.get(f"/staff/rounds/{round_id}")).xpath("//*[@data-mail-waiting]")


def test_a_reminder_given_up_does_not_count_as_reminded(app, web, smtp):
    """A mail the queue gave up on reached nobody: the next send does not leave it out."""
    staff = web("staff")
    round_id = late_round(app)
    staff.get(f"/staff/rounds/{round_id}")
    staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": CHIYODA})
    with app.app_context():
        mail = db.session.scalars(select(OutgoingMail)).one()
        mail.given_up_at = utcnow()
        db.session.commit()
        assert reminders.last_reminded(db.session.get_one(Round, round_id)) == {}
    again = staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": CHIYODA})
    assert "1団体への督促メールを送信待ちに入れました。" in text_of(
        staff.get(again.headers["Location"])
    )


def test_a_reminder_staff_sent_before_the_queue_still_counts(app, web, smtp):
    """An upgrade keeps the same-day rule: the audited sends of the board's old direct 督促."""
    from hub.services import audit

    staff = web("staff")
    round_id = late_round(app)
    with app.app_context():
        audit.record(
            reminders.MANUAL_SEND,
            user=None,
            target=f"round/{round_id}",
            municipality_code=CHIYODA,
            kind="overdue",
            recipients=1,
        )
        db.session.commit()
    staff.get(f"/staff/rounds/{round_id}")
    done = staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": CHIYODA})
    assert "本日すでに督促した1団体には送信していません。" in text_of(
        staff.get(done.headers["Location"])
    )
    assert queued_mails(app) == []


def scheduler_reminded(
    round_id: int,
    code: str,
    when: datetime,
    *,
    kind: str = reminders.OVERDUE,
    recipients: list[str] | None = None,
) -> None:
    """A reminder the scheduler sent (its ``reminder_sent`` row), added to the session."""
    db.session.add(
        ReminderSent(
            round_id=round_id,
            municipality_code=code,
            kind=kind,
            sent_at=when,
            recipients=recipients or [],
        )
    )


def test_an_automatic_reminder_today_counts_and_one_yesterday_does_not(app, web, smtp):
    staff = web("staff")
    round_id = late_round(app)
    with app.app_context():
        scheduler_reminded(round_id, CHIYODA, utcnow(), recipients=[CLERK])
        scheduler_reminded(round_id, CHUO, utcnow() - timedelta(days=1))
        make_user(role="respondent", municipality=CHUO, email="kusei@city.chuo.example.lg.jp")
        db.session.commit()
    staff.get(f"/staff/rounds/{round_id}")
    done = staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": [CHIYODA, CHUO]})
    assert done.status_code == 302
    send_queued(app)
    assert [str(m["To"]) for m in smtp.messages] == ["kusei@city.chuo.example.lg.jp"]


def test_the_board_shows_when_each_municipality_was_last_reminded(app, web, smtp):
    staff = web("staff")
    round_id = late_round(app)
    yesterday = utcnow() - timedelta(days=1)
    with app.app_context():
        scheduler_reminded(round_id, CHUO, yesterday, kind=reminders.DUE_SOON)
        db.session.commit()
    staff.get(f"/staff/rounds/{round_id}")
    staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": CHIYODA})
    send_queued(app)
    board = page(staff.get(f"/staff/rounds/{round_id}"))

    def shown(code: str) -> list[str]:
        row = board.xpath(f"//tr[@data-municipality='{code}']")[0]
        return [e.text_content() for e in row.xpath(".//*[@data-last-reminded]")]

    assert shown(CHIYODA) == [f"最終督促 {format_datetime(utcnow(), clock=False)}"]
    assert shown(CHUO) == [f"最終督促 {format_datetime(yesterday, clock=False)}"]
    assert shown(MINATO) == []
    assert shown(CHIYODA)[0].startswith("最終督促 令和")


def test_others_may_not_choose_all_late_or_resend(app, web, smtp):
    round_id = late_round(app)
    for role, kwargs in (
        ("respondent", {"municipality": CHIYODA}),
        ("admin", {}),
        ("counterpart", {"recipient": "moj"}),
    ):
        other = web(role, **kwargs)
        other.get("/")
        assert other.post(f"/staff/rounds/{round_id}/reminders", {"all_late": "1"}).status_code in (
            403,
            404,
        )
        assert other.post(
            f"/staff/rounds/{round_id}/reminders/send",
            {"municipality": CHIYODA, "resend": "1"},
        ).status_code in (403, 404)
    outsider = web()
    answer = outsider.client.post(f"/staff/rounds/{round_id}/reminders", data={"all_late": "1"})
    assert answer.status_code in (302, 400, 401, 403, 404)
    assert smtp.messages == []


def test_two_sends_at_the_same_moment_remind_once(app, web, smtp):
    """A double click on 送信する, or two staff members at once: the second send waits for the
    first and then finds the municipality reminded today (PostgreSQL's row lock)."""
    import threading

    if db.engine is None or db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs embedded in one process")
    round_id = late_round(app)
    clients = [web("staff"), web("staff")]
    for client in clients:
        client.get(f"/staff/rounds/{round_id}")
    start = threading.Barrier(2)
    codes: list[int] = []

    def send(client) -> None:
        start.wait()
        answer = client.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": CHIYODA})
        codes.append(answer.status_code)

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == [302, 302]
    assert len(queued_mails(app)) == 1
    send_queued(app)
    assert [str(m["To"]) for m in smtp.messages] == [CLERK]


def test_a_send_in_progress_holds_up_another_send_but_not_the_scheduler(app):
    """The send's lock (``FOR NO KEY UPDATE`` on the round) makes a second send wait, while the
    scheduler's reminder rows — which only name the round, a foreign-key check's ``KEY SHARE``
    lock — are written at once even if the mail server is slow."""
    from sqlalchemy import create_engine, insert
    from sqlalchemy.exc import OperationalError

    if db.engine is None or db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs embedded in one process")
    round_id = late_round(app)
    other = create_engine(db.engine.url)
    try:
        with app.app_context():
            reminders.hold_sending(db.session.get_one(Round, round_id))  # a send in progress
            with other.begin() as connection:
                connection.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
                connection.execute(
                    insert(ReminderSent).values(
                        round_id=round_id, municipality_code=CHIYODA, kind="after", recipients=[]
                    )
                )
            with other.connect() as connection:
                connection.exec_driver_sql("SET lock_timeout = '200ms'")
                another_send = select(Round.id).where(Round.id == round_id)
                with pytest.raises(OperationalError, match="lock"):
                    connection.execute(another_send.with_for_update(key_share=True))
                connection.rollback()
            db.session.rollback()
    finally:
        other.dispose()


def test_a_refused_address_is_named_on_the_board_and_not_in_the_log(app, web, caplog):
    """A relay refusing the clerk's address: once the queue has given the reminder up, staff
    read which address on the board; the log does not name it."""
    import logging

    from tests.deliveries.test_mail_session import Relay
    from tests.mailbox import start_server

    relay = Relay(refuse_to=CLERK)
    with start_server(relay) as url, caplog.at_level(logging.DEBUG):
        settings = app.extensions["hub_settings"]
        app.extensions["hub_settings"] = settings.with_(smtp_url=url)
        try:
            staff = web("staff")
            round_id = late_round(app)
            staff.get(f"/staff/rounds/{round_id}")
            staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": CHIYODA})
            for hours in range(ATTEMPTS):  # each pause (at most 64 minutes) waited out
                with app.app_context():
                    send_due(utcnow() + timedelta(hours=2 * hours))
            board = page(staff.get(f"/staff/rounds/{round_id}"))
        finally:
            app.extensions["hub_settings"] = settings
    given_up = board.xpath("//*[@data-mail-given-up]")[0].text_content()
    assert "督促・差し戻し・提出期限の変更" in given_up
    assert (
        "千代田区（メールサーバーが宛先1件を受け付けませんでした: 550 5.1.1 no such user）"
        in given_up
    )
    assert CLERK not in given_up, "the board names municipalities; the response's page, addresses"
    hub_log = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("hub"))
    assert "reminder.send" in hub_log
    assert "宛先1件が受け付けられませんでした" in hub_log
    assert CLERK not in hub_log  # (the test's own mail server, aiosmtpd, logs it: not the hub)
    with app.app_context():  # given up: 千代田区 may be chased again without 再送
        assert reminders.last_reminded(db.session.get_one(Round, round_id)) == {}


@pytest.mark.usefixtures("office_clock")  # the scheduler's reminders: an office morning
def test_a_municipality_retired_while_the_round_is_open_is_marked_and_not_chased(app, web, smtp):
    """Retired on a day that has passed: its response stays on the board, marked, but neither
    staff's 督促 nor the scheduled reminders go to it. Retired on a day still to come: chased."""
    from datetime import date

    from forms import tokyo
    from forms.normalize import to_wareki
    from hub.services import municipalities
    from hub.services.reminders import queue_reminders

    staff = web("staff")
    round_id = late_round(app)
    with app.app_context():
        municipalities.set_active([CHIYODA], active=False, user=None, on=date(2025, 4, 1))
        future = tokyo.today() + timedelta(days=30)
        municipalities.set_active([CHUO], active=False, user=None, on=future)
        make_user(role="respondent", municipality=CHUO)
        db.session.commit()
    shown = page(staff.get(f"/staff/rounds/{round_id}"))
    gone = shown.xpath(f"//a[contains(@href, '/{CHIYODA}')]/following-sibling::*[@data-gone]")
    assert [g.text_content() for g in gone] == ["廃止（令和7年4月1日）"]
    leaving = shown.xpath(f"//a[contains(@href, '/{CHUO}')]/following-sibling::*[@data-leaving]")
    assert [g.text_content() for g in leaving] == [f"廃止予定（{to_wareki(future)}）"]
    ticks = {
        t.get("value") for t in board_form(staff, round_id).xpath(".//input[@name='municipality']")
    }
    assert CHIYODA not in ticks
    assert CHUO in ticks, "it exists until its day"
    everyone = staff.post(f"/staff/rounds/{round_id}/reminders", {"all_late": "1"})
    assert CHIYODA not in preview_codes(everyone)
    with app.app_context():
        queue_reminders(now=utcnow())
        db.session.commit()
    with app.app_context():
        reminded = set(db.session.scalars(select(ReminderSent.municipality_code)))
    assert CHIYODA not in reminded
    assert CHUO in reminded


# --- 督促 without the board: the API and the command line ------------------------------------


def test_the_api_queues_the_reminders_of_every_late_municipality_or_those_named(app, api_as, smtp):
    round_id = with_chuo_clerk(app, late_round(app))
    staff = api_as("staff")
    clerk = api_as("respondent", municipality=CHIYODA)
    assert clerk.post(f"/rounds/{round_id}/reminders", {}).status_code == 403
    named = staff.post(f"/rounds/{round_id}/reminders", {"municipalities": [CHIYODA, MINATO]})
    assert named.status_code == 200, named.get_json()
    assert named.get_json() == {"queued": [CHIYODA], "no_address": [], "reminded_today": []}
    everyone = staff.post(f"/rounds/{round_id}/reminders", {})
    body = everyone.get_json()
    assert body["reminded_today"] == [CHIYODA]
    assert CHUO in body["queued"]
    assert MINATO not in body["queued"] + body["no_address"], "submitted: not late"
    nobody = staff.post(f"/rounds/{round_id}/reminders", {"municipalities": [MINATO]})
    assert nobody.status_code == 422
    assert "督促の対象ではありません" in nobody.get_json()["errors"]["municipalities"][0]
    send_queued(app)
    assert len(smtp.to(CLERK)) == 1
    assert len(smtp.to(CHUO_CLERK)) == 1


def test_the_api_without_a_mail_server_queues_nothing(app, api_as):
    round_id = late_round(app)
    refused = api_as("staff").post(f"/rounds/{round_id}/reminders", {})
    assert refused.status_code == 409
    assert "HUB_SMTP_URL" in refused.get_json()["message"]
    assert queued_mails(app) == []


def test_hub_round_remind_queues_as_the_board_does(app, runner, smtp):
    round_id = late_round(app)
    done = runner("round", "remind", str(round_id), "--municipality", CHIYODA)
    assert done.exit_code == 0, done.output
    assert "送信待ちに入れた督促: 1、アカウントのない団体: 0、今日督促済みの団体: 0" in done.output
    again = runner("round", "remind", str(round_id))
    assert "今日督促済みの団体: 1" in again.output
    assert queued_mails(app) == [("reminder.send", CHIYODA)]
    nobody = runner("round", "remind", str(round_id), "--municipality", MINATO)
    assert nobody.exit_code == 1
    assert "督促の対象ではありません" in nobody.output


def test_the_preview_shows_the_english_part_as_it_goes_when_a_respondent_reads_english(
    app, web, smtp
):
    """A respondent of 千代田区 chose English: the preview shows the mail as it goes, the English
    after the Japanese, each part ending with its closing lines, the English one in English."""
    from hub.models import Municipality
    from hub.services.mails import ENGLISH_AFTER
    from tests.mailbox import english_catalog

    staff = web("staff")
    round_id = late_round(app)
    with app.app_context():
        reader = make_user(role="respondent", municipality=CHIYODA, email="english@example.jp")
        reader.locale = "en"
        db.session.commit()
        english_name = db.session.get_one(Municipality, CHIYODA).name_for(english=True)
    staff.get(f"/staff/rounds/{round_id}")
    doc = page(staff.post(f"/staff/rounds/{round_id}/reminders", {"municipality": [CHIYODA]}))
    subject = doc.xpath("//*[@data-subject]")[0].text_content()
    shown = doc.xpath("//*[@data-body]")[0].text_content()
    assert " / " in subject
    japanese, english = shown.split(ENGLISH_AFTER)
    in_english = english_catalog().gettext
    assert japanese.rstrip().endswith("東京都 再犯防止 連携調査ハブ")
    assert english.rstrip().endswith(in_english("東京都 再犯防止 連携調査ハブ"))
    assert in_english("このメールはシステムから自動送信されています。") in english
    assert "このメール" not in english
    assert "東京都" not in english

    staff.post(f"/staff/rounds/{round_id}/reminders/send", {"municipality": [CHIYODA]})
    send_queued(app)
    [mail] = [m for m in smtp.messages if "english@example.jp" in str(m["To"])]
    assert str(mail["Subject"]) == subject
    sent = mail.get_content()
    for name in ("千代田区", english_name):
        sent = sent.replace(name, reminders.NAME_SLOT)
    assert sent.replace(CHIYODA, reminders.CODE_SLOT) == shown, "the preview is what goes"
