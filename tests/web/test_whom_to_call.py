"""The board shows whom to call at a late municipality: the department and phone from its answers,
else from its respondent's account (issue 14, item 14, in part)."""

from __future__ import annotations

from hub.db import db
from hub.services import responses
from hub.services.users import create_user
from tests.conftest import PASSWORD, make_round, make_user, response_of
from tests.web.conftest import page

CHIYODA, HACHIOJI = "131016", "132012"


def test_the_board_says_whom_to_call(app, web):
    staff = web("staff")
    with app.app_context():
        round_id = make_round().id
        clerk = make_user(role="respondent", municipality=CHIYODA)
        responses.save_draft(
            response_of(round_id, CHIYODA),
            {"contact_department": "保健福祉部　福祉総務課", "contact_phone": "03-3264-2111"},
            version=0,
            user=clerk,
        )
        create_user(
            "hachioji@city.hachioji.tokyo.jp",
            role="respondent",
            password=PASSWORD,
            municipality_code=HACHIOJI,
            organisation="八王子市 福祉部",
            phone="042-626-3111",
        )
        db.session.commit()
    shown = page(staff.get(f"/staff/rounds/{round_id}"))
    chiyoda = shown.xpath(f"//tr[@data-municipality='{CHIYODA}']//*[@data-contact]")[0]
    text = " ".join(chiyoda.text_content().split())
    assert "保健福祉部　福祉総務課" in chiyoda.text_content()
    assert "03-3264-2111" in text
    assert chiyoda.xpath(".//a/@href") == ["tel:03-3264-2111"]
    hachioji = shown.xpath(f"//tr[@data-municipality='{HACHIOJI}']//*[@data-contact]")[0]
    assert "八王子市 福祉部" in hachioji.text_content()
    assert "042-626-3111" in hachioji.text_content()
    assert "アカウントの登録" in hachioji.text_content()
    assert not shown.xpath("//tr[@data-municipality='133086']//*[@data-contact]")
