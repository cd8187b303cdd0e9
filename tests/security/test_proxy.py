"""Behind a TLS-terminating reverse proxy: ``HUB_BEHIND_PROXY`` trusts exactly one proxy's
X-Forwarded-* headers (werkzeug ProxyFix), and ``HUB_SECURE_COOKIES`` (on by default there)
keeps the session cookie off plain HTTP. Without the setting those headers are ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.config import ConfigError, load_settings
from hub.db import db
from hub.models import LoginAttempt
from tests.security.conftest import run_other_process

KEY = "k" * 40


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"HUB_INSTANCE_DIR": str(tmp_path), "HUB_SECRET_KEY": KEY, **values}


@pytest.mark.parametrize(
    ("values", "proxy", "secure"),
    [
        ({}, False, False),
        ({"HUB_BEHIND_PROXY": "1"}, True, True),
        ({"HUB_BEHIND_PROXY": "true", "HUB_SECURE_COOKIES": "0"}, True, False),
        ({"HUB_BEHIND_PROXY": "off", "HUB_SECURE_COOKIES": "YES"}, False, True),
        ({"HUB_BEHIND_PROXY": " On "}, True, True),
        ({"HUB_BEHIND_PROXY": ""}, False, False),
    ],
)
def test_proxy_and_cookie_settings(tmp_path, values, proxy, secure) -> None:
    settings = load_settings(env(tmp_path, **values))
    assert settings.behind_proxy is proxy
    assert settings.secure_cookies is secure
    config = settings.flask_config()
    assert config["SESSION_COOKIE_SECURE"] is secure
    assert config["REMEMBER_COOKIE_SECURE"] is secure
    with pytest.raises(AttributeError):
        settings.secure_cookies = not secure  # type: ignore[misc]


@pytest.mark.parametrize("name", ["HUB_BEHIND_PROXY", "HUB_SECURE_COOKIES"])
@pytest.mark.parametrize("value", ["maybe", "2", "はい", "１"])
def test_a_bad_switch_names_its_variable(tmp_path, name, value) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings(env(tmp_path, **{name: value}))


BEHIND_PROXY = """
    import json, re
    from hub import create_app
    from hub.config import load_settings

    app = create_app(load_settings(testing=True))
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    forwarded = {
        "X-Forwarded-For": "198.51.100.9, 203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "hub.example.lg.jp",
    }
    login = client.get("/login", environ_base=proxy, headers=forwarded)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.get_data(as_text=True)).group(1)
    body = {"email": "nobody@example.jp", "password": "wrong wrong wrong", "csrf_token": token}
    no_referrer = client.post("/login", data=body, environ_base=proxy, headers=forwarded)
    referrer = {**forwarded, "Referer": "https://hub.example.lg.jp/login"}
    failed = client.post("/login", data=body, environ_base=proxy, headers=referrer)
    plain = app.test_client().get("/login", environ_base=proxy)
    print(json.dumps({
        "cookie": login.headers.get("Set-Cookie", ""),
        "hsts": login.headers.get("Strict-Transport-Security"),
        "failed": failed.status_code,
        "no_referrer": no_referrer.status_code,
        "plain_hsts": plain.headers.get("Strict-Transport-Security"),
    }))
"""


def test_behind_a_proxy_the_forwarded_client_and_scheme_are_used(app, settings) -> None:
    seen = json.loads(run_other_process(settings, BEHIND_PROXY, HUB_BEHIND_PROXY="1"))
    assert "Secure" in seen["cookie"]
    assert "HttpOnly" in seen["cookie"]
    assert seen["hsts"].startswith("max-age=")
    assert seen["plain_hsts"] is None
    assert seen["failed"] == 200
    assert seen["no_referrer"] == 400, "over HTTPS, Flask-WTF also checks the Referer"
    with app.app_context():
        assert set(db.session.scalars(select(LoginAttempt.address))) == {"203.0.113.7"}


def test_without_the_setting_forwarded_headers_change_nothing(app, client) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    answer = client.get("/login", headers=forwarded)
    assert "Strict-Transport-Security" not in answer.headers
    assert "Secure" not in answer.headers.get("Set-Cookie", "")
