"""A referral form sent twice — a second click after the page's five seconds on a slow line or
without its script, or a browser or proxy sending it again — makes one referral: the form carries a key
of its own (``submission``), stored with the referral it made, and the second send leads to that
referral, saying so. A duplicate would count twice in the statistics and mail the window twice,
and could only be taken back as a withdrawal of consent (本人辞退), which it is not."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from hub.db import db
from hub.models import AuditEvent, Referral
from tests.referrals.conftest import Cast
from tests.referrals.test_pages import FORM
from tests.web.conftest import Web, field_values, page, text_of

NEW = "/referrals/new"
FORM_XPATH = f"//form[@method='post'][@action='{NEW}']"


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Referral)) or 0


def test_the_same_form_sent_twice_makes_one_referral(
    desk: Web, app: Flask, cast: Cast, smtp
) -> None:
    key = field_values(desk.get(NEW), FORM_XPATH).get("submission", "")
    sent = {**FORM, "submission": key}
    first = desk.post(NEW, sent)
    assert first.status_code == 302, text_of(first)
    case = first.headers["Location"]
    again = desk.post(NEW, sent)
    assert again.status_code == 302, text_of(again)
    assert again.headers["Location"] == case
    shown = text_of(desk.get(case))
    assert "このつなぎ依頼は送信済みです" in shown
    assert _count(app) == 1
    assert len(smtp.to(cast.emails["window"])) == 1, "the window is told once"
    with app.app_context():
        creates = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "referral.create")
        ).all()
        assert len(creates) == 1
    fresh = field_values(desk.get(NEW), FORM_XPATH)["submission"]
    assert fresh != key, "each form its own key"
    assert desk.post(NEW, {**FORM, "submission": fresh}).status_code == 302
    assert _count(app) == 2, "a new form is a new referral"


def test_the_key_stays_with_the_typing_through_a_refusal(desk: Web, app: Flask) -> None:
    """A form refused for a field (422) keeps its key: corrected and sent, then sent again, it is
    still one referral."""
    key = field_values(desk.get(NEW), FORM_XPATH)["submission"]
    refused = desk.post(NEW, {**FORM, "person-name": "", "submission": key})
    assert refused.status_code == 422
    assert page(refused).xpath("//input[@name='submission']/@value") == [key]
    first = desk.post(NEW, {**FORM, "submission": key})
    second = desk.post(NEW, {**FORM, "submission": key})
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(app) == 1


def test_a_key_of_someone_elses_referral_makes_a_referral_of_ones_own(
    desk: Web, app: Flask, cast: Cast
) -> None:
    """Another referrer's form key (東京保護観察所 sending what 都 staff sent) neither leads to
    that referral nor stops the new one."""
    key = field_values(desk.get(NEW), FORM_XPATH)["submission"]
    assert desk.post(NEW, {**FORM, "submission": key}).status_code == 302
    probation = Web(app)
    assert probation.login(cast.emails["probation"]).status_code == 302
    probation.get(NEW)
    made = probation.post(NEW, {**FORM, "submission": key})
    assert made.status_code == 302, text_of(made)
    assert _count(app) == 2
    assert "送信済み" not in text_of(probation.get(made.headers["Location"]))
