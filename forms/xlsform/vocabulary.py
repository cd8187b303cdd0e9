"""The words of an XLSForm file the hub reads: sheet and column names, types and their older
spellings, and what it refuses by name.

The spellings follow pyxform (the XLSForm reference implementation: ``aliases.py`` and its
question type table); ``tests/forms/test_xlsform_pyxform.py`` checks every type pyxform knows is
either read here or refused by name, so an ODK designer never meets "unknown type" for a real
XLSForm type.
"""

from __future__ import annotations

import re

from forms.model import Kind

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
REFUSED_SHEETS = frozenset({"entities"})
"""Sheets that change what a form means (ODK entities) and the hub cannot honour."""

TYPE_NAMES: dict[Kind, str] = {
    Kind.TEXT: "text",
    Kind.INTEGER: "integer",
    Kind.DECIMAL: "decimal",
    Kind.DATE: "date",
    Kind.BOOL: "acknowledge",
    Kind.PHONE: "phone",
    Kind.EMAIL: "email",
    Kind.ONE_OF: "select_one",
    Kind.MANY_OF: "select_multiple",
    Kind.NOTE: "note",
}
"""How each kind is written (the hub writes these; ``phone`` and ``email`` are its extensions)."""

SIMPLE_TYPES: dict[str, Kind] = {
    "text": Kind.TEXT,
    "string": Kind.TEXT,
    "q string": Kind.TEXT,
    "add text prompt": Kind.TEXT,
    "integer": Kind.INTEGER,
    "int": Kind.INTEGER,
    "q int": Kind.INTEGER,
    "add integer prompt": Kind.INTEGER,
    "decimal": Kind.DECIMAL,
    "q decimal": Kind.DECIMAL,
    "add decimal prompt": Kind.DECIMAL,
    "date": Kind.DATE,
    "q date": Kind.DATE,
    "add date prompt": Kind.DATE,
    "note": Kind.NOTE,
    "q note": Kind.NOTE,
    "add note prompt": Kind.NOTE,
    "acknowledge": Kind.BOOL,
    "q acknowledge": Kind.BOOL,
    "add acknowledge prompt": Kind.BOOL,
    "trigger": Kind.BOOL,
    "phone": Kind.PHONE,
    "email": Kind.EMAIL,
    "range": Kind.INTEGER,
    "phone number": Kind.TEXT,
    "percentage": Kind.INTEGER,
    "number of days in last month": Kind.INTEGER,
    "number of days in last six months": Kind.INTEGER,
    "number of days in last year": Kind.INTEGER,
}
"""Types without a list, in every spelling pyxform accepts for them (``range`` is a number with
limits: ``forms.xlsform.ranges`` makes it ``decimal`` when its parameters have decimals)."""

TYPE_LIMITS: dict[str, str] = {
    "phone number": "regex(., '^[0-9]*$')",
    "percentage": ". >= 0 and . <= 100",
    "number of days in last month": ". >= 0 and . <= 31",
    "number of days in last six months": ". >= 0 and . <= 183",
    "number of days in last year": ". >= 0 and . <= 365",
}
"""pyxform's input types that carry a constraint of their own (its ``bind`` constraint): the
question is its kind in :data:`SIMPLE_TYPES` with this rule added after the row's own
``constraint``, as a ``range``'s limits are; written back, the row is that kind with that rule."""

SELECT_TYPES: dict[str, Kind] = {
    "select_one": Kind.ONE_OF,
    "select one": Kind.ONE_OF,
    "select1": Kind.ONE_OF,
    "q select1": Kind.ONE_OF,
    "select one from": Kind.ONE_OF,
    "select one using": Kind.ONE_OF,
    "add select one prompt using": Kind.ONE_OF,
    "select_multiple": Kind.MANY_OF,
    "q select": Kind.MANY_OF,
    "select all that apply": Kind.MANY_OF,
    "select all that apply from": Kind.MANY_OF,
    "select multiple from": Kind.MANY_OF,
    "select multiple using": Kind.MANY_OF,
    "add select multiple prompt using": Kind.MANY_OF,
}
"""``<spelling> LIST`` (optionally ``or_other``) for a choice question."""

_SELECT_RE = re.compile(
    "^(?P<command>"
    + "|".join(sorted((re.escape(k) for k in SELECT_TYPES), key=len, reverse=True))
    + r") (?P<list>\S+)(?: (?P<other>or_other|or other|or specify other))?$"
)

CALCULATE = "calculate"
CALCULATE_TYPES = frozenset({CALCULATE, "q calculate", "add calculate prompt"})
"""``calculate`` and pyxform's other spellings of it: a value worked out from the other answers
by its ``calculation`` (:attr:`forms.model.Question.calculation`)."""

GROUP_BEGIN = frozenset({"begin group", "begin_group"})
GROUP_END = frozenset({"end group", "end_group"})

UNSUPPORTED_TYPES: dict[str, str] = {
    **dict.fromkeys(
        (
            "begin repeat",
            "begin_repeat",
            "end repeat",
            "end_repeat",
            "begin loop",
            "begin_loop",
            "end loop",
            "end_loop",
            "begin lgroup",
            "begin looped group",
            "end lgroup",
            "end looped group",
        ),
        "repeat",
    ),
    **dict.fromkeys(
        (
            "geopoint",
            "geotrace",
            "geoshape",
            "gps",
            "location",
            "q location",
            "q geopoint",
            "q geoshape",
            "q geotrace",
            "add location prompt",
            "start-geopoint",
            "background-geopoint",
        ),
        "geo",
    ),
    **dict.fromkeys(
        (
            "image",
            "photo",
            "q picture",
            "q image",
            "add image prompt",
            "add photo prompt",
            "audio",
            "q audio",
            "add audio prompt",
            "background-audio",
            "video",
            "q video",
            "add video prompt",
            "file",
            "add file prompt",
            "barcode",
            "q barcode",
            "add barcode prompt",
        ),
        "media",
    ),
    **dict.fromkeys(
        (
            "time",
            "datetime",
            "dateTime",
            "date time",
            "q date time",
            "q dateTime",
            "add date time prompt",
            "add dateTime prompt",
        ),
        "time",
    ),
    **dict.fromkeys(
        (
            "start",
            "end",
            "today",
            "deviceid",
            "device id",
            "imei",
            "get device id",
            "subscriberid",
            "subscriber id",
            "get subscriber id",
            "simserial",
            "sim id",
            "get sim id",
            "phonenumber",
            "get phone number",
            "username",
            "audit",
            "start time",
            "end time",
            "get start time",
            "get end time",
            "get today",
            "uri:deviceid",
            "uri:subscriberid",
            "uri:simserial",
            "uri:phonenumber",
            "uri:username",
            "uri:email",
        ),
        "metadata",
    ),
    **dict.fromkeys(
        ("rank", "hidden", "xml-external", "csv-external", "osm", "entity"),
        "other",
    ),
    **dict.fromkeys(
        (
            "select_one_external",
            "select one external",
            "select_one_from_file",
            "select_multiple_from_file",
            "select one from file",
            "select multiple from file",
            "cascading select",
            "cascading_select",
        ),
        "external",
    ),
}
"""XLSForm types the hub refuses, each with the reason's key (see the reader's messages)."""

_UNSUPPORTED_SELECT_RE = re.compile(
    r"^(?P<command>select_one_external|select one external|select_one_from_file|"
    r"select_multiple_from_file|select one from file|select multiple from file|rank) \S+"
)


def select_type(text: str) -> tuple[Kind, str, bool] | None:
    """``(kind, list name, or_other?)`` for ``select_one LIST`` and its spellings."""
    match = _SELECT_RE.match(text)
    if match is None:
        return None
    return SELECT_TYPES[match["command"]], match["list"], match["other"] is not None


def unsupported_type(text: str) -> str | None:
    """The reason key when ``text`` names an XLSForm type the hub refuses, else ``None``."""
    if text in UNSUPPORTED_TYPES:
        return UNSUPPORTED_TYPES[text]
    match = _UNSUPPORTED_SELECT_RE.match(text)
    if match is not None:
        return UNSUPPORTED_TYPES.get(match["command"], "other")
    head = text.split(" ")[0]
    if head in ("begin", "end") and text.split(" ")[-1] in ("repeat", "loop"):
        return "repeat"
    return None


def known_type_words() -> list[str]:
    """Every spelling the reader takes or refuses by name (for "did you mean" suggestions)."""
    return sorted(
        {
            *SIMPLE_TYPES,
            *SELECT_TYPES,
            *CALCULATE_TYPES,
            *GROUP_BEGIN,
            *GROUP_END,
            *UNSUPPORTED_TYPES,
        }
    )


# ---------------------------------------------------------------------------------- columns

COLUMN_ALIASES: dict[str, str] = {
    "relevance": "relevant",
    "caption": "label",
    "constraining_message": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message",
    "list name": "list_name",
    "value": "name",
    "readonly": "read_only",
    "calculate": "calculation",
    "jr:count": "repeat_count",
    "count": "repeat_count",
    "set_form_id": "form_id",
    "id_string": "form_id",
    "set_form_title": "form_title",
    "title": "form_title",
}
"""Older or alternative column names, as pyxform reads them, to the names used here."""

TRANSLATABLE = frozenset(
    {"label", "hint", "guidance_hint", "constraint_message", "required_message", "form_title"}
)

SURVEY_COLUMNS = frozenset(
    {
        "type",
        "name",
        "label",
        "hint",
        "guidance_hint",
        "required",
        "relevant",
        "constraint",
        "constraint_message",
        "required_message",
        "personal",
        "parameters",
        "default",
        "appearance",
        "choice_filter",
        "calculation",
    }
)
REFUSED_COLUMNS = frozenset(
    {
        "read_only",
        "repeat_count",
        "trigger",
        "save_to",
        "bind",
        "instance",
    }
)
"""Survey columns that change what a form does: a value in one is refused, naming it."""

CHOICE_COLUMNS = frozenset({"list_name", "name", "label", "mark"})
"""The choices sheet's own columns; any other is a column a ``choice_filter`` may read."""
SETTINGS_COLUMNS = frozenset(
    {
        "form_id",
        "version",
        "form_title",
        "default_language",
        "headline",
        "listed_choice",
        "headline_title",
        "renamed",
    }
)
MEDIA_COLUMNS = frozenset({"image", "big-image", "audio", "video", "media"})
"""ODK's media columns (``image``, ``media::image``…) on the survey and choices sheets: the hub
shows text only; a value in one is read past and said (a choice with only a picture is refused)."""
SETTINGS_IGNORED = frozenset({"allow_choice_duplicates"})
"""Settings read only to say they are not used (any other unknown settings column is read past
and said too); ``allow_choice_duplicates`` refuses repeated codes all the same."""
SHEET_COLUMNS: dict[str, frozenset[str] | None] = {
    SURVEY: SURVEY_COLUMNS | REFUSED_COLUMNS,
    CHOICES: None,
    SETTINGS: SETTINGS_COLUMNS,
}
"""The columns each sheet's reader reads (``None``: every column, a choice's other columns
being read by ``choice_filter``); no two of them may be read as the same column."""

YES = frozenset({"yes", "true", "true()", "1"})
NO = frozenset({"no", "false", "false()", "0", ""})

LANGUAGE_NAMES: dict[str, str] = {
    "ja": "ja",
    "jp": "ja",
    "japanese": "ja",
    "日本語": "ja",
    "en": "en",
    "english": "en",
    "英語": "en",
}

_LANGUAGE_CODE = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*\)\s*$")


def language(text: str) -> str:
    """``ja``, ``en`` or another code for a column's language part (``Japanese (ja)``,
    ``English``, ``en``, ``日本語``)."""
    match = _LANGUAGE_CODE.search(text)
    if match is not None:
        return match[1].lower()
    key = text.strip().lower()
    return LANGUAGE_NAMES.get(key, key)


TITLE_COLUMNS = {"form_title_en": ("form_title", "en"), "form_title_ja": ("form_title", "ja")}
"""The hub's settings columns for the title in one language (XLSForm's form_title has none)."""


def split_header(header: str) -> tuple[str, str | None]:
    """``(column, language)`` of a header: ``label::English (en)`` → ``("label", "en")``,
    ``label:Japanese`` → ``("label", "ja")``, ``relevance`` → ``("relevant", None)``."""
    text = " ".join(header.split()).lower()
    if text in TITLE_COLUMNS:
        return TITLE_COLUMNS[text]
    if text in COLUMN_ALIASES:
        return COLUMN_ALIASES[text], None
    for separator in ("::", ":"):
        if separator in text:
            base, _, rest = " ".join(header.split()).partition(separator)
            base = base.strip().lower()
            base = COLUMN_ALIASES.get(base, base).replace(" ", "_")
            if base in TRANSLATABLE:
                return base, language(rest) if rest.strip() else None
            return base, None
    text = COLUMN_ALIASES.get(text, text)
    return text.replace(" ", "_"), None
