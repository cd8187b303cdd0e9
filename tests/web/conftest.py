"""Helpers for testing the pages as a person uses them: sign in, read the page, post its forms.

``Web`` wraps a Flask test client with its own cookies; it reads the CSRF token from the last page
it fetched (the app runs with CSRF protection on, as in production).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import lxml.html
import pytest
from flask import Flask
from werkzeug.test import TestResponse

from hub.db import db
from hub.models import User
from tests.conftest import PASSWORD, make_user


class Web:
    def __init__(self, app: Flask, user: User | None = None) -> None:
        self.app = app
        self.client = app.test_client()
        self.user = user
        self.last: TestResponse | None = None

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        self.last = self.client.get(url, **kwargs)
        return self.last

    def csrf(self) -> str:
        if self.last is None or "csrf_token" not in self.last.get_data(as_text=True):
            self.get("/login")
        assert self.last is not None
        token = page(self.last).xpath("//input[@name='csrf_token']/@value")
        assert token, "the page has no CSRF token"
        return str(token[0])

    def post(
        self, url: str, data: Mapping[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> TestResponse:
        payload = dict(data or {})
        if csrf:
            payload.setdefault("csrf_token", self.csrf())
        self.last = self.client.post(url, data=payload, **kwargs)
        return self.last

    def login(self, email: str, password: str = PASSWORD) -> TestResponse:
        self.get("/login")
        return self.post("/login", {"email": email, "password": password})


def page(response: TestResponse) -> Any:
    """The response body as an lxml document."""
    return lxml.html.fromstring(response.get_data(as_text=True))


def text_of(response: TestResponse) -> str:
    """The visible text of a page, whitespace collapsed."""
    doc = page(response)
    for node in doc.xpath("//script|//style"):
        node.drop_tree()
    return " ".join(doc.text_content().split())


def textarea_value(node: Any) -> str:
    """A text area's value as a browser reads it: one leading newline is not part of it."""
    text = node.text or ""
    return text[1:] if text.startswith("\n") else text


def field_values(response: TestResponse, form_xpath: str = "//form[@data-questionnaire]") -> dict:
    """What a form shows: text values, checked radios and check boxes (lists), text areas."""
    form = page(response).xpath(form_xpath)[0]
    values: dict[str, Any] = {}
    for node in form.xpath(".//input|.//textarea|.//select"):
        name = node.get("name")
        kind = node.get("type", "text")
        if not name or kind in ("submit", "button"):
            continue
        if kind == "radio":
            values.setdefault(name, None)
            if node.get("checked") is not None:
                values[name] = node.get("value")
        elif kind == "checkbox":
            values.setdefault(name, [])
            if node.get("checked") is not None:
                values[name].append(node.get("value"))
        elif node.tag == "textarea":
            values[name] = textarea_value(node)
        elif node.tag == "select":
            chosen = node.xpath(".//option[@selected]/@value")
            values[name] = chosen if node.get("multiple") is not None else next(iter(chosen), "")
        else:
            values[name] = node.get("value", "")
    return values


@pytest.fixture
def web(app: Flask) -> Callable[..., Web]:
    """``web("respondent", municipality="131016")``: a signed-in browser-like client."""

    def make(role: str | None = None, **kwargs: Any) -> Web:
        if role is None:
            return Web(app)
        with app.app_context():
            user = make_user(role=role, **kwargs)
            db.session.expunge(user)
        client = Web(app, user)
        answer = client.login(user.email)
        assert answer.status_code == 302, answer.get_data(as_text=True)
        return client

    return make
