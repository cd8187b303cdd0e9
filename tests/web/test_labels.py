"""One wording per response state and per region, wherever people read it: the pages (Japanese
and English), the workbook and the reminder e-mails all take it from the table next to the enum."""

from __future__ import annotations

from datetime import timedelta

from exports.tables import STATE_LABELS
from hub.db import db, utcnow
from hub.models import Region, ResponseState
from hub.models.municipality import REGION_LABELS
from hub.models.survey import (
    RESPONSE_STATE_LABELS,
    RETURNED_LABEL,
    SHOWN_STATE_LABELS,
    SHOWN_STATES,
)
from hub.services import responses
from hub.services.reminders import DUE_SOON, reminder_message
from tests.conftest import make_round, response_of
from tests.web.conftest import page

CHIYODA, HACHIOJI, OKUTAMA = "131016", "132012", "133086"
DRAFT = "一時保存（未提出）"


def test_every_state_and_region_has_one_label_in_both_languages():
    assert set(RESPONSE_STATE_LABELS) == set(ResponseState)
    assert set(REGION_LABELS) == set(Region)
    assert RESPONSE_STATE_LABELS[ResponseState.DRAFT].ja == DRAFT
    for label in [*RESPONSE_STATE_LABELS.values(), *REGION_LABELS.values(), RETURNED_LABEL]:
        assert label.ja
        assert label.en
        assert label.ja != label.en
    assert [REGION_LABELS[r].ja for r in Region] == [r.value for r in Region]


def test_the_workbook_and_the_reminders_use_the_same_wording(app):
    assert {s: SHOWN_STATE_LABELS[s].ja for s in SHOWN_STATES} == STATE_LABELS
    assert STATE_LABELS["returned"] == RETURNED_LABEL.ja
    with app.app_context():
        round_id = make_round(deadline=utcnow() + timedelta(days=1)).id
        draft = response_of(round_id, CHIYODA)
        responses.save_draft(draft, {"contact_name": "都庁　太郎"}, version=0, user=None)
        db.session.commit()
        _, body = reminder_message(draft, DUE_SOON)
        assert f"現在の状態: {DRAFT}" in body
        _, untouched = reminder_message(response_of(round_id, HACHIOJI), DUE_SOON)
        assert "現在の状態: 未着手" in untouched


def _board(web, app, lang: str | None = None):
    with app.app_context():
        round_id = make_round().id
        draft = response_of(round_id, OKUTAMA)
        responses.save_draft(draft, {"plan_name": '=HYPERLINK("x")'}, version=0, user=None)
        db.session.commit()
    staff = web("staff")
    if lang:
        staff.get(f"/language/{lang}")
    return page(staff.get(f"/staff/rounds/{round_id}")), round_id


def test_the_board_names_states_and_regions_from_the_tables(web, app):
    doc, _ = _board(web, app)
    heads = [th.text_content() for th in doc.xpath("//table[contains(@class,'table--counts')]//th")]
    assert [SHOWN_STATE_LABELS[s].ja for s in SHOWN_STATES] == heads[1:6]
    assert heads[1:4] == ["未着手", DRAFT, RETURNED_LABEL.ja]
    assert [REGION_LABELS[r].ja for r in Region] == heads[7:10]
    okutama = doc.xpath(f"//tr[@data-municipality='{OKUTAMA}']")[0].text_content()
    assert DRAFT in okutama
    assert "町村部" in okutama
    options = doc.xpath("//select[@name='state']/option/text()")
    assert DRAFT in options
    assert "差し戻し" in options


def test_the_english_board_uses_the_english_labels(web, app):
    doc, _ = _board(web, app, "en")
    okutama = doc.xpath(f"//tr[@data-municipality='{OKUTAMA}']")[0].text_content()
    assert RESPONSE_STATE_LABELS[ResponseState.DRAFT].en in okutama
    assert "Towns and villages" in okutama
    options = doc.xpath("//select[@name='region']/option/text()")
    assert options[1:] == [REGION_LABELS[r].en for r in Region]
    assert RETURNED_LABEL.en in doc.xpath("//select[@name='state']/option/text()")


def test_a_respondent_sees_the_same_draft_wording(web, app):
    with app.app_context():
        round_id = make_round().id
        responses.save_draft(
            response_of(round_id, CHIYODA), {"contact_name": "x"}, version=0, user=None
        )
        db.session.commit()
    respondent = web("respondent", municipality=CHIYODA)
    for url in (f"/respond/rounds/{round_id}/{CHIYODA}", "/respond/"):
        state = page(respondent.get(url)).xpath("//span[@class='state state--draft']")
        assert state[0].text_content() == DRAFT, url
