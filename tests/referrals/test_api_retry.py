"""``POST /api/v1/referrals`` with ``Idempotency-Key``: a client whose request timed out (or
whose answer was lost) and who sends it again makes one referral, not a second one with the same
要配慮個人情報 and a second mail to the window. Without the header nothing changes (INTERFACES.md:
201 ``{"id"}``, each request a referral)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from hub.db import db
from hub.models import AuditEvent, Referral
from hub.services.referrals import lifecycle
from tests.conftest import Api
from tests.referrals.conftest import Cast, referral_body

KEY = "3f0c8a52-6a1e-4d0b-9d8e-2b7c1e5a9f10"
HEADER = "Idempotency-Key"


def post(api: Api, body: Any, key: str | None = KEY, path: str = "/referrals", **headers: str):
    sent = {**api.headers(), **headers}
    if key is not None:
        sent[HEADER] = key
    return api.client.post(f"/api/v1{path}", json=body, headers=sent)


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Referral)) or 0


def _creates(app: Flask) -> int:
    with app.app_context():
        return len(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "referral.create")
            ).all()
        )


def test_a_retry_with_the_same_key_makes_one_referral_and_one_mail(
    cast: Cast, app: Flask, smtp
) -> None:
    first = post(cast.staff, referral_body())
    assert first.status_code == 201, first.get_json()
    assert "Idempotent-Replayed" not in first.headers
    again = post(cast.staff, referral_body())
    assert again.status_code == 201, again.get_json()
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(app) == 1
    assert _creates(app) == 1
    assert len(smtp.to(cast.emails["window"])) == 1, "the window is told once"


def test_the_same_body_in_another_key_order_and_spacing_is_the_same_request(
    cast: Cast, app: Flask
) -> None:
    first = post(cast.staff, referral_body())
    assert first.status_code == 201
    body = referral_body()
    reordered = json.dumps(dict(reversed(list(body.items()))), ensure_ascii=True, indent=2)
    again = cast.staff.client.post(
        "/api/v1/referrals",
        data=reordered,
        headers={**cast.staff.headers(), HEADER: KEY, "Content-Type": "application/json"},
    )
    assert again.status_code == 201, again.get_json()
    assert again.get_json() == first.get_json()
    assert _count(app) == 1


def test_without_the_header_each_request_is_a_referral(cast: Cast, app: Flask, smtp) -> None:
    """INTERFACES.md's ``POST /referrals`` → 201 ``{"id"}``, unchanged for callers that send
    no key."""
    first = post(cast.staff, referral_body(), key=None)
    second = post(cast.staff, referral_body(), key=None)
    assert (first.status_code, second.status_code) == (201, 201)
    assert set(first.get_json()) == {"id"}
    assert first.get_json() != second.get_json()
    assert _count(app) == 2
    assert len(smtp.to(cast.emails["window"])) == 2


def test_the_same_key_with_another_body_is_refused_naming_the_header(
    cast: Cast, app: Flask, smtp
) -> None:
    first = post(cast.staff, referral_body())
    assert first.status_code == 201
    other = referral_body(person={"name": "佐藤 一郎", "phone": "090-0000-1111"})
    refused = post(cast.staff, other)
    assert refused.status_code == 422, refused.get_json()
    errors = refused.get_json()["errors"]
    assert list(errors) == [HEADER]
    assert f"No.{first.get_json()['id']}" in errors[HEADER][0]
    assert "別の内容" in errors[HEADER][0]
    english = post(cast.staff, other, **{"Accept-Language": "en"})
    assert english.status_code == 422
    assert "different body" in english.get_json()["errors"][HEADER][0]
    assert _count(app) == 1
    assert len(smtp.to(cast.emails["window"])) == 1
    fresh = post(cast.staff, other, key="another-key")
    assert fresh.status_code == 201, "a new key makes the other referral"
    assert _count(app) == 2


@pytest.mark.parametrize("key", ["", "a" * 65, "two words", "キー", "a:b", "key/1", "a.b", "Ａbc"])
def test_a_bad_key_is_refused_naming_the_header(cast: Cast, app: Flask, key: str) -> None:
    answer = post(cast.staff, referral_body(), key=key.encode("utf-8").decode("latin-1"))
    assert answer.status_code == 422, answer.get_json()
    assert list(answer.get_json()["errors"]) == [HEADER]
    assert "Idempotency-Key は 1〜64 文字" in answer.get_json()["errors"][HEADER][0]
    english = post(
        cast.staff,
        referral_body(),
        key=key.encode("utf-8").decode("latin-1"),
        path="/referrals?lang=en",
    )
    assert "1 to 64 letters" in english.get_json()["errors"][HEADER][0]
    assert _count(app) == 0


def test_the_longest_and_shortest_keys_are_taken(cast: Cast, app: Flask) -> None:
    for key in ("a", "Z_-9" * 16):
        first = post(cast.staff, referral_body(), key=key)
        assert first.status_code == 201, first.get_json()
        assert post(cast.staff, referral_body(), key=key).get_json() == first.get_json()
    assert _count(app) == 2


def test_a_refused_body_does_not_spend_the_key(cast: Cast, app: Flask) -> None:
    """A body refused for a field (422) stores nothing: corrected and sent with the same key, it
    is made; sent again, it is the same referral."""
    body = referral_body()
    del body["consent"]
    assert post(cast.staff, body).status_code == 422
    made = post(cast.staff, referral_body())
    assert made.status_code == 201, made.get_json()
    assert post(cast.staff, referral_body()).get_json() == made.get_json()
    assert _count(app) == 1


def test_another_users_same_key_is_another_referral(cast: Cast, app: Flask) -> None:
    mine = post(cast.staff, referral_body())
    theirs = post(cast.probation, referral_body())
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.get_json() != theirs.get_json()
    assert "Idempotent-Replayed" not in theirs.headers
    assert _count(app) == 2
    assert post(cast.probation, referral_body()).get_json() == theirs.get_json()


def test_an_api_key_never_meets_a_page_forms_key(cast: Cast, app: Flask) -> None:
    """The page form stores ``<user id>:<key>``; the API's is ``api:…``, with neither the key
    nor any personal data in clear."""
    assert post(cast.staff, referral_body()).status_code == 201
    with app.app_context():
        stored = db.session.scalars(select(Referral.submission_key)).one()
    assert stored is not None
    assert stored.startswith("api:")
    assert len(stored) <= 64
    assert KEY not in stored
    for clear in ("山田", "090", "132012", "八王子"):
        assert clear not in stored


def test_a_race_of_two_retries_ends_with_one_referral(
    cast: Cast, app: Flask, smtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second request looks before the first one's referral is committed (it finds none),
    then meets the unique index: it answers the first one's id, with no second mail."""
    first = post(cast.staff, referral_body())
    assert first.status_code == 201
    looked = []
    earlier = lifecycle.Idempotency.earlier

    def not_yet(self: lifecycle.Idempotency) -> Referral | None:
        looked.append(1)
        return None if len(looked) == 1 else earlier(self)

    monkeypatch.setattr(lifecycle.Idempotency, "earlier", not_yet)
    second = post(cast.staff, referral_body())
    assert second.status_code == 201, second.get_json()
    assert second.get_json() == first.get_json()
    assert len(looked) == 2, "the stored one was looked up again after the clash"
    assert _count(app) == 1
    assert len(smtp.to(cast.emails["window"])) == 1


def test_the_bodys_hmac_goes_with_the_personal_data(cast: Cast, app: Flask) -> None:
    """Consent withdrawn erases the person; the body's HMAC goes too, and the key still makes
    no second referral: its retry is told the referral's data was erased."""
    made = post(cast.staff, referral_body())
    referral_id = made.get_json()["id"]
    assert cast.staff.post(f"/referrals/{referral_id}/withdraw-consent").status_code == 200
    with app.app_context():
        stored = db.session.get_one(Referral, referral_id).submission_key
    assert stored is not None
    assert stored.count(":") == 1
    again = post(cast.staff, referral_body())
    assert again.status_code == 422, again.get_json()
    assert "消去済み" in again.get_json()["errors"][HEADER][0]
    assert _count(app) == 1


def test_the_openapi_document_describes_the_header(cast: Cast) -> None:
    operation = cast.staff.client.get("/api/v1/openapi.json").get_json()["paths"][
        "/api/v1/referrals"
    ]["post"]
    [parameter] = [p for p in operation.get("parameters", []) if p["name"] == HEADER]
    assert parameter["in"] == "header"
    assert parameter["required"] is False
    assert parameter["schema"]["pattern"] == "^[A-Za-z0-9_-]{1,64}$"
    assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]


def test_one_key_with_two_bodies_at_the_same_moment_makes_one_referral(
    cast: Cast, app: Flask, smtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests with one key and different bodies at once (a client's bug): the second waits
    for the first (the key's lock) and then finds its referral, instead of both looking before
    either has written — their stored values differ, so the unique column alone would take
    both. The first lingers between its look and its write long enough for the other to look
    too if nothing held it back."""
    import threading
    import time

    looked = lifecycle.Idempotency.earlier
    entered: list[float] = []

    def slow_look(self: lifecycle.Idempotency) -> Referral | None:
        found = looked(self)
        entered.append(time.monotonic())
        if len(entered) == 1:
            time.sleep(0.5)
        return found

    monkeypatch.setattr(lifecycle.Idempotency, "earlier", slow_look)
    bodies = [referral_body(), referral_body(summary="別の概要")]
    start = threading.Barrier(2)
    codes: list[int] = []

    def send(body: dict[str, Any]) -> None:
        start.wait()
        codes.append(post(Api(app.test_client(), cast.staff.token), body).status_code)

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(codes) == [201, 422], "one makes the referral, the other is told the key is used"
    assert _count(app) == 1
    assert len(smtp.to(cast.emails["window"])) == 1
