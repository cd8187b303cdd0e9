"""The English UI names municipalities and regions in English (issue 14, item 11): the reference
CSV's ``name_en`` (Chiyoda) instead of 千代田区 on the respondent's and staff's pages."""

from __future__ import annotations

from tests.conftest import make_round
from tests.web.conftest import page, text_of

CHIYODA = "131016"


def test_the_respondent_reads_their_municipality_in_english(app, web):
    clerk = web("respondent", municipality=CHIYODA)
    with app.app_context():
        round_id = make_round().id
    clerk.get("/language/en")
    home = text_of(clerk.get("/respond/"))
    assert "Chiyoda" in home
    assert "千代田区" not in home
    form = text_of(clerk.get(f"/respond/rounds/{round_id}/{CHIYODA}"))
    assert "Chiyoda" in form
    assert "千代田区" not in form
    clerk.get("/language/ja")
    assert "千代田区" in text_of(clerk.get("/respond/"))


def test_the_board_names_municipalities_and_regions_in_english(app, web):
    staff = web("staff")
    with app.app_context():
        round_id = make_round().id
    staff.get("/language/en")
    shown = staff.get(f"/staff/rounds/{round_id}")
    row = page(shown).xpath(f"//tr[@data-municipality='{CHIYODA}']")[0]
    assert "Chiyoda" in row.text_content()
    assert "千代田区" not in row.text_content()
    assert "区部" not in row.text_content()
    assert "八王子市" not in text_of(shown)
