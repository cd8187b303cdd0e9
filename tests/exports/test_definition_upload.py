"""An uploaded definition file gets every uploaded workbook's defences before openpyxl reads it,
and any refusal is a DefinitionError (a container problem names no sheet)."""

from __future__ import annotations

import io
import zipfile

import pytest

from exports.definition_upload import read_definition
from forms.xlsform import DefinitionError, Problem
from tests.forms.xlsform_files import form


def only_problem(data: bytes) -> Problem:
    with pytest.raises(DefinitionError) as info:
        read_definition(data, "kenshu.xlsx")
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


def test_a_good_file_reads() -> None:
    assert (
        read_definition(form([("text", "q", "質問")]), "kenshu.xlsx").question("q").label.ja
        == "質問"
    )


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        (b"", "空"),
        (b"not a spreadsheet", ".xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    ],
)
def test_files_that_are_not_xlsx_are_refused_cleanly(data: bytes, cause: str) -> None:
    problem = only_problem(data)
    assert (problem.sheet, problem.row) == ("", None)
    assert cause in problem.message


def test_a_file_with_a_dtd_is_refused_before_openpyxl_reads_it() -> None:
    original = form([("text", "q", "A")])
    hostile = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(hostile, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet', 1
                )
            target.writestr(entry, content)
    problem = only_problem(hostile.getvalue())
    assert "安全でない XML" in problem.message


def test_a_zip_bomb_is_refused_from_the_zip_directory() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    problem = only_problem(bomb.getvalue())
    assert "展開" in problem.message


def test_a_file_over_two_megabytes_is_refused() -> None:
    problem = only_problem(b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024 + 1))
    assert "2 MB" in problem.message
