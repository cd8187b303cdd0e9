"""What the mails the hub sends share: links to its pages, their closing lines, and the
respondents they go to. Every mail is written by ``exports/channels/smtp.py::build_message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from exports.channels import smtp
from hub.db import db
from hub.models import Role, User


def link(endpoint: str, **values: Any) -> str:
    """An absolute link to a page, built on ``HUB_PUBLIC_URL`` (also outside a request)."""
    base = current_app.extensions["hub_settings"].public_url
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def closing(*, note: str = "") -> list[str]:
    """The lines every mail ends with (:func:`exports.channels.smtp.closing`): sent by the system,
    whom to ask (``HUB_MAIL_REPLY_TO``), the sender."""
    return smtp.closing(current_app.extensions["hub_settings"], note=note)


def mail_configured() -> bool:
    """Whether a mail server is set (``HUB_SMTP_URL``): without one nothing is sent or queued."""
    return bool(current_app.extensions["hub_settings"].smtp_url)


@dataclass(frozen=True)
class Addressee:
    name: str
    email: str


def respondents(codes: Iterable[str]) -> dict[str, tuple[Addressee, ...]]:
    """The active respondent accounts of each of ``codes`` that has any, in one query: whom a
    mail to a municipality goes to."""
    found: dict[str, list[Addressee]] = {}
    for code, name, email in db.session.execute(
        select(User.municipality_code, User.display_name, User.email)
        .where(
            User.role == Role.RESPONDENT,
            User.active.is_(True),
            User.municipality_code.in_(set(codes)),
        )
        .order_by(User.email)
    ):
        if code is not None:
            found.setdefault(code, []).append(Addressee(name, email))
    return {code: tuple(people) for code, people in found.items()}


def respondent_addresses(municipality_code: str) -> list[str]:
    """The addresses of ``municipality_code``'s active respondent accounts, read as a mail goes."""
    return [a.email for a in respondents([municipality_code]).get(municipality_code, ())]
