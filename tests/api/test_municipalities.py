"""``GET /api/v1/municipalities``: the reference list by code, active by default, retired ones on
request; any token may read it; a bad ``status`` is a 422 naming it."""

from __future__ import annotations

from datetime import date

from hub.db import db
from hub.models import Municipality
from hub.services import municipalities

CHIYODA = "131016"


def test_every_role_reads_the_active_list_by_code(app, api_as) -> None:
    for api in (
        api_as("staff"),
        api_as("respondent", municipality=CHIYODA),
        api_as("counterpart", recipient="moj"),
        api_as("window", municipality=CHIYODA),
        api_as("admin"),
    ):
        got = api.get("/municipalities")
        assert got.status_code == 200
        assert len(got.json) == 62
    first = got.json[0]
    assert first == {"code": CHIYODA, "name": "千代田区", "kana": first["kana"],
                     "name_en": "Chiyoda", "region": "区部", "type": "特別区", "active": True,
                     "retired_on": None}  # fmt: skip


def test_retired_ones_on_request(app, api_as) -> None:
    """Retired on a day gone by: only on request. Retired on a day still to come: it exists until
    then, so it is listed by default, with its day."""
    with app.app_context():
        municipalities.set_active([CHIYODA], active=False, user=None, on=date(2025, 4, 1))
        municipalities.set_active(["131024"], active=False, user=None, on=date(2099, 4, 1))
        undated = db.session.get(Municipality, "131032")  # retired before the day was kept
        assert undated is not None
        undated.active = False
        db.session.commit()
    api = api_as("counterpart", recipient="moj")
    listed = {m["code"]: (m["active"], m["retired_on"]) for m in api.get("/municipalities").json}
    assert CHIYODA not in listed
    assert "131032" not in listed
    assert listed["131024"] == (False, "2099-04-01")
    retired = api.get("/municipalities?status=retired").json
    assert [(m["code"], m["active"], m["retired_on"]) for m in retired] == [
        (CHIYODA, False, "2025-04-01"),
        ("131032", False, None),
    ]
    assert len(api.get("/municipalities?status=all").json) == 62


def test_a_bad_status_is_named_and_no_token_is_refused(app, api_as, client) -> None:
    got = api_as("staff").get("/municipalities?status=closed")
    assert got.status_code == 422
    assert "status" in str(got.json)
    assert client.get("/api/v1/municipalities").status_code == 401
