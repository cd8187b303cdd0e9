"""A new round's draft carries the last accepted answers, the contact person's among them, and
people change every April: each field whose answer was carried and not yet saved says so beside
it (tied to it by aria-describedby), and the confirmation lists the personal fields — 回答部署,
回答者氏名, 電話番号, メールアドレス, those the definition marks ``personal`` — still as carried,
to be checked before submitting."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from hub.db import db
from hub.models import Round
from hub.services import responses
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.web.conftest import page, text_of
from tests.web.test_questionnaire import CHIYODA, fill, form_url

OLD_TITLE = "区市町村における再犯防止等の推進に向けた取組状況調査（令和2年4月1日現在）"
NOTE = f"前回（{OLD_TITLE}）の回答です。変わっていないか確認してください。"


def carried_round(app) -> int:
    with app.app_context():
        old = make_round(reference_date=date(2020, 4, 1))
        response = response_of(old.id, CHIYODA)
        responses.submit(
            response,
            raw_answers=complete_answers(
                contact_department="福祉部", contact_name="前任　太郎", comments="昨年の自由記述"
            ),
            user=None,
        )
        responses.accept(response, user=make_user(role="staff"))
        db.session.commit()
        return make_round(reference_date=date(2021, 4, 1)).id


def test_each_carried_field_says_so_until_the_draft_is_saved(web, app):
    respondent = web("respondent", municipality=CHIYODA)
    round_id = carried_round(app)
    doc = page(respondent.get(form_url(round_id)))
    for name in ("contact_name", "contact_phone", "comments", "plan_status"):
        [note] = doc.xpath(f"//*[@id='field-{name}']//*[@data-carried]")
        assert " ".join(note.text_content().split()) == NOTE, name
        described = doc.xpath(
            f"//*[@id='field-{name}']//*[@aria-describedby][contains(@aria-describedby, "
            f"'{name}-carried')]"
        )
        assert described, f"{name}: the note is tied to its field"
    # a question with no answer carried has no note
    assert not doc.xpath("//*[@id='field-plan_name']//*[@data-carried]")

    assert fill(respondent, form_url(round_id), {"comments": "今年の自由記述"}).status_code == 302
    assert not page(respondent.get(form_url(round_id))).xpath("//*[@data-carried]"), (
        "saved by the respondent: no longer only carried"
    )


def test_the_confirmation_lists_the_contact_fields_still_as_carried(web, app):
    respondent = web("respondent", municipality=CHIYODA)
    round_id = carried_round(app)
    url = form_url(round_id)
    to_confirm = fill(respondent, url, {"contact_phone": "03-1111-2222"}, action="submit")
    assert to_confirm.status_code == 302
    confirm = respondent.get(to_confirm.headers["Location"])
    doc = page(confirm)
    [listed] = doc.xpath("//*[@data-carried-personal]")
    links = {a.get("href").rsplit("#", 1)[1]: a.text_content() for a in listed.xpath(".//a")}
    assert links == {
        "field-contact_department": "回答部署",
        "field-contact_name": "回答者氏名",
        "field-contact_email": "メールアドレス",
    }, "the phone changed; 自由記述 is no personal field"
    assert "前任　太郎" in listed.text_content()
    assert OLD_TITLE in listed.text_content()

    # changed them all: nothing left to check
    fill(
        respondent,
        url,
        {
            "contact_department": "福祉課",
            "contact_name": "後任　花子",
            "contact_email": "hanako@example.jp",
        },
        action="submit",
    )
    assert not page(respondent.get(f"{url}/confirm")).xpath("//*[@data-carried-personal]")
    assert "前回の回答のままの連絡先" not in text_of(respondent.get(f"{url}/confirm"))


def test_in_english_the_note_marks_a_typed_japanese_round_title_as_japanese(web, app):
    """On an English page a round title staff typed in Japanese, inside each note, is read with
    a Japanese voice (lang="ja", WCAG 3.1.2); the sentence around it is English."""
    respondent = web("respondent", municipality=CHIYODA)
    round_id = carried_round(app)
    typed = "令和2年度 取組状況調査"
    with app.app_context():
        old = db.session.scalars(
            select(Round).where(Round.reference_date == date(2020, 4, 1))
        ).one()
        old.title = typed
        db.session.commit()
    respondent.get("/language/en")
    doc = page(respondent.get(form_url(round_id)))
    [note] = doc.xpath("//*[@id='field-contact_name']//*[@data-carried]")
    [title] = note.xpath(".//*[@lang='ja']")
    assert title.text_content() == typed
    assert " ".join(note.text_content().split()).startswith("Carried over from the last answer")
