"""One label for each thing, in the reader's language (issue 14, item 8): the audit filter and rows
name actions, rounds, recipients, requests and municipalities, never their codes; 聞き取り is
聞き取り everywhere; the counterpart's page names its recipient by its title."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from hub.audit.views import ACTION_LABELS, FAMILY_LABELS
from hub.db import db
from hub.services import audit, deliveries, excel, responses
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.web.conftest import page, text_of

CHIYODA = "131016"


def test_every_family_of_actions_has_a_label():
    families = {action.split(".", 1)[0] for action in ACTION_LABELS}
    assert families <= set(FAMILY_LABELS)


def recorded_literally() -> set[str]:
    """Every action the code records by a string literal (``audit.record("round.open", …)``)."""
    found = set()
    for path in Path(__file__).resolve().parents[2].joinpath("hub").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("record", "row")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found | referral_actions()


def referral_actions() -> set[str]:
    """The referral's steps, recorded as ``referral.<step>`` by ``lifecycle._audit("<step>", …)``."""
    path = Path(__file__).resolve().parents[2] / "hub" / "services" / "referrals" / "lifecycle.py"
    return {
        f"referral.{node.args[0].value}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_audit"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def test_every_action_recorded_has_a_label():
    """The audit page never shows an action's code: each one the code records is labelled."""
    from hub.services.municipal_mail import DEADLINE_MAIL, RETURN_MAIL
    from hub.services.reminders import MANUAL_SEND

    recorded = recorded_literally() | {DEADLINE_MAIL, RETURN_MAIL, MANUAL_SEND}
    assert len(recorded) > 40
    assert {"referral.create", "referral.reroute"} <= recorded
    assert sorted(recorded - set(ACTION_LABELS)) == []


def test_the_audit_page_names_things(app, web):
    auditor = web("staff")
    with app.app_context():
        round_ = make_round()
        round_.title = "令和3年度 取組状況調査"
        staff = make_user(role="staff")
        clerk = make_user(role="respondent", municipality=CHIYODA)
        response = response_of(round_.id, CHIYODA)
        responses.submit(response, raw_answers=complete_answers(), user=clerk)
        excel.record_download(response, clerk)
        deliveries.request_delivery("moj", round_.id, user=staff)
        audit.record("workbook.download", user=staff, target=f"round/{round_.id}")
        audit.record("hearing.record", user=staff, target="1", municipality_code=CHIYODA)
        db.session.commit()

    shown = auditor.get("/audit/")
    options = page(shown).xpath("//select[@name='action']/option/text()")
    assert not [o for o in options if re.search(r"^[a-z_.]+", o)], options
    assert "Excelテンプレート（すべて）" in options
    assert "集計表（すべて）" in options
    assert "聞き取りの記録" in options

    cells = page(shown).xpath("//tr[@data-audit-event]/td[position()=2 or position()>=4]")
    rows = " ".join(
        " ".join(c.text_content().split()) for c in cells if "@" not in c.text_content()
    )
    for code in ("recipient/moj", "round/", "request:", "round:", "response.", CHIYODA, "contact_"):
        assert code not in rows, code
    assert "送付先「法務省 保護局」" in rows
    assert "調査回: 令和3年度 取組状況調査" in rows
    assert "調査回「令和3年度 取組状況調査」の千代田区の回答" in rows
    assert "千代田区" in rows
    assert "変更した項目: " in rows
    assert "メールアドレス" in rows  # contact_email by its label
    assert "ヒアリング" not in text_of(shown)


def test_the_counterpart_page_names_its_recipient(app, web):
    counterpart = web("counterpart", recipient="moj")
    shown = counterpart.get("/counterpart")
    profile = page(shown).xpath("//dl[@id='profile']")[0]
    assert profile.xpath("dt[1]/text()") == ["送付先"]
    assert profile.xpath("dd[1]/text()") == ["法務省 保護局"]
    assert not re.search(r"\bmoj\b", profile.text_content())


def test_every_outcome_of_a_send_now_request_is_said_in_words():
    from hub.audit.views import REQUEST_OUTCOME_LABELS
    from hub.services import deliveries

    outcomes = {
        *deliveries.UNFINISHED,
        deliveries.SENT,
        deliveries.FAILED,
        deliveries.SUPERSEDED,
        deliveries.WAITING,
        deliveries.REFUSED,
        "busy",
        "unchanged",
    }
    assert sorted(outcomes - set(REQUEST_OUTCOME_LABELS)) == []
