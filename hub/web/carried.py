"""Answers typed into a questionnaire whose session ended, carried across a new sign-in.

When a questionnaire POST arrives after the session timed out or without a valid CSRF token,
nothing is saved. Its typed fields travel to the sign-in page and back inside a token signed
with the app's secret key, bound to the questionnaire page (endpoint, round, municipality) and
valid for an hour. The browser can carry the token but cannot change what it holds; a changed,
expired or oversized token is refused. The token gives no authority: whoever signs in must
still be allowed to edit that response, and must press 一時保存 to save anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from forms.model import Kind, Questionnaire
from hub.web.display import answer_text, locale_code

SALT = "hub.web.carried-answers"
MAX_AGE_SECONDS = 60 * 60
MAX_TOKEN_CHARS = 256 * 1024
VERSION_FIELD = "version"


@dataclass(frozen=True)
class Carried:
    """What one questionnaire POST held: its page and its fields as typed (lists of strings,
    as a form posts them), the page's ``version`` included."""

    endpoint: str
    round_id: int
    code: str
    fields: dict[str, list[str]]

    def formdata(self) -> MultiDict[str, str]:
        return MultiDict(
            [(name, value) for name, values in self.fields.items() for value in values]
        )

    def typed(self, questionnaire: Questionnaire) -> list[tuple[str, str]]:
        """``(question label, what was typed)`` for every question given an answer, in the
        page's language: text as typed, choices by their labels."""
        locale = locale_code()
        rows = []
        for question in questionnaire:
            values = [v for v in self.fields.get(question.id, []) if v.strip()]
            if not values:
                continue
            if question.kind == Kind.MANY_OF:
                text = answer_text(question, values)
            elif question.kind in (Kind.ONE_OF, Kind.BOOL):
                text = answer_text(question, values[0])
            else:
                text = values[0]
            rows.append((question.label.get(locale), text))
        return rows


def from_request(endpoint: str, round_id: int, code: str, questionnaire: Questionnaire) -> Carried:
    """The questionnaire fields of this request's form (nothing else: no CSRF token, no
    password), as posted."""
    names = {q.id for q in questionnaire} | {VERSION_FIELD}
    fields = {name: request.form.getlist(name) for name in request.form if name in names}
    return Carried(endpoint=endpoint, round_id=round_id, code=code, fields=fields)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt=SALT)


def sign(carried: Carried) -> str | None:
    """The token, or ``None`` when it would be too large to carry."""
    token = _serializer().dumps(
        {
            "endpoint": carried.endpoint,
            "round": carried.round_id,
            "code": carried.code,
            "fields": carried.fields,
        }
    )
    return token if len(token) <= MAX_TOKEN_CHARS else None


def load(token: str) -> Carried | None:
    """The carried answers, or ``None`` when the token was changed, is over an hour old or is
    not one of ours."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not _well_formed(data):
        return None
    return Carried(
        endpoint=data["endpoint"], round_id=data["round"], code=data["code"], fields=data["fields"]
    )


def _well_formed(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("endpoint"), str)
        and isinstance(data.get("round"), int)
        and isinstance(data.get("code"), str)
        and isinstance(data.get("fields"), dict)
        and all(
            isinstance(values, list) and all(isinstance(v, str) for v in values)
            for values in data["fields"].values()
        )
    )
