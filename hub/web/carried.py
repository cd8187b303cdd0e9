"""What was typed into a page form whose session ended, carried across a new sign-in.

When a page POST arrives after the session timed out or without a valid CSRF token, nothing is
saved. The typed fields of a form that may carry them (a questionnaire's page, or a view marked
with :func:`carries`) travel to the sign-in page and back inside a token signed with the app's
secret key, bound to the page (endpoint and its arguments) and to the account that typed them,
and valid for an hour. The browser can carry the token but cannot change what it holds; a
changed, expired or oversized token is refused. A form marked ``sensitive`` (a referral's
要配慮個人情報) has its fields sealed with the data key too (AES-256-GCM,
``hub.services.users.sealed_for_showing``), so the token shows nothing of them.

Never carried: a CSRF token, a field whose name says password, a file. The token gives no
authority: whoever signs in must still be allowed to use that page, another account than the one
that typed gets nothing, and nothing is saved until the button is pressed again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeGuard, TypeVar

from flask import current_app, g, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from forms.model import Kind, Questionnaire
from hub.services import users
from hub.web.display import answer_text, locale_code

SALT = "hub.web.carried-answers"
MAX_AGE_SECONDS = 60 * 60
MAX_TOKEN_CHARS = 256 * 1024
VERSION_FIELD = "version"
NEVER_CARRIED = ("csrf_token", "carried")
CARRY_ATTR = "_hub_carry"
REFILL = "hub_refill"
REFILL_FROM = "hub_refill_from"

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class Carry:
    """How a view's form is carried: ``page`` is the endpoint whose GET shows the form (the
    view's own when ``None``), ``sensitive`` seals the fields and keeps them off the sign-in
    page."""

    page: str | None = None
    sensitive: bool = False


def carries(page: str | None = None, *, sensitive: bool = False) -> Callable[[View], View]:
    """Mark a page view whose POST gives its typing back after the session ended (the GET of
    ``page`` — the view's own by default — then opens with it, see :func:`refill`)."""

    def mark(view: View) -> View:
        setattr(view, CARRY_ATTR, Carry(page=page, sensitive=sensitive))
        return view

    return mark


def carry_of(endpoint: str | None) -> Carry | None:
    view = current_app.view_functions.get(endpoint or "")
    rule = getattr(view, CARRY_ATTR, None)
    return rule if isinstance(rule, Carry) else None


@dataclass(frozen=True)
class Carried:
    """What one page POST held: its endpoint and arguments, its fields as typed (lists of
    strings, as a form posts them) and who typed them (``None``: not known)."""

    endpoint: str
    args: dict[str, Any]
    fields: dict[str, list[str]]
    user_id: int | None = None
    sensitive: bool = field(default=False, compare=False)

    @property
    def round_id(self) -> int:
        return int(self.args["round_id"])

    @property
    def code(self) -> str:
        return str(self.args["code"])

    def formdata(self) -> MultiDict[str, str]:
        return MultiDict(
            [(name, value) for name, values in self.fields.items() for value in values]
        )

    def page_endpoint(self) -> str:
        """The endpoint whose GET shows the form (for a page marked with :func:`carries`)."""
        rule = carry_of(self.endpoint) or Carry()
        return rule.page or self.endpoint

    def page_url(self) -> str:
        return url_for(self.page_endpoint(), **self.args)

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
    return Carried(
        endpoint=endpoint, args={"round_id": round_id, "code": code}, fields=fields, user_id=None
    )


def from_page_request(rule: Carry, user_id: int) -> Carried:
    """This request's typed fields for a view marked with :func:`carries`: everything posted
    but the CSRF token and passwords (files are not in ``request.form``). The arguments are
    the path's and the query's the form posted to (a page and its filters: the board's page of
    municipalities ticked for a reminder opens again on that page)."""
    fields = {
        name: request.form.getlist(name)
        for name in request.form
        if name not in NEVER_CARRIED and "password" not in name.lower()
    }
    return Carried(
        endpoint=request.endpoint or "",
        args={**_query(), **(request.view_args or {})},
        fields=fields,
        user_id=user_id,
        sensitive=rule.sensitive,
    )


def _query() -> dict[str, str]:
    """The query's arguments, less those ``url_for`` would read as its own (``_external``,
    ``_scheme``, ``_anchor``…: the page's address is built from these and stays ours)."""
    return {name: value for name, value in request.args.items() if not name.startswith("_")}


def with_typist(carried: Carried, user_id: int | None) -> Carried:
    return Carried(carried.endpoint, carried.args, carried.fields, user_id, carried.sensitive)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt=SALT)


def _context(endpoint: str, user_id: int | None) -> str:
    return f"hub.web.carried:{endpoint}:{user_id}"


def sign(carried: Carried) -> str | None:
    """The token, or ``None`` when it would be too large to carry."""
    data: dict[str, Any] = {
        "endpoint": carried.endpoint,
        "args": carried.args,
        "user": carried.user_id,
    }
    if carried.sensitive:
        plain = json.dumps(carried.fields, ensure_ascii=False)
        data["sealed"] = users.sealed_for_showing(
            plain, _context(carried.endpoint, carried.user_id)
        )
    else:
        data["fields"] = carried.fields
    token = _serializer().dumps(data)
    return token if len(token) <= MAX_TOKEN_CHARS else None


def load(token: str) -> Carried | None:
    """The carried typing, or ``None`` when the token was changed, is over an hour old or is
    not one of ours."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not _well_formed(data):
        return None
    sensitive = "sealed" in data
    if sensitive:
        plain = users.opened_for_showing(data["sealed"], _context(data["endpoint"], data["user"]))
        fields = json.loads(plain) if plain is not None else None
    else:
        fields = data.get("fields")
    if not _fields_well_formed(fields):
        return None
    return Carried(
        endpoint=data["endpoint"],
        args=data["args"],
        fields=fields,
        user_id=data["user"],
        sensitive=sensitive,
    )


def _well_formed(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("endpoint"), str)
        and isinstance(data.get("args"), dict)
        and (data.get("user") is None or isinstance(data.get("user"), int))
        and (isinstance(data.get("sealed"), str) or "fields" in data)
    )


def _fields_well_formed(fields: Any) -> TypeGuard[dict[str, list[str]]]:
    return isinstance(fields, dict) and all(
        isinstance(values, list) and all(isinstance(v, str) for v in values)
        for values in fields.values()
    )


# ------------------------------------------------------------- the page opened with the typing


def refill(posted_to: str | None = None) -> MultiDict[str, str] | None:
    """The typing being given back to this GET of a form's page after a new sign-in
    (``hub.web.resume``), or ``None``: a view shows these in its fields instead of its
    defaults, and saves nothing. A page with several carried forms names the one it asks
    about by the endpoint it posts to (``posted_to``): the typing of another is not its."""
    typed = g.get(REFILL)
    if not isinstance(typed, MultiDict):
        return None
    if posted_to is not None and g.get(REFILL_FROM) != posted_to:
        return None
    return typed


def refilled(name: str, posted_to: str | None = None) -> str | None:
    """What was typed into field ``name``, on a GET giving typing back (``None`` otherwise)."""
    typed = refill(posted_to)
    return typed.get(name) if typed is not None else None


def refilled_list(name: str, posted_to: str | None = None) -> list[str] | None:
    """Every value typed or ticked under ``name`` (check boxes), on a GET giving typing back
    (``None`` otherwise)."""
    typed = refill(posted_to)
    return typed.getlist(name) if typed is not None else None


def typed_values() -> Any:
    """What a page's hand-written fields show: what was posted, the typing given back, or
    nothing."""
    if request.method == "POST":
        return request.form
    return refill() or {}


FormT = TypeVar("FormT")


def refill_form(form: FormT, posted_to: str | None = None) -> FormT:
    """``form`` (a WTForms form built for a GET) with the typing given back in its fields, when
    there is some (and, with ``posted_to``, when it was typed into the form posting there)."""
    typed = refill(posted_to)
    if typed is not None:
        form.process(formdata=typed)  # type: ignore[attr-defined]
    return form
