"""What the mails the hub sends share: links to its pages, their closing lines, and the
respondents they go to. Every mail is written by ``exports/channels/smtp.py::build_message``."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from exports.channels import smtp
from hub.db import db
from hub.models import Response, Role, User


def link(endpoint: str, **values: Any) -> str:
    """An absolute link to a page, built on ``HUB_PUBLIC_URL`` (also outside a request)."""
    base = current_app.extensions["hub_settings"].public_url
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def closing(*, note: str = "", english: bool = False) -> list[str]:
    """The lines every mail ends with (:func:`exports.channels.smtp.closing`): sent by the system,
    whom to ask (``HUB_MAIL_REPLY_TO``), the sender; in Japanese, or (``english``) in English, as
    the English part of a mail ends."""
    with in_language(english):
        return smtp.closing(current_app.extensions["hub_settings"], note=note, _=_)


def mail_configured() -> bool:
    """Whether a mail server is set (``HUB_SMTP_URL``): without one nothing is sent or queued."""
    return bool(current_app.extensions["hub_settings"].smtp_url)


ENGLISH_AFTER = "-- English --"
"""The line between a mail's Japanese and its English."""


def reads_english(locale: str | None) -> bool:
    """Whether an account that chose ``locale`` reads the hub in English: the one rule for the
    language of what the hub mails to a person (its pages choose the same way)."""
    return (locale or "ja").startswith("en")


def with_english(subject: str, body: str, subject_en: str, body_en: str) -> tuple[str, str]:
    """A mail in Japanese with the same in English after it (the subject too), for readers of
    whom some chose English: Japanese is the hub's first language, and a mail to several people
    is one mail. ``body`` ends with the closing lines (:func:`closing`); ``body_en`` is written
    without them, and gets them here in English, so that each part ends as a mail does."""
    english = "\n".join([body_en.rstrip(), *closing(english=True)])
    return f"{subject} / {subject_en}", f"{body.rstrip()}\n\n{ENGLISH_AFTER}\n{english}\n"


def as_sent(
    subject: str,
    body: str,
    subject_en: str | None,
    body_en: str | None,
    readers: Iterable[Addressee],
) -> tuple[str, str]:
    """The subject and body a mail to a municipality's ``readers`` goes with: its Japanese, and
    its English after it (:func:`with_english`) when one of them chose English; what the 督促
    preview shows and what the mail queue sends."""
    if subject_en and body_en and any(reader.english for reader in readers):
        return with_english(subject, body, subject_en, body_en)
    return subject, body


def locale_of(english: bool) -> str:
    return "en" if english else "ja"


def in_language(english: bool) -> AbstractContextManager[None]:
    """Write a mail's Japanese, or (``english``) its English: ``_()`` inside speaks it."""
    return force_locale(locale_of(english))


def addressed_to(response: Response, english: bool) -> list[str]:
    """The lines a mail to a municipality's respondents opens with: 「八王子市 ご担当者様」, in
    English with its English name."""
    municipality = response.municipality
    name = municipality.name_for(english=english)
    return [_("%(name)s ご担当者様", name=name), ""]


@dataclass(frozen=True)
class Addressee:
    name: str
    email: str
    english: bool = False
    """The account chose English (:func:`reads_english`)."""


def respondents(codes: Iterable[str]) -> dict[str, tuple[Addressee, ...]]:
    """The active respondent accounts of each of ``codes`` that has any, in one query: whom a
    mail to a municipality goes to."""
    found: dict[str, list[Addressee]] = {}
    for code, name, email, locale in db.session.execute(
        select(User.municipality_code, User.display_name, User.email, User.locale)
        .where(
            User.role == Role.RESPONDENT,
            User.active.is_(True),
            User.municipality_code.in_(set(codes)),
        )
        .order_by(User.email)
    ):
        if code is not None:
            found.setdefault(code, []).append(Addressee(name, email, reads_english(locale)))
    return {code: tuple(people) for code, people in found.items()}


def respondents_of(municipality_code: str) -> tuple[Addressee, ...]:
    """``municipality_code``'s active respondent accounts, read as a mail goes: their addresses
    and whether any of them chose English."""
    return respondents([municipality_code]).get(municipality_code, ())
