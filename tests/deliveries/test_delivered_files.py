"""A counterpart downloads the files of the deliveries addressed to its own recipient — from the
links of its page's log and through ``GET /api/v1/deliveries/{id}/files/{name}`` — exactly as
they were delivered to the outbox: checked against the recorded SHA-256, refused (410) when the
file is gone or changed on the server, 404 to everyone but staff and the addressee, audited."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import db
from hub.models import AuditEvent, Recipient
from hub.services import deliveries
from tests.conftest import Api, make_user, sign_in
from tests.deliveries.conftest import CHUO, Seeded
from tests.web.conftest import page


@pytest.fixture
def delivered(app: Flask, seeded: Seeded, outbox: Path) -> dict[str, Any]:
    """An outbox delivery to each recipient through the real services (東京保護観察所's CSV in
    cp932): ``{recipient: {"id", "files": {name: sha256}, "folder"}}``."""
    with app.app_context():
        db.session.get_one(Recipient, "tokyo-probation").csv_encoding = "cp932"
        db.session.commit()
        found: dict[str, Any] = {}
        for name in ("moj", "tokyo-probation"):
            outcome = deliveries.deliver(name, seeded.round_id)
            assert outcome.status == "sent", outcome.message
            assert outcome.delivery is not None
            found[name] = {
                "id": outcome.delivery.id,
                "files": {f["name"]: f["sha256"] for f in outcome.delivery.files},
                "folder": outbox / name / outcome.delivery.id,
            }
        db.session.remove()
    return found


def browser(app: Flask, role: str, **kwargs: Any) -> FlaskClient:
    """A signed-in browser of its own (one per role, so that no session is shared)."""
    client = app.test_client()
    with app.app_context():
        email = make_user(role=role, **kwargs).email
    sign_in(client, email)
    return client


def file_url(delivery: dict[str, Any], name: str, *, api: bool) -> str:
    prefix = "/api/v1/deliveries" if api else "/counterpart/deliveries"
    return f"{prefix}/{delivery['id']}/files/{quote(name)}"


def audited(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return events


def test_the_counterpart_downloads_each_file_from_its_log_as_delivered(
    app: Flask, delivered: dict[str, Any], seeded: Seeded
):
    moj = delivered["moj"]
    client = browser(app, "counterpart", recipient="moj")
    doc = page(client.get("/counterpart"))
    [row] = doc.xpath(f"//tr[@id='delivery-{moj['id']}']")
    links = {a.xpath("string(code)"): a.get("href") for a in row.xpath(".//a[@data-download]")}
    assert set(links) == set(moj["files"]), "one link per delivered file"
    assert doc.xpath(f"//tr[@id='delivery-{delivered['tokyo-probation']['id']}']") == []
    kinds = set()
    for name, href in links.items():
        answer = client.get(href)
        assert answer.status_code == 200, (name, answer.text[:300])
        body = answer.get_data()
        assert body == (moj["folder"] / name).read_bytes()
        assert hashlib.sha256(body).hexdigest() == moj["files"][name]
        assert answer.headers["Content-Disposition"] == (
            f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
        )
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        kind = name.rsplit(".", 1)[1]
        kinds.add(kind)
        expected = {
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "csv": "text/csv; charset=utf-8",
            "json": "application/json",
        }[kind]
        assert answer.headers["Content-Type"] == expected
        text = body.decode("utf-8", "replace")
        for value in seeded.personal:
            assert value not in text
    assert kinds == {"xlsx", "csv", "json"}
    downloads = audited(app, "delivery.download")
    assert sorted(e.details["file"] for e in downloads) == sorted(moj["files"])
    assert {e.target for e in downloads} == {f"delivery/{moj['id']}"}
    assert {e.user.role for e in downloads} == {"counterpart"}


def test_the_api_hands_out_the_files_the_log_lists_with_their_checksums(
    app: Flask, api_as: Callable[..., Api], delivered: dict[str, Any]
):
    probation = api_as("counterpart", recipient="tokyo-probation")
    [listed] = probation.get("/deliveries").get_json()
    assert listed["id"] == delivered["tokyo-probation"]["id"]
    for entry in listed["files"]:
        answer = probation.get(f"/deliveries/{listed['id']}/files/{entry['name']}")
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_data()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
        assert len(body) == entry["bytes"]
        if entry["name"].endswith(".csv"):
            assert answer.headers["Content-Type"] == "text/csv; charset=Shift_JIS"
            assert not body.startswith(b"\xef\xbb\xbf")
            body.decode("cp932")
        if entry["name"].endswith(".json"):
            assert json.loads(body)["delivery_id"] == listed["id"]


def test_staff_download_any_recipient_s_files_from_their_log_and_the_api(
    app: Flask, api_as: Callable[..., Api], delivered: dict[str, Any]
):
    staff_api = api_as("staff")
    staff_page = browser(app, "staff")
    doc = page(staff_page.get("/staff/recipients/"))
    links = [a.get("href") for a in doc.xpath("//table[@id='delivery-log']//a[@data-download]")]
    expected = {
        file_url(delivery, name, api=False)
        for delivery in delivered.values()
        for name in delivery["files"]
    }
    assert set(links) == expected
    for delivery in delivered.values():
        name = next(iter(delivery["files"]))
        on_disk = (delivery["folder"] / name).read_bytes()
        url = file_url(delivery, name, api=True)
        assert staff_api.client.get(url, headers=staff_api.headers()).get_data() == on_disk
        assert staff_page.get(file_url(delivery, name, api=False)).get_data() == on_disk
    assert {e.user.role for e in audited(app, "delivery.download")} == {"staff"}


@pytest.mark.parametrize(
    ("role", "kwargs"),
    [
        ("counterpart", {"recipient": "tokyo-probation"}),
        ("respondent", {"municipality": CHUO}),
        ("window", {"municipality": CHUO}),
        ("admin", {}),
    ],
)
def test_everyone_else_finds_no_such_delivery(
    app: Flask, api_as: Callable[..., Api], delivered: dict[str, Any], role: str, kwargs
):
    """Another recipient's counterpart (or one bound to none), a respondent, a window and an
    administrator are answered as for a delivery that does not exist — 404, not 403 — on the
    API and the page, and each attempt is in the audit log; no byte of a file leaves."""
    moj = delivered["moj"]
    name = next(iter(moj["files"]))
    nowhere = {"id": "20261201T000000Z-00000000"}
    api = api_as(role, **kwargs)
    hidden = api.client.get(file_url(moj, name, api=True), headers=api.headers())
    absent = api.client.get(file_url(nowhere, name, api=True), headers=api.headers())
    assert hidden.status_code == absent.status_code == 404
    assert hidden.get_json() == absent.get_json() == {"message": "配信が見つかりません。"}
    client = browser(app, role, **kwargs)
    for url in (file_url(moj, name, api=False), file_url(nowhere, name, api=False)):
        answer = client.get(url)
        assert answer.status_code == 404
        assert "配信が見つかりません。" in answer.text
        assert (moj["folder"] / name).read_bytes() not in answer.get_data()
    refused = audited(app, "delivery.refused")
    assert len(refused) == 4
    assert {e.user.role for e in refused} == {role}
    assert f"{moj['id']}/{name}" in {e.target for e in refused}
    assert audited(app, "delivery.download") == []


def test_without_a_token_or_a_session_nothing_is_handed_out(
    client: FlaskClient, delivered: dict[str, Any]
):
    moj = delivered["moj"]
    name = next(iter(moj["files"]))
    assert client.get(file_url(moj, name, api=True)).status_code == 401
    page_answer = client.get(file_url(moj, name, api=False))
    assert page_answer.status_code == 302
    assert page_answer.headers["Location"].startswith("/login?next=")


def test_a_file_changed_on_the_server_is_refused_with_410(
    app: Flask, api_as: Callable[..., Api], delivered: dict[str, Any]
):
    moj = delivered["moj"]
    csv_name = next(n for n in moj["files"] if n.endswith(".csv"))
    path = moj["folder"] / csv_name
    path.write_bytes(path.read_bytes().replace("区部".encode(), "市部".encode(), 1) + b"=1+1\r\n")
    api = api_as("counterpart", recipient="moj")
    answer = api.get(f"/deliveries/{moj['id']}/files/{csv_name}")
    assert answer.status_code == 410
    assert answer.get_json() == {
        "message": "サーバーにあるこのファイルは配信したときのもの（SHA-256）と一致しないため、"
        "お渡しできません。都の担当者にお問い合わせください。"
    }
    assert b"=1+1" not in answer.get_data()
    english = api.get(f"/deliveries/{moj['id']}/files/{csv_name}?lang=en").get_json()
    assert english["message"].startswith("The file on the server no longer matches")
    web_answer = browser(app, "counterpart", recipient="moj").get(
        file_url(moj, csv_name, api=False)
    )
    assert web_answer.status_code == 410
    assert "一致しないため" in web_answer.text
    others = [n for n in moj["files"] if n != csv_name]
    assert all(api.get(f"/deliveries/{moj['id']}/files/{n}").status_code == 200 for n in others)
    unavailable = audited(app, "delivery.file_unavailable")
    assert [(e.details["file"], e.details["reason"]) for e in unavailable] == [
        (csv_name, "changed")
    ] * 3
    assert csv_name not in {e.details["file"] for e in audited(app, "delivery.download")}


def test_a_file_or_folder_no_longer_in_the_outbox_is_refused_with_410(
    app: Flask, api_as: Callable[..., Api], delivered: dict[str, Any]
):
    moj = delivered["moj"]
    names = list(moj["files"])
    (moj["folder"] / names[0]).unlink()
    api = api_as("counterpart", recipient="moj")
    gone = api.get(f"/deliveries/{moj['id']}/files/{names[0]}")
    assert gone.status_code == 410
    assert "出力フォルダに残っていない" in gone.get_json()["message"]
    assert api.get(f"/deliveries/{moj['id']}/files/{names[1]}").status_code == 200
    for leftover in moj["folder"].iterdir():
        leftover.unlink()
    moj["folder"].rmdir()
    assert api.get(f"/deliveries/{moj['id']}/files/{names[1]}").status_code == 410
    reasons = [e.details["reason"] for e in audited(app, "delivery.file_unavailable")]
    assert reasons == ["missing", "missing"]


@pytest.mark.parametrize(
    "name",
    [
        "..",
        "%2E%2E",
        "..%2F..%2Fsecret_key",
        "ｒ１２.xlsx",
        "=HYPERLINK(1).csv",
        "x" * 5000,
    ],
)
def test_a_name_the_delivery_did_not_send_is_404(
    app: Flask, api_as: Callable[..., Api], delivered: dict[str, Any], name: str
):
    """Only the files the delivery recorded (and its manifest) are handed out: nothing beside
    or above its folder, never a 500."""
    api = api_as("counterpart", recipient="moj")
    answer = api.get(f"/deliveries/{delivered['moj']['id']}/files/{name}")
    assert answer.status_code == 404
    assert "message" in answer.get_json()
    assert audited(app, "delivery.download") == []


def test_a_probe_with_a_long_name_is_404_and_still_audited(
    app: Flask, api_as: Callable[..., Api], delivered: dict[str, Any]
):
    api = api_as("respondent", municipality=CHUO)
    answer = api.get(f"/deliveries/{delivered['moj']['id']}/files/{'ｘ' * 3000}.csv")
    assert answer.status_code == 404
    [refused] = audited(app, "delivery.refused")
    assert refused.target.startswith(f"{delivered['moj']['id']}/ｘ")
    assert len(refused.target) == 200


def test_odd_delivery_ids_are_404(api_as: Callable[..., Api], delivered: dict[str, Any]):
    api = api_as("staff")
    name = next(iter(delivered["moj"]["files"]))
    for delivery_id in ("x" * 200, "２０２６", "'; drop table delivery; --", "%00"):
        answer = api.get(f"/deliveries/{quote(delivery_id)}/files/{name}")
        assert answer.status_code == 404, delivery_id


def test_the_operation_is_in_the_openapi_document(client: FlaskClient):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/deliveries/{delivery_id}/files/{file_name}"]["get"]
    assert {"200", "401", "404", "410"} <= set(operation["responses"])
    assert "text/csv; charset=Shift_JIS" in operation["responses"]["200"]["content"]
