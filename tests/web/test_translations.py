"""The English catalog: the committed .mo is compiled from the committed .po, and every message
of the web pages (templates, the web blueprints, and the questionnaire and export messages they
show) has an English translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[2]
CATALOG = ROOT / "hub" / "translations" / "en" / "LC_MESSAGES"
WEB_TEMPLATES = (
    "base.html",
    "error.html",
    "auth",
    "macros",
    "questionnaire",
    "respond",
    "staff",
    "admin",
    "account",
    "questionnaires",
    "referrals",
    "consult",
    "session_warning.html",
    "audit",
    "excel",
    "recipients",
)
WEB_MODULES = (
    "hub/web",
    "hub/respond",
    "hub/staff",
    "hub/admin",
    "hub/auth",
    "hub/account",
    "hub/services",
    "hub/questionnaires",
    "hub/referrals",
    "hub/consult",
    "hub/downloads",
    "hub/audit",
    "hub/api",
    "hub/models",
    "hub/excel",
    "hub/recipients",
    "forms",
    "exports",
)


def _messages(catalog) -> dict[str, str]:
    return {m.id: m.string for m in catalog if m.id}


def test_mo_is_compiled_from_the_current_po():
    with (CATALOG / "messages.po").open("rb") as f:
        po = _messages(read_po(f))
    with (CATALOG / "messages.mo").open("rb") as f:
        mo = _messages(read_mo(f))
    translated = {k: v for k, v in po.items() if v}
    assert mo == translated, "run: pybabel compile -d hub/translations"


def _extracted(directory: Path, method: str, pattern: str) -> set[str]:
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None}
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        directory,
        method_map=[(pattern, method)],
        keywords=keywords,
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_web_message_has_an_english_translation():
    with (CATALOG / "messages.po").open("rb") as f:
        po = _messages(read_po(f))
    wanted: set[str] = set()
    templates = ROOT / "hub" / "templates"
    for name in WEB_TEMPLATES:
        path = templates / name
        if path.is_dir():
            wanted |= _extracted(path, "jinja2", "**.html")
        else:
            wanted |= set(_extracted(templates, "jinja2", name))
    for module in WEB_MODULES:
        wanted |= _extracted(ROOT / module, "python", "**.py")
    assert len(wanted) > 150
    missing = sorted(m for m in wanted if not po.get(m))
    assert not missing, missing


def test_placeholders_survive_translation():
    with (CATALOG / "messages.po").open("rb") as f:
        catalog = read_po(f)

    for message in catalog:
        if not message.id or not message.string:
            continue
        names = set(re.findall(r"%\((\w+)\)s", message.id))
        assert names == set(re.findall(r"%\((\w+)\)s", message.string)), message.id
