"""``hub export --lang en``: what came of a delivery in English, as the pages word it in English
(sent, nothing new, waiting for responses, a refusal the hub has words for); Japanese without
the option. A user's typing mistake still ends in one line (docs/deliveries.md)."""

from __future__ import annotations

from hub.db import db
from hub.models import User
from tests.conftest import make_round
from tests.deliveries.conftest import CHUO, Seeded, submit_answers


def test_export_says_what_came_of_it_in_english_when_asked(runner, seeded: Seeded, outbox):
    sent = runner("export", "moj", "--round", str(seeded.round_id), "--lang", "en")
    assert sent.exit_code == 0, sent.output
    first, delivery_id = sent.output.splitlines()
    assert first.startswith(f"Delivered: {delivery_id} → ")
    again = runner("export", "moj", "--round", str(seeded.round_id), "--lang", "en")
    assert again.output.strip() == (
        f"Not sent: nothing has changed since the previous delivery {delivery_id}."
    ), again.output
    japanese = runner("export", "moj", "--round", str(seeded.round_id))
    assert japanese.output.strip() == f"前回の配信 {delivery_id} から変更がないため送信しません。"


def test_a_round_waiting_for_responses_is_said_in_english(runner, ctx, outbox):
    round_id = make_round(municipalities=["131016", "131024", "131032"]).id
    db.session.commit()
    result = runner("export", "moj", "--round", str(round_id), "--lang", "en")
    assert result.exit_code == 1
    assert result.output.startswith("hub: "), result.output
    assert "提出" not in result.output, result.output


def test_a_character_cp932_cannot_hold_is_said_in_english(runner, ctx, seeded: Seeded, outbox):
    assert runner("recipient", "set", "moj", "--csv-encoding", "cp932", "--detail").exit_code == 0
    staff = db.session.get_one(User, seeded.staff_id)
    submit_answers(seeded.round_id, CHUO, staff, comments="𠮷野計画")
    result = runner("export", "moj", "--round", str(seeded.round_id), "--lang", "en")
    assert result.exit_code == 1
    assert "U+20BB7" in result.output
    assert "cp932 で書けません" not in result.output, result.output
    assert "Traceback" not in result.output


def test_an_unknown_language_is_refused_in_one_line(runner, seeded: Seeded, outbox):
    result = runner("export", "moj", "--lang", "fr")
    assert result.exit_code == 2
    assert result.output.startswith("hub: ")
    assert "Traceback" not in result.output
