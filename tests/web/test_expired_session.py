"""Nothing typed into a questionnaire is lost when the session ends under it: a save after 30
idle minutes, or refused for its CSRF token (logged out, or in again, in another tab), saves
nothing but gives the typed answers back, and signing in again puts them into the fields."""

from __future__ import annotations

import json
import time
import zlib
from types import SimpleNamespace
from typing import Any

import itsdangerous.timed
import pytest
from werkzeug.test import TestResponse

from hub.db import db
from hub.models import ResponseState, Revision
from hub.web import carried as carrying
from tests.conftest import PASSWORD, make_round, make_user, response_of
from tests.web.conftest import Web, field_values, page, text_of

CHIYODA = "131016"
HACHIOJI = "132012"

TYPED = {
    "plan_status": "formulated",
    "plan_name": "千代田区再犯防止推進計画（案）",
    "plan_date": "令和元年５月１日",
    "cooperating_employers": "１２",
    "programs": ["shamei_campaign", "other"],
    "programs_other": "独自の就労支援",
    "contact_phone": "０３（５３２１）１１１１",
    "comments": '=HYPERLINK("http://example.com","押して")',
}
NOT_SAVED = "入力した内容はまだ保存されていません。"


@pytest.fixture
def round_id(app) -> int:
    """A round, made outside any app context kept open across requests (which would share
    ``g``, and with it one CSRF token, between the requests of a test)."""
    with app.app_context():
        return make_round().id


def form_url(round_id: int, code: str = CHIYODA) -> str:
    return f"/respond/rounds/{round_id}/{code}"


def edit_url(round_id: int, code: str = CHIYODA) -> str:
    return f"/staff/rounds/{round_id}/responses/{code}/edit"


def open_form(web: Web, url: str) -> dict[str, Any]:
    """Open the questionnaire and type ``TYPED`` into it: what the browser would post (the
    page's CSRF token included), not posted yet."""
    shown = web.get(url)
    assert shown.status_code == 200
    values = {k: v for k, v in field_values(shown).items() if v not in (None, [])}
    return {**values, **TYPED, "action": "save", "csrf_token": web.csrf()}


def assert_nothing_saved(app, round_id: int) -> None:
    with app.app_context():
        response = response_of(round_id, CHIYODA)
        assert response.state == ResponseState.NOT_STARTED
        assert response.version == 0
        assert db.session.query(Revision).filter_by(response_id=response.id).count() == 0


def assert_typed_listed(answer: TestResponse) -> None:
    text = text_of(answer)
    for shown in ("１２", "令和元年５月１日", '=HYPERLINK("http://example.com","押して")'):
        assert shown in text
    assert "①策定済み" in text
    assert "社会を明るくする運動" in text


def assert_typed_in_fields(answer: TestResponse, version: str = "0") -> None:
    values = field_values(answer)
    for name, typed in TYPED.items():
        assert values[name] == typed, name
    assert values["version"] == version


def sign_in_again(web: Web, answer: TestResponse, email: str) -> TestResponse:
    """Sign in on the page that kept the answers, as a person would (its form, its token)."""
    doc = page(answer)
    form = doc.xpath("//form[.//input[@name='carried']]")[0]
    carried = form.xpath(".//input[@name='carried']/@value")[0]
    return web.post(form.get("action"), {"email": email, "password": PASSWORD, "carried": carried})


def test_a_save_after_thirty_idle_minutes_keeps_the_answers_through_a_new_sign_in(
    app, web, round_id, clock
):
    respondent = web("respondent", municipality=CHIYODA)
    posted = open_form(respondent, form_url(round_id))
    clock.advance(minutes=31)
    answer = respondent.client.post(form_url(round_id), data=posted)
    respondent.last = answer
    assert answer.status_code == 401
    text = text_of(answer)
    assert "一定時間操作がなかったため、ログアウトしました。" in text
    assert NOT_SAVED in text
    assert "もう一度ログインしてください" in text
    assert "no-store" in answer.headers["Cache-Control"]
    assert_typed_listed(answer)
    assert_nothing_saved(app, round_id)
    assert respondent.client.get("/respond/").status_code == 302, "the session has ended"

    back = sign_in_again(respondent, answer, respondent.user.email)
    assert back.status_code == 200
    assert "入力した内容を入力欄に戻しました。まだ保存されていません。" in text_of(back)
    assert_typed_in_fields(back)
    assert_nothing_saved(app, round_id)

    saved = respondent.post(form_url(round_id), {**field_values(back), "action": "save"})
    assert saved.status_code == 302
    with app.app_context():
        response = response_of(round_id, CHIYODA)
        assert response.state == ResponseState.DRAFT
        assert response.answers["cooperating_employers"] == 12
        assert response.answers["plan_date"] == "2019-05-01"
        assert response.answers["comments"] == TYPED["comments"]


def test_a_save_after_twelve_hours_in_all_is_kept_the_same_way(app, web, round_id, clock):
    respondent = web("respondent", municipality=CHIYODA)
    for _ in range(12 * 3):
        clock.advance(minutes=20)
        assert respondent.get("/respond/").status_code == 200
    posted = open_form(respondent, form_url(round_id))
    clock.advance(minutes=1)
    answer = respondent.client.post(form_url(round_id), data=posted)
    assert answer.status_code == 401
    assert_typed_listed(answer)
    assert_nothing_saved(app, round_id)


def test_a_save_after_logging_out_in_another_tab_keeps_the_answers(app, web, round_id):
    respondent = web("respondent", municipality=CHIYODA)
    posted = open_form(respondent, form_url(round_id))
    respondent.get("/respond/")
    assert respondent.post("/logout").status_code == 302
    answer = respondent.client.post(form_url(round_id), data=posted)
    respondent.last = answer
    assert answer.status_code == 400
    text = text_of(answer)
    assert "別の画面でログアウトしたため、保存できませんでした。" in text
    assert NOT_SAVED in text
    assert "リクエストの形式が正しくありません" not in text
    assert_typed_listed(answer)
    assert_nothing_saved(app, round_id)

    back = sign_in_again(respondent, answer, respondent.user.email)
    assert back.status_code == 200
    assert_typed_in_fields(back)
    assert_nothing_saved(app, round_id)


def test_a_save_after_signing_in_again_in_another_tab_shows_the_form_with_the_answers(
    app, web, round_id
):
    """Still signed in, but with a new session (and CSRF token): the page comes back with what
    was posted, unsaved, and its fresh token saves it."""
    respondent = web("respondent", municipality=CHIYODA)
    posted = open_form(respondent, form_url(round_id))
    respondent.get("/respond/")
    respondent.post("/logout")
    assert respondent.login(respondent.user.email).status_code == 302
    answer = respondent.client.post(form_url(round_id), data=posted)
    respondent.last = answer
    assert answer.status_code == 400
    assert "保存できませんでした。入力した内容は下の入力欄に残っています。" in text_of(answer)
    assert_typed_in_fields(answer)
    assert_nothing_saved(app, round_id)
    saved = respondent.post(form_url(round_id), {**field_values(answer), "action": "save"})
    assert saved.status_code == 302
    with app.app_context():
        assert response_of(round_id, CHIYODA).answers["cooperating_employers"] == 12


def test_staff_entering_on_behalf_get_their_answers_back_too(app, web, round_id, clock):
    staff = web("staff")
    posted = open_form(staff, edit_url(round_id))
    clock.advance(minutes=45)
    answer = staff.client.post(edit_url(round_id), data=posted)
    staff.last = answer
    assert answer.status_code == 401
    assert_typed_listed(answer)
    assert_nothing_saved(app, round_id)
    back = sign_in_again(staff, answer, staff.user.email)
    assert back.status_code == 200
    assert "代理入力" in text_of(back)
    assert page(back).xpath("//form[@data-questionnaire]/@action")[0] == edit_url(round_id)
    assert_typed_in_fields(back)
    saved = staff.post(edit_url(round_id), {**field_values(back), "action": "save"})
    assert saved.status_code == 302
    with app.app_context():
        response = response_of(round_id, CHIYODA)
        assert response.updated_on_behalf
        assert response.answers["programs_other"] == "独自の就労支援"


def test_the_kept_answers_go_to_nobody_but_the_account_that_typed_them(app, web, round_id, clock):
    respondent = web("respondent", municipality=CHIYODA)
    posted = open_form(respondent, form_url(round_id))
    clock.advance(minutes=31)
    answer = respondent.client.post(form_url(round_id), data=posted)
    respondent.last = answer
    wrong = sign_in_again(respondent, answer, respondent.user.email + "x")
    assert "メールアドレスまたはパスワードが正しくありません。" in text_of(wrong)
    assert_typed_listed(wrong)
    back = sign_in_again(respondent, wrong, respondent.user.email)
    assert back.status_code == 200
    assert_typed_in_fields(back)
    assert_nothing_saved(app, round_id)

    with app.app_context():
        colleague = make_user(role="respondent", municipality=CHIYODA).email
        other = make_user(role="respondent", municipality=HACHIOJI).email
    for email, lands_on in ((colleague, form_url(round_id)), (other, "/respond/")):
        stranger = Web(app)
        kept = stranger.client.post(
            "/resume",
            data={
                "email": email,
                "password": PASSWORD,
                "carried": page(answer).xpath("//input[@name='carried']/@value")[0],
                "csrf_token": stranger.get("/login") and stranger.csrf(),
            },
        )
        assert kept.status_code == 302, "signed in, the typing dropped"
        assert kept.headers["Location"] == lands_on
        shown = stranger.get(lands_on)
        assert "入力されていた内容は破棄しました" in text_of(shown)
        assert "独自の就労支援" not in shown.get_data(as_text=True)
    assert_nothing_saved(app, round_id)


def test_a_changed_or_expired_token_is_refused_and_signs_nobody_in(
    app, web, round_id, clock, monkeypatch
):
    respondent = web("respondent", municipality=CHIYODA)
    posted = open_form(respondent, form_url(round_id))
    clock.advance(minutes=31)
    answer = respondent.client.post(form_url(round_id), data=posted)
    respondent.last = answer
    token = page(answer).xpath("//input[@name='carried']/@value")[0]
    email = respondent.user.email
    changed = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    refused = respondent.post("/resume", {"email": email, "password": PASSWORD, "carried": changed})
    assert refused.status_code == 400
    assert "入力した内容を保持できる時間（1時間）を過ぎたか" in text_of(refused)
    assert respondent.client.get("/respond/").status_code == 302

    respondent.get("/login")
    an_hour_later = time.time() + 61 * 60
    monkeypatch.setattr(itsdangerous.timed, "time", SimpleNamespace(time=lambda: an_hour_later))
    late = respondent.post("/resume", {"email": email, "password": PASSWORD, "carried": token})
    assert late.status_code == 400
    assert "入力した内容を保持できる時間（1時間）を過ぎたか" in text_of(late)
    assert_nothing_saved(app, round_id)


def test_the_token_is_size_limited_and_a_sensitive_one_is_sealed(app):
    args = {"round_id": 1, "code": CHIYODA}
    with app.test_request_context():
        huge = carrying.Carried("respond.form", args, {"comments": [PASSWORD * 40_000]}, 7)
        assert carrying.sign(huge) is not None, "repetitive text compresses"
        noise = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(120_000))
        assert carrying.sign(carrying.Carried("respond.form", args, {"c": [noise]}, 7)) is None
        small = carrying.Carried("respond.form", args, {"comments": ["=1+1"]}, 7)
        assert carrying.load(carrying.sign(small) or "") == small
        fields = {"person-name": ["山田 花子"]}
        plain = carrying.sign(carrying.Carried("consult.new_case", {}, fields, 7)) or ""
        assert "山田 花子" in json.dumps(_payload(plain), ensure_ascii=False)
        secret = carrying.Carried("referrals.new", {}, fields, 7, True)
        token = carrying.sign(secret) or ""
        assert "山田" not in json.dumps(_payload(token), ensure_ascii=False)
        opened = carrying.load(token)
        assert opened == secret
        assert opened.sensitive


def _payload(token: str) -> object:
    """What a signed token holds, read as anyone holding it could (signed, not encrypted)."""
    data = itsdangerous.encoding.base64_decode(token.lstrip(".").split(".")[0])
    return json.loads(zlib.decompress(data) if token.startswith(".") else data)


def test_a_final_submit_after_the_timeout_leads_back_to_its_confirmation(app, web, round_id, clock):
    respondent = web("respondent", municipality=CHIYODA)
    confirm = respondent.get(f"{form_url(round_id)}/confirm")
    token = respondent.csrf()
    clock.advance(minutes=31)
    answer = respondent.client.post(
        f"{form_url(round_id)}/submit", data={"csrf_token": token, "version": "0"}
    )
    assert confirm.status_code in (200, 302)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/login?next={form_url(round_id)}/confirm"
    assert_nothing_saved(app, round_id)


def test_other_posts_refused_for_their_token_say_so_in_japanese(app, web, round_id):
    staff = web("staff")
    staff.get(f"/staff/rounds/{round_id}")
    answer = staff.client.post(
        f"/staff/rounds/{round_id}/close",
        data={"csrf_token": "stale"},
        headers={"Referer": f"http://localhost/staff/rounds/{round_id}"},
    )
    assert answer.status_code == 400
    text = text_of(answer)
    assert "画面の有効期限が切れたため、この操作は受け付けられませんでした。" in text
    assert "入力した内容は保存されていません。" in text
    assert "リクエストの形式が正しくありません" not in text
    assert page(answer).xpath(f"//a[@href='/staff/rounds/{round_id}']")
    anonymous = Web(app)
    login = anonymous.client.post("/login", data={"email": "a@example.jp", "password": "x"})
    assert login.status_code == 400
    assert "画面の有効期限が切れたため" in text_of(login)
    assert page(login).xpath("//a[@href='/login']")
