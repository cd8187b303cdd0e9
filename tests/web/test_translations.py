"""The English catalog: the committed .mo is compiled from the committed .po, and every message
of the web pages (templates, the web blueprints, and the questionnaire and export messages they
show) has an English translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
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


def _messages(catalog) -> dict:
    """(msgctxt, msgid): msgstr; a plural entry's msgid as (msgid, msgid_plural) and its msgstr as
    (msgstr[0], msgstr[1])."""

    def key(value):
        return value if isinstance(value, str) else tuple(value)

    return {(m.context, key(m.id)): key(m.string) for m in catalog if m.id}


def _entries(catalog) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """The catalog's messages with one form (msgid: msgstr) and those with plural forms
    (msgid: (msgstr[0], msgstr[1])), each by its msgid."""
    single: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    for m in catalog:
        if not m.id:
            continue
        if m.pluralizable:
            plural[m.id[0]] = tuple(m.string)
        else:
            single[m.id] = m.string
    return single, plural


def test_mo_is_compiled_from_the_current_po():
    with (CATALOG / "messages.po").open("rb") as f:
        po = _messages(read_po(f))
    with (CATALOG / "messages.mo").open("rb") as f:
        mo = _messages(read_mo(f))
    translated = {k: v for k, v in po.items() if v and all(v)}
    assert mo == translated, "run: pybabel compile -d hub/translations"


def _extracted(directory: Path, method: str, pattern: str) -> tuple[set[str], set[str]]:
    """The messages of gettext calls and those of ngettext calls (counted: a plural entry)."""
    keywords = {
        "_": None,
        "_l": None,
        "gettext": None,
        "lazy_gettext": None,
        "ngettext": (1, 2),
        "lazy_ngettext": (1, 2),
    }
    found: set[str] = set()
    counted: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(
        directory,
        method_map=[(pattern, method)],
        keywords=keywords,
    ):
        if isinstance(message, str):
            found.add(message)
        else:
            # the Japanese has one form: its msgid_plural repeats the msgid
            assert message[0] == message[1], message
            counted.add(message[0])
    return found, counted


def _web_messages() -> tuple[set[str], set[str]]:
    wanted: set[str] = set()
    counted: set[str] = set()
    templates = ROOT / "hub" / "templates"
    for name in WEB_TEMPLATES:
        path = templates / name
        if path.is_dir():
            found = _extracted(path, "jinja2", "**.html")
        else:
            found = _extracted(templates, "jinja2", name)
        wanted |= found[0]
        counted |= found[1]
    for module in WEB_MODULES:
        found = _extracted(ROOT / module, "python", "**.py")
        wanted |= found[0]
        counted |= found[1]
    return wanted, counted


def test_every_web_message_has_an_english_translation():
    with (CATALOG / "messages.po").open("rb") as f:
        single, plural = _entries(read_po(f))
    wanted, counted = _web_messages()
    assert len(wanted) > 150
    assert len(counted) > 20
    missing = sorted(m for m in wanted if not single.get(m))
    assert not missing, missing
    missing_plurals = sorted(
        m for m in counted if len(plural.get(m, ())) != 2 or not all(plural[m])
    )
    assert not missing_plurals, missing_plurals


def test_a_counted_message_is_asked_for_with_its_count_only():
    """gettext finds no translation for a message the catalog holds with plural forms (and
    ngettext none for one it holds with one form): the English page would show the Japanese."""
    with (CATALOG / "messages.po").open("rb") as f:
        single, plural = _entries(read_po(f))
    wanted, counted = _web_messages()
    assert not sorted(wanted & set(plural)), "call ngettext for these"
    assert not sorted(counted & set(single)), "give these msgid_plural and msgstr[0]/[1]"
    assert not sorted(wanted & counted)


def test_placeholders_survive_translation():
    with (CATALOG / "messages.po").open("rb") as f:
        catalog = read_po(f)

    for message in catalog:
        if not message.id or not message.string:
            continue
        msgid = message.id[0] if message.pluralizable else message.id
        forms = message.string if message.pluralizable else (message.string,)
        names = set(re.findall(r"%\((\w+)\)s", msgid))
        for form in forms:
            assert names == set(re.findall(r"%\((\w+)\)s", form)), msgid


def _code_messages() -> set[tuple[str | None, str]]:
    """Every (msgctxt, msgid) the code asks for, extracted as hub/translations/babel.cfg says
    (with the keywords its header names: ``_l``, ``lazy_gettext`` and ``lazy_pgettext`` beside
    gettext's own)."""
    with (ROOT / "hub" / "translations" / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {
        **DEFAULT_KEYWORDS,
        "_l": None,
        "lazy_gettext": None,
        "lazy_ngettext": (1, 2),
        "lazy_pgettext": ((1, "c"), 2),
    }
    found: set[tuple[str | None, str]] = set()
    for _, _, message, _, context in extract_from_dir(
        ROOT, method_map=method_map, options_map=options_map, keywords=keywords
    ):
        found.add((context, message if isinstance(message, str) else message[0]))
    return found


def test_the_catalog_holds_what_the_code_asks_for_and_nothing_else():
    """Every message of the code — pages, services, exports, the commands' ``--lang en`` — has
    its English, and every msgid of the .po is still asked for: a message reworded in the code
    leaves no dead entry behind (a translator would keep translating it) and gets a new one.
    A message the extractor cannot see (inside an f-string) counts as missing: ask for it on a
    line of its own."""
    with (CATALOG / "messages.po").open("rb") as f:
        translated = {
            (m.context, m.id[0] if m.pluralizable else m.id): (
                all(m.string) if m.pluralizable else bool(m.string)
            )
            for m in read_po(f)
            if m.id
        }
    asked = _code_messages()
    assert len(asked) > 1500
    assert ("referral timeline", "受理") in asked
    untranslated = sorted(str(m) for m in asked if not translated.get(m))
    assert not untranslated, untranslated
    unused = sorted(str(m) for m in set(translated) - asked)
    assert not unused, f"{len(unused)} msgids no code asks for: {unused}"
