"""Words that stayed Japanese on English pages: the counterpart's schedule 「停止中（手動のみ）」 and
the municipalities' region and type (区部 / 特別区) on /admin/municipalities."""

from __future__ import annotations

from hub.db import db
from hub.models import Recipient
from tests.web.conftest import page, text_of


def test_the_counterpart_reads_its_schedule_in_english(app, web):
    with app.app_context():
        db.session.get(Recipient, "moj").schedule = "off"
        db.session.commit()
    counterpart = web("counterpart", recipient="moj")
    counterpart.get("/language/en")
    profile = text_of(counterpart.get("/counterpart"))
    assert "Stopped (manual only)" in profile
    assert "停止中" not in profile
    counterpart.get("/language/ja")
    assert "停止中（手動のみ）" in text_of(counterpart.get("/counterpart"))


def test_the_municipality_list_names_region_and_type_in_english(web):
    admin = web("admin")
    admin.get("/language/en")
    row = page(admin.get("/admin/municipalities")).xpath("//tr[@data-municipality='131016']")[0]
    cells = [" ".join(td.text_content().split()) for td in row.xpath("td")]
    assert "Special wards" in cells
    assert "Special ward" in cells
    assert "区部" not in row.text_content()
    assert "特別区" not in row.text_content()
    admin.get("/language/ja")
    row = page(admin.get("/admin/municipalities")).xpath("//tr[@data-municipality='131016']")[0]
    cells = [" ".join(td.text_content().split()) for td in row.xpath("td")]
    assert "区部" in cells
    assert "特別区" in cells
