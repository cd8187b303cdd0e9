"""Walking the whole URL map with real ids, as each role: the world the walk needs (a round, a
response of the respondent's own municipality, a target user with a token, a recipient and a
delivery to it in the outbox, a consultation case, a hearing) and one request per (rule, method).

A new route whose path parameter is not known here fails the walk with a message saying what to
add, so no route escapes the role and CSRF checks by having an unfamiliar parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from hub.auth.gate import PUBLIC_ENDPOINTS, permission_of
from hub.db import db
from hub.models import ApiToken, Role
from hub.services import consultations, deliveries, hearings, questionnaires, responses
from hub.services.referrals import lifecycle
from hub.services.users import create_token
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.questionnaires.files import kenshu_v1

OWN = "131016"
SUBMITTED = ("131059", "131067", "131075")
"""Three other municipalities that submitted, so that the round's summary may be delivered."""
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
ROLES = ("anonymous", Role.COUNTERPART, Role.RESPONDENT, Role.STAFF, Role.ADMIN, Role.WINDOW)


@dataclass
class World:
    ids: dict[str, Any]
    version: int


def build_world(app: Flask, *, delivery: bool = True) -> World:
    """The world; ``delivery=False`` leaves out the delivery (and the three submissions it
    needs) for a walk that makes its own: the file route's ids then name none."""
    with app.app_context():
        round_id = make_round().id
        target = make_user(role=Role.STAFF, email="target@example.jp")
        respondent = make_user(role=Role.RESPONDENT, municipality=OWN)
        response = response_of(round_id, OWN)
        responses.save_draft(
            response, complete_answers(), version=response.version, user=respondent
        )
        create_token(target, description="walk")
        case = consultations.record_case(
            {
                "received_on": "令和2年5月19日",
                "channel": "電話",
                "age_group": "７０代",
                "caller": "family",
                "crime_related": "はい",
                "crime_type": "万引き",
                "referred_to": "municipal_window",
                "municipality": "千代田区",
            },
            user=None,
        )
        hearing = hearings.record_hearing(
            OWN, {"held_on": "令和2年6月1日", "department": "地域福祉課"}, user=None
        )
        draft = questionnaires.create_draft(kenshu_v1(), "kenshu.xlsx", user=target)
        referral = lifecycle.create(
            referral_body(OWN), referrer="staff", user=make_user(role=Role.STAFF)
        )
        db.session.commit()
        delivered = {"delivery_id": "20261201T000000Z-00000000", "file_name": "none.csv"}
        if delivery:
            delivered = deliver_to_moj(round_id)
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == target.id))
        ids = {
            "round_id": round_id,
            "code": OWN,
            "user_id": target.id,
            "token_id": token_id,
            "name": "moj",
            "recipient": "moj",
            "case_id": case.id,
            "consultation_id": case.id,
            "lang": "ja",
            "referral_id": referral.id,
            "question": "plan_status",
            "questionnaire_id": "torikumi",
            "version": 1,
            "draft_id": draft.id,
            "hearing_id": hearing.id,
            **delivered,
        }
        return World(ids=ids, version=response.version)


def deliver_to_moj(round_id: int) -> dict[str, str]:
    """An outbox delivery of the round to 法務省 (the walk's counterpart), through the real
    service, after three other municipalities submit: the ids of its first file."""
    for code in SUBMITTED:
        responses.submit(response_of(round_id, code), raw_answers=complete_answers(), user=None)
    db.session.commit()
    outcome = deliveries.deliver("moj", round_id)
    assert outcome.delivery is not None, outcome.message
    return {"delivery_id": outcome.delivery.id, "file_name": outcome.delivery.files[0]["name"]}


def referral_body(municipality: str) -> dict[str, Any]:
    return {
        "municipality": municipality,
        "person": {"name": "歩 行者", "phone": "03-5321-1111"},
        "needs": ["employment"],
        "summary": "",
        "consent": {"obtained_on": "2025-04-01", "obtained_by": "都 相談員", "scope": "窓口へ"},
    }


def url_of(rule: Rule, ids: dict[str, Any]) -> str:
    missing = set(rule.arguments) - set(ids)
    assert not missing, (
        f"{rule.rule}: add a real value for {sorted(missing)} in tests/security/walk.py"
    )
    return rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]


def routes(app: Flask) -> list[tuple[Rule, str]]:
    """Every (rule, method) of the URL map except static files; GETs first, logout last."""
    found = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    return sorted(
        found,
        key=lambda r: (r[0].endpoint == "auth.logout", r[1] in UNSAFE, r[0].rule, r[1]),
    )


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/")


def permission(app: Flask, rule: Rule) -> str:
    with app.test_request_context():
        found = permission_of(rule.endpoint)
    assert found is not None or rule.endpoint in PUBLIC_ENDPOINTS, rule.endpoint
    return found or "public"


def api_body(url: str, version: int) -> dict[str, Any]:
    """A well-formed body for each API write, so that only the access check can refuse it."""
    if url.endswith("/return"):
        return {"reason": "確認のため差し戻します"}
    if url.endswith("/extension"):
        return {"until": "2099-01-01T17:00:00+09:00"}
    if url.endswith(("/submit", "/accept")):
        return {}
    if url.endswith("/referrals"):
        return referral_body(OWN)
    if url.endswith("/decline"):
        return {"reason": "管轄外のため"}
    if url.endswith("/contacts"):
        return {"on": "2025-04-03", "method": "phone", "note": "連絡", "next_follow_up": None}
    if url.endswith("/close"):
        return {"outcome": "connected"}
    if url.endswith("/reroute"):
        return {"municipality": "131024", "consent": {"scope": "港区の窓口へ", "confirmed": True}}
    if "/notes/" in url:
        return {"note": "備考"}
    if url.endswith("/consultations"):
        return {
            "received_on": "2020-05-19",
            "channel": "phone",
            "age_group": "70s",
            "caller": "family",
            "crime_related": False,
            "referred_to": [],
            "municipality": OWN,
        }
    return {"answers": {"contact_name": "都庁 花子"}, "version": version}


def form_body(csrf: str | None) -> dict[str, str]:
    """What a careless form post might carry; CSRF token only when given."""
    body = {"reason": "確認", "action": "save", "until": "2099-01-01 17:00", "municipality": OWN}
    if csrf is not None:
        body["csrf_token"] = csrf
    return body


def request(
    client: FlaskClient,
    rule: Rule,
    method: str,
    url: str,
    *,
    version: int,
    token: str | None = None,
    csrf: str | None = None,
) -> TestResponse:
    if is_api(rule):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = api_body(url, version) if method in UNSAFE else None
        answer = client.open(url, method=method, json=body, headers=headers)
    elif method in UNSAFE:
        answer = client.open(url, method=method, data=form_body(csrf))
    else:
        answer = client.open(url, method=method)
    answer.close()
    return answer
