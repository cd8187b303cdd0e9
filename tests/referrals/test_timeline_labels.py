"""Every step a referral's timeline can hold is named in words on its page, never by its code."""

from __future__ import annotations

import ast
from pathlib import Path

from flask import Flask

from hub.referrals.views import _labels

SERVICES = Path(__file__).resolve().parents[2] / "hub" / "services" / "referrals"


def recorded_steps() -> set[str]:
    """The actions the services write: ``_event(referral, "<step>", …)`` and
    ``ReferralEvent(action="<step>", …)``."""
    steps = set()
    for path in SERVICES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id == "_event" and len(node.args) > 1:
                argument = node.args[1]
                if isinstance(argument, ast.Constant):
                    steps.add(argument.value)
            if node.func.id == "ReferralEvent":
                for keyword in node.keywords:
                    if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                        steps.add(keyword.value.value)
    return steps


def test_every_step_of_the_timeline_has_a_label(app: Flask) -> None:
    steps = recorded_steps()
    assert {"sent", "rerouted", "erased"} <= steps
    for lang in ("ja", "en"):
        with app.test_request_context(headers={"Cookie": f"lang={lang}"}):
            actions = _labels()["actions"]
            assert sorted(steps - set(actions)) == []
            assert all(label and label not in steps for label in actions.values())
