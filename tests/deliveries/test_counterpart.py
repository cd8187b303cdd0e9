"""What a counterpart sees of its deliveries: its recipient's profile and delivery log on
/counterpart and ``GET /api/v1/deliveries`` — only its own recipient's, never another's, and no
personal data; staff read every recipient's log."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hub.db import db
from hub.models import Recipient, User
from hub.services import deliveries
from tests.conftest import Api, make_user
from tests.deliveries.conftest import CHUO, Seeded, submit_answers


@pytest.fixture
def delivered(app: Flask, seeded: Seeded, respondents, outbox) -> dict[str, list[str]]:
    """Deliveries to both recipients, with per-municipality detail, and a 訂正版 for moj."""
    with app.app_context():
        for name in ("moj", "tokyo-probation"):
            db.session.get_one(Recipient, name).include_detail = True
        db.session.commit()
        ids: dict[str, list[str]] = {"moj": [], "tokyo-probation": []}
        for name in ids:
            outcome = deliveries.deliver(name, seeded.round_id)
            assert outcome.status == "sent", outcome.message
            assert outcome.delivery is not None
            ids[name].append(outcome.delivery.id)
        staff = db.session.get_one(User, seeded.staff_id)
        submit_answers(seeded.round_id, CHUO, staff, plan_status="internal_planning")
        correction = deliveries.deliver("moj", seeded.round_id)
        assert correction.status == "sent", correction.message
        assert correction.delivery is not None
        ids["moj"].append(correction.delivery.id)
        db.session.remove()
    return ids


def test_the_counterpart_page_shows_its_profile_and_only_its_deliveries(
    login: Callable[..., FlaskClient], seeded: Seeded, delivered: dict[str, list[str]]
):
    page = login("counterpart", recipient="moj").get("/counterpart")
    assert page.status_code == 200
    html = page.text
    assert "法務省 保護局" in html
    assert "出力フォルダ（outbox）" in html
    assert "xlsx, csv, json" in html
    assert "集計表と自治体別回答" in html
    for delivery_id in delivered["moj"]:
        assert delivery_id in html
    for delivery_id in delivered["tokyo-probation"]:
        assert delivery_id not in html
    assert "東京保護観察所" not in html
    assert "訂正版" in html
    assert ".xlsx" in html
    for value in seeded.personal:
        assert value not in html


def test_the_api_gives_a_counterpart_only_its_recipients_deliveries(
    api_as: Callable[..., Api], seeded: Seeded, delivered: dict[str, list[str]]
):
    moj = api_as("counterpart", recipient="moj")
    got = moj.get("/deliveries")
    assert got.status_code == 200, got.get_json()
    listed = got.get_json()
    assert [d["id"] for d in listed] == list(reversed(delivered["moj"]))
    assert {d["recipient"] for d in listed} == {"moj"}
    newest = listed[0]
    assert newest["correction_of"] == delivered["moj"][0]
    assert newest["changed_tables"]
    assert newest["error"] is None
    assert newest["location"] is None
    assert {f["name"].rsplit(".", 1)[-1] for f in newest["files"]} == {"xlsx", "csv", "json"}
    assert all(len(f["sha256"]) == 64 and f["bytes"] > 0 for f in newest["files"])
    for value in seeded.personal:
        assert value not in got.get_data(as_text=True)

    other = moj.get("/deliveries?recipient=tokyo-probation")
    assert other.status_code == 403
    for delivery_id in delivered["tokyo-probation"]:
        assert delivery_id not in other.get_data(as_text=True)
    own = moj.get("/deliveries?recipient=moj&limit=1")
    assert [d["id"] for d in own.get_json()] == [delivered["moj"][-1]]


def test_staff_read_every_recipients_deliveries(
    api_as: Callable[..., Api], delivered: dict[str, list[str]]
):
    staff = api_as("staff")
    everything = staff.get("/deliveries").get_json()
    assert {d["id"] for d in everything} == {*delivered["moj"], *delivered["tokyo-probation"]}
    assert all(d["location"] for d in everything)
    probation = staff.get("/deliveries?recipient=tokyo-probation").get_json()
    assert [d["id"] for d in probation] == delivered["tokyo-probation"]
    assert staff.get("/deliveries?recipient=nobody").status_code == 404
    assert staff.get("/deliveries?limit=０").status_code == 422
    assert staff.get("/deliveries?limit=many").status_code == 422


def test_respondents_admins_and_strangers_read_no_deliveries(
    app: Flask, api_as: Callable[..., Api], client: FlaskClient, login, delivered
):
    assert api_as("respondent", municipality=CHUO).get("/deliveries").status_code == 403
    assert api_as("admin").get("/deliveries").status_code == 403
    assert client.get("/api/v1/deliveries").status_code == 401
    assert login("respondent", municipality=CHUO).get("/counterpart").status_code == 403


def test_staff_visiting_the_counterpart_page_go_to_the_recipients_page(login):
    answer = login("staff").get("/counterpart")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/staff/recipients/")


def test_a_counterpart_without_deliveries_sees_an_empty_log(login):
    page = login("counterpart", recipient="tokyo-probation").get("/counterpart")
    assert page.status_code == 200
    assert "東京保護観察所" in page.text
    assert "配信記録はまだありません" in page.text


def test_the_endpoint_is_in_the_openapi_document(client: FlaskClient):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/deliveries"]["get"]
    assert "200" in operation["responses"]


def test_the_page_says_where_an_outbox_s_files_go_and_what_the_api_offers(login):
    """The files of an outbox delivery stay on 都's server, where the counterpart downloads them
    from its log (or the API, which describes itself at /api/v1/openapi.json: there is nothing
    at /api/v1/)."""
    page = login("counterpart", recipient="moj").get("/counterpart")
    text = " ".join(page.text.split())
    assert "集計表は API（/api/v1）でも受け取れます" not in text
    assert "東京都のサーバーの出力フォルダ（outbox）に置かれます" in text
    assert "下の配信記録のファイル名からダウンロードできます（API からも取り出せます）" in text
    assert "取り出せません" not in text
    assert '<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>' in text
    assert '<a href="/account/tokens">' in text
    for call in ("GET /api/v1/deliveries", "GET /api/v1/rounds/{round}/summary"):
        assert f"<code>{call}</code>" in text
    assert "3団体に達するまでは 409" in text
    assert "/api/v1/referrals</code>" not in text, "法務省 refers nobody"


def test_a_mail_or_https_counterpart_reads_where_its_files_go_and_how_long_a_copy_is_kept(
    app: Flask, login
):
    with app.app_context():
        probation = db.session.get_one(Recipient, "tokyo-probation")
        probation.channel, probation.address = "smtp", "hogo@example.go.jp"
        db.session.commit()
    client = login("counterpart", recipient="tokyo-probation")
    text = client.get("/counterpart").text
    assert "メールの添付ファイルとして送信先のアドレスに送られます" in text
    kept = "ハブは送ったファイルの控えを送信から90日間保管します。その間は下の配信記録のファイル名からもう一度ダウンロードできます"
    assert kept in text
    assert "manifest.json をダウンロードできます" in text
    assert "出力フォルダ" not in text
    assert "<code>POST /api/v1/referrals</code>" in text, "東京保護観察所 refers people"
    with app.app_context():
        probation = db.session.get_one(Recipient, "tokyo-probation")
        probation.channel, probation.address = "https", "https://probation.example.go.jp/hub"
        db.session.commit()
    text = client.get("/counterpart").text
    assert "HTTPS の POST で送られます" in text
    assert kept in text


def _api_operations(app: Flask) -> set[str]:
    """Every ``METHOD /api/v1/…`` a counterpart's role may call, by the URL map and the policy,
    with each ``<…>`` written ``{}``."""
    from hub.auth.policy import ACCESS_ATTR, PERMISSIONS, PUBLIC
    from hub.models import Role

    found = set()
    for rule in app.url_map.iter_rules():
        permission = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR, None)
        if not rule.rule.startswith("/api/v1/") or permission in (None, PUBLIC):
            continue
        if Role.COUNTERPART in PERMISSIONS[permission]:
            path = re.sub(r"<[^>]+>", "{}", rule.rule)
            found |= {f"{m} {path}" for m in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    return found


def test_the_listed_api_calls_are_exactly_those_a_referring_counterpart_may_make(app: Flask):
    from hub.account.views import api_calls

    with app.app_context():
        probation = make_user(role="counterpart", recipient="tokyo-probation")
        moj = make_user(role="counterpart", recipient="moj")
        with app.test_request_context():
            listed = {
                f"{c.method} {re.sub(r'{[^}]+}', '{}', c.path)}" for c in api_calls(probation)
            }
            for_moj = {f"{c.method} {re.sub(r'{[^}]+}', '{}', c.path)}" for c in api_calls(moj)}
    assert listed == _api_operations(app)
    assert for_moj < listed
    assert not any("/referrals" in call and "summary" not in call for call in for_moj)


def test_the_page_gives_each_file_s_whole_sha256_to_check_a_received_file_against(
    login: Callable[..., FlaskClient],
    api_as: Callable[..., Api],
    delivered: dict[str, list[str]],
):
    """The page says to check received files against the SHA-256 in its log: each file's whole
    checksum is there as text (not cut to 16 digits, nor only in a tooltip a phone cannot show),
    the same as the API's."""
    from tests.web.conftest import page

    listed = api_as("counterpart", recipient="moj").get("/deliveries").get_json()
    doc = page(login("counterpart", recipient="moj").get("/counterpart?lang=en"))
    for delivery in listed:
        [row] = doc.xpath(f"//tr[@id='delivery-{delivery['id']}']")
        shown = {
            " ".join(f.xpath("string((.//code)[1])").split()): f.xpath("string(*[@data-sha256])")
            for f in row.xpath(".//*[@data-file]")
        }
        assert shown == {f["name"]: f["sha256"] for f in delivery["files"]}


CHANGED = re.compile(r"<span data-changed-tables>([^<]*)</span>")


def _kana_or_kanji(text: str) -> bool:
    return any("\u3040" <= c <= "\u9fff" for c in text)


def test_a_correction_names_its_changed_tables_in_the_reader_s_language(
    login: Callable[..., FlaskClient],
    api_as: Callable[..., Api],
    delivered: dict[str, list[str]],
):
    moj = api_as("counterpart", recipient="moj")
    japanese = moj.get("/deliveries").get_json()[0]
    english = moj.get("/deliveries?lang=en").get_json()[0]
    assert japanese["changed_tables"] == english["changed_tables"]  # as today: the stored titles
    assert japanese["changed_table_titles"] == japanese["changed_tables"]
    keys = english["changed_table_keys"]
    assert {"plan_status", "answers"} <= set(keys), keys
    titles = english["changed_table_titles"]
    assert len(titles) == len(keys) == len(english["changed_tables"])
    assert titles[keys.index("answers")] == "Answers"
    assert not any(_kana_or_kanji(t) for t in titles), titles

    client = login("counterpart", recipient="moj")
    page = client.get("/counterpart?lang=en").text
    assert CHANGED.findall(page) == [", ".join(titles)]
    shown = CHANGED.findall(client.get("/counterpart?lang=ja").text)
    assert shown == [
        "、".join(japanese["changed_tables"])
    ]  # Japanese: as the delivery carried them
    staff = login("staff")
    log = staff.get("/staff/recipients/?lang=en").text
    assert ", ".join(titles) in CHANGED.findall(log)
    one = staff.get("/staff/recipients/moj?lang=en").text
    assert ", ".join(titles) in CHANGED.findall(one)
