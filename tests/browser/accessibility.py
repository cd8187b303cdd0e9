"""Accessibility checks in the browser tests: axe-core (vendored, ``tests/browser/axe/``) over a
page as Chromium shows it, against WCAG 2.1 A and AA (which covers JIS X 8341-3 AA).

Call it from any browser test, after the page shows the state you want checked::

    from tests.browser.accessibility import assert_accessible

    page.goto("/staff/")
    assert_accessible(page)                      # the whole page
    assert_accessible(page, within="main")       # only what a CSS selector covers
    assert_accessible(page, disable=("region",)) # a rule off, with a comment saying why

The failure message lists each violated rule with its impact, what it asks for and the elements
(CSS selectors and axe's summary of what is wrong), so the report is enough to fix the page.
axe is loaded through the DevTools protocol, so the hub's strict Content-Security-Policy (no
inline or outside scripts) stays on while it runs, and the page asks for nothing outside the hub.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "axe" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


@cache
def axe_source() -> str:
    data = AXE.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == AXE_SHA256, f"{AXE} is not axe-core {AXE_VERSION} as vendored ({digest})"
    return data.decode("utf-8")


def axe_violations(
    page: Any,
    *,
    within: str | None = None,
    tags: Sequence[str] = WCAG_21_AA,
    disable: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """axe's violations on ``page`` (optionally only inside the elements ``within`` selects)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    options = {
        "runOnly": {"type": "tag", "values": list(tags)},
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in disable},
    }
    return list(
        page.evaluate(
            "async ([within, options]) => "
            "(await axe.run(within ? {include: [within]} : document, options)).violations",
            [within, options],
        )
    )


def describe(violations: Sequence[dict[str, Any]]) -> str:
    """A readable report: one paragraph per rule, one line per element."""
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation.get('impact')}] {violation['id']}: {violation['help']} "
            f"({violation.get('helpUrl', '').split('?')[0]})"
        )
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(
    page: Any,
    *,
    within: str | None = None,
    tags: Sequence[str] = WCAG_21_AA,
    disable: Sequence[str] = (),
) -> None:
    """Fail with a readable report when axe finds any WCAG 2.1 A/AA violation on ``page``."""
    violations = axe_violations(page, within=within, tags=tags, disable=disable)
    assert not violations, f"axe-core: {len(violations)} violation(s) on {page.url}\n" + describe(
        violations
    )
