"""Messages are written for the person reading them (issue 14, item 6): after a proxy save or
submission, 都 staff read what they did for the municipality, not 「東京都の担当者が確認します」."""

from __future__ import annotations

from tests.conftest import complete_answers, make_round
from tests.web.conftest import field_values, page, text_of

OKUTAMA = "133086"


def _flashes(answer) -> str:
    return " ".join(
        " ".join(n.text_content().split()) for n in page(answer).xpath("//*[@role='status']")
    )


def _post_form(client, url: str, action: str):
    shown = client.get(url)
    values = {k: v for k, v in field_values(shown).items() if v not in (None, [])}
    values.update(complete_answers(), action=action)
    return client.post(url, values)


def test_staff_read_what_they_did_on_the_municipalitys_behalf(app, web):
    staff = web("staff")
    with app.app_context():
        round_id = make_round().id
    url = f"/staff/rounds/{round_id}/responses/{OKUTAMA}/edit"
    saved = _post_form(staff, url, "save")
    assert saved.status_code == 302
    message = _flashes(staff.get(saved.headers["Location"]))
    assert "奥多摩町の回答を代理入力として一時保存しました。" in message

    answer = _post_form(staff, url, "submit")
    confirm = staff.get(answer.headers["Location"])
    version = page(confirm).xpath("//input[@name='version']/@value")[0]
    done = staff.post(f"{url}/submit", {"version": version})
    shown = staff.get(done.headers["Location"])
    message = _flashes(shown)
    assert "奥多摩町に代わって提出しました。" in message
    assert "東京都の担当者が確認します" not in text_of(shown)


def test_the_clerk_still_reads_that_tokyo_will_check(app, web):
    clerk = web("respondent", municipality=OKUTAMA)
    with app.app_context():
        round_id = make_round().id
    url = f"/respond/rounds/{round_id}/{OKUTAMA}"
    saved = _post_form(clerk, url, "save")
    assert "一時保存しました。" in _flashes(clerk.get(saved.headers["Location"]))
    answer = _post_form(clerk, url, "submit")
    confirm = clerk.get(answer.headers["Location"])
    version = page(confirm).xpath("//input[@name='version']/@value")[0]
    done = clerk.post(f"{url}/submit", {"version": version})
    shown = clerk.get(done.headers["Location"])
    message = _flashes(shown)
    assert "提出しました。" in message
    assert "代わって" not in message
    assert text_of(shown).count("東京都の担当者が確認します。") == 1, "said once, not twice"
