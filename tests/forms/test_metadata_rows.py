"""Rows of device metadata (``start``, ``end``, ``today``, ``deviceid``…), which ODK's templates
and every form KoboToolbox exports carry, are read past and said, not refused: the hub records who
saved and submitted what, and when, itself."""

from __future__ import annotations

import pytest

from forms.xlsform import DefinitionError, read_xlsform, write_xlsform
from tests.forms.xlsform_files import form

KOBO_HEAD = [("start", "start", None), ("end", "end", None), ("today", "today", None),
             ("deviceid", "deviceid", None)]  # fmt: skip


def test_metadata_rows_are_read_past_and_listed() -> None:
    plain = read_xlsform(form([("integer", "count", "件数")]), "kenshu.xlsx")
    kobo = read_xlsform(form([*KOBO_HEAD, ("integer", "count", "件数")]), "kenshu.xlsx")
    assert kobo == plain
    assert kobo.fingerprint() == plain.fingerprint()
    assert kobo.skipped == ((2, "start"), (3, "end"), (4, "today"), (5, "deviceid"))
    assert plain.skipped == ()
    assert read_xlsform(write_xlsform(kobo), "kenshu.xlsx").skipped == ()


def test_a_rule_on_a_metadata_row_is_refused_as_naming_no_question() -> None:
    rows = [*KOBO_HEAD, ("date", "held_on", "開催日", None, None, ". <= ${today}")]
    with pytest.raises(DefinitionError) as caught:
        read_xlsform(form(rows), "kenshu.xlsx")
    assert [p.row for p in caught.value.problems] == [6]
    assert "「today」という名前の質問はありません" in caught.value.problems[0].message
