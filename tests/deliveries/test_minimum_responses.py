"""Below a minimum number of responses (3, ``HUB_MIN_RESPONSES``) the summary that respondents
and counterparts may read, and a delivery, wait: one municipality's answer is not yet a summary
(issue 14, item 27). Staff see everything."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from hub.config import load_settings
from hub.db import db
from hub.models import Delivery
from hub.services import deliveries
from tests.conftest import Api, make_round, make_user
from tests.deliveries.conftest import CHIYODA, CHUO, submit_answers

MINATO = "131032"


def _round_with(app, codes: list[str]) -> int:
    with app.app_context():
        round_ = make_round(municipalities=[CHIYODA, CHUO, MINATO, "131041"])
        staff = make_user(role="staff")
        for code in codes:
            submit_answers(round_.id, code, staff)
        return round_.id


def test_one_answer_is_not_shared_with_respondents_or_counterparts(app, api_as: Callable[..., Api]):
    round_id = _round_with(app, [CHIYODA])
    chuo: Api = api_as("respondent", municipality=CHUO)
    counterpart: Api = api_as("counterpart", recipient="moj")
    for reader in (chuo, counterpart):
        got = reader.get(f"/rounds/{round_id}/summary")
        assert got.status_code == 409, got.get_json()
        assert "3団体に達するまで" in got.get_json()["message"]
        assert "現在1団体" in got.get_json()["message"]
    staff: Api = api_as("staff")
    assert staff.get(f"/rounds/{round_id}/summary").status_code == 200


def test_from_the_minimum_on_the_summary_is_shared(app, api_as: Callable[..., Api]):
    round_id = _round_with(app, [CHIYODA, CHUO, MINATO])
    chuo: Api = api_as("respondent", municipality=CHUO)
    assert chuo.get(f"/rounds/{round_id}/summary").status_code == 200


def test_a_delivery_waits_and_creates_nothing(app, runner, outbox):
    round_id = _round_with(app, [CHIYODA, CHUO])
    with app.app_context():
        outcome = deliveries.deliver("moj", round_id, force=True)
        assert outcome.status == deliveries.WAITING
        assert outcome.delivery is None
        assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    result = runner("export", "moj", "--round", str(round_id))
    assert result.exit_code == 1
    assert "公開・送付されません" in result.output
    assert not outbox.exists() or not any(outbox.iterdir())
    with app.app_context():
        staff = make_user(role="staff")
        submit_answers(round_id, MINATO, staff)
        assert deliveries.deliver("moj", round_id).status == deliveries.SENT


def test_the_minimum_is_a_setting(tmp_path):
    env = {"HUB_INSTANCE_DIR": str(tmp_path), "HUB_SECRET_KEY": "x" * 40}
    assert load_settings(env).min_responses_shared == 3
    assert load_settings({**env, "HUB_MIN_RESPONSES": "5"}).min_responses_shared == 5
