"""The password policy: at least 12 characters, and not one an attacker would try first."""

from __future__ import annotations

import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.auth.passwords import common_words, guessability_problems
from hub.db import db
from hub.errors import Invalid
from hub.services import users
from hub.services.users import password_problems
from tests.conftest import PASSWORD, make_user
from tests.security.conftest import Web, page

GUESSABLE = [
    "password1234",
    "Password2024!",
    "PASSWORD123456",
    "ＰＡＳＳＷＯＲＤ１２３４",  # full-width, as an IME types it
    "p@ssw0rd1234",
    "P4ssw0rd2024!",
    "iloveyou2024",
    "iloveyousakura",
    "sakura2024!!",
    "Tokyo2020Tokyo2020",
    "tokyo2020qwerty",
    "saihanboushi2024",
    "doraemon1234",
    "welcome123456",
    "administrator1",
    "123456789012",
    "1234567890123",
    "7890123456789",
    "qwertyuiop@[",
    "qwertyuiopasdf",
    "1qaz2wsx3edc",
    "zaq12wsxcde3",
    "1q2w3e4r5t6y",
    "asdfghjkl;:]",
    "!@#$%^&*()_+",
    "abcdefghijkl",
    "zyxwvutsrqpo",
    "abcabcabcabc",
    "121212121212",
    "sakurasakura",
    "Sakura!Sakura!",
    "あいうえおかきくけこさし",
    "ぬふあうえおやゆよわほへ",
]

GOOD = [
    PASSWORD,
    "a quite different passphrase",
    "a good new passphrase",
    "梅雨明けの多摩川で鮎を釣った",
    "Tr0ub4dor&3xyzzy",
    "区役所の前の銀杏並木 2021",
    "kumo ga nagareru oka no ue",
    "golf baby root tama",
]


@pytest.mark.parametrize("password", GUESSABLE)
def test_guessable_passwords_are_refused(password: str) -> None:
    assert guessability_problems(password), password
    assert password_problems(password, "someone@example.jp"), password


@pytest.mark.parametrize("password", GOOD)
def test_good_passphrases_pass(password: str) -> None:
    assert password_problems(password, "someone@example.jp") == []


def test_every_listed_password_of_twelve_or_more_characters_is_refused() -> None:
    listed = [word for word in common_words() if len(word) >= 12]
    assert len(listed) >= 5
    for word in listed:
        assert guessability_problems(word), word
        assert guessability_problems(word.upper()), word


def test_the_list_is_a_few_hundred_real_entries() -> None:
    words = common_words()
    assert len(words) >= 300
    for expected in (
        "password",
        "12345678",
        "qwerty",
        "iloveyou",
        "1qaz2wsx",
        "sakura",
        "tokyo2020",
    ):
        assert expected in words


def test_generated_passwords_are_never_refused() -> None:
    """What the admin page and ``hub user add`` generate must always pass the policy."""
    for _ in range(2000):
        generated = secrets.token_urlsafe(12)
        assert password_problems(generated) == [], generated


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_an_answer_not_an_error(text: str) -> None:
    assert isinstance(password_problems(text, "someone@example.jp"), list)


@pytest.mark.parametrize("padding", ["2024", "!!", "123", "20240401", "@@@", "1!"])
@pytest.mark.parametrize("word", ["password", "sakura", "iloveyou", "doraemon", "welcome"])
def test_a_listed_word_with_digits_or_symbols_around_it_is_refused(word: str, padding: str) -> None:
    candidates = [
        word + padding,
        word + padding * 3,
        padding + word + padding,
        word.capitalize() + padding * 2,
    ]
    tried = [c for c in candidates if len(c) >= 12 and len(c) - len(word) <= 8]
    assert tried
    for candidate in tried:
        assert guessability_problems(candidate), candidate


def test_create_user_refuses_a_common_password(ctx) -> None:
    with pytest.raises(Invalid) as refused:
        users.create_user("new@example.jp", role="staff", password="Password2024!")
    assert "よく使われるパスワード" in refused.value.errors["password"][0]


def test_hub_user_add_refuses_a_common_password(runner) -> None:
    answer = runner("user", "add", "new@example.jp", "--role", "staff", input="qwertyuiop@[\n")
    assert answer.exit_code != 0
    assert "キーボードの並び" in answer.output
    assert "Traceback" not in answer.output


def test_the_admin_page_refuses_a_common_password_and_keeps_what_was_typed(app, web) -> None:
    admin = web("admin")
    admin.get("/admin/users/new")
    answer = admin.post(
        "/admin/users/new",
        {"email": "staff9@example.jp", "role": "staff", "password": "sakura2024!!"},
    )
    assert answer.status_code == 422
    error = page(answer).xpath("//*[@id='password-error']")[0].text_content()
    assert "よく使われるパスワード" in error
    assert page(answer).xpath("//input[@name='email']/@value") == ["staff9@example.jp"]


def test_the_password_page_refuses_a_common_password(app) -> None:
    with app.app_context():
        email = make_user(role="respondent", municipality="131016").email
    web = Web(app)
    web.login(email)
    web.get("/password")
    weak = "1qaz2wsx3edc"
    answer = web.post(
        "/password",
        {"current_password": PASSWORD, "new_password": weak, "new_password_again": weak},
    )
    assert answer.status_code == 422
    error = page(answer).xpath("//*[@id='new_password-error']")[0].text_content()
    assert "キーボードの並び" in error
    assert Web(app).login(email, weak).status_code == 200
    assert Web(app).login(email).status_code == 302


def test_an_admin_reset_mails_a_password_the_policy_accepts(app, web, smtp) -> None:
    admin = web("admin")
    staff = web("staff")
    admin.get(f"/admin/users/{staff.user.id}")
    assert admin.post(f"/admin/users/{staff.user.id}/password").status_code == 302
    (mail,) = smtp.to(staff.user.email)
    password = mail.get_content().split("仮パスワード: ")[1].split()[0]
    assert password_problems(password, staff.user.email) == []
    with app.app_context():
        assert db.session.get(type(staff.user), staff.user.id).session_version == 2
