"""The real spreadsheet program opens the workbook and reads the source document's numbers.

LibreOffice (Debian's ``libreoffice-calc-nogui``) converts every sheet to CSV; the CSV shows what
Calc computed, so a hostile string that had become a formula would show its result (``3`` for
``+1+2``), not its text.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from flask import Flask

from exports.tables import Table
from exports.text import table_csv
from exports.workbook import build_workbook
from hub.services import responses
from tests import libreoffice
from tests.exports.seed import FORMULATED, HOSTILE, SOURCE_COUNTS

CSV_EVERY_SHEET = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(libreoffice.SOFFICE is None, reason=libreoffice.MISSING),
]


def convert_every_sheet(xlsx: Path, out: Path) -> dict[str, list[list[str]]]:
    """``{sheet name: rows}`` as LibreOffice computes them."""
    done = libreoffice.convert(xlsx, CSV_EVERY_SHEET, out)
    assert done.returncode == 0, done.stderr
    sheets = {}
    for path in out.glob(f"{xlsx.stem}-*.csv"):
        with path.open(encoding="utf-8", newline="") as f:
            sheets[path.stem.removeprefix(f"{xlsx.stem}-")] = list(csv.reader(f))
    return sheets


def test_libreoffice_reads_the_source_documents_table(
    app: Flask, seeded_round: int, tmp_path: Path
) -> None:
    pasted = Table.of("pasted", "貼り付け", ("文字列",), [(t,) for t in HOSTILE])
    with app.app_context():
        data = build_workbook(responses.get_round(seeded_round), extra_sheets=[("貼付", [pasted])])
    xlsx = tmp_path / "workbook.xlsx"
    xlsx.write_bytes(data)
    sheets = convert_every_sheet(xlsx, tmp_path)
    assert set(sheets) == {"集計", "提出状況", "回答一覧", "貼付", "定義"}

    summary = sheets["集計"]
    header = next(
        i
        for i, row in enumerate(summary)
        if row[:3] == ["区市町村の計画の策定状況", "自治体数", "備考"]
    )
    assert set(summary[header][3:]) <= {""}
    table = summary[header + 1 : header + 8]
    assert [row[0] for row in table] == [
        "① 策定済み",
        "② パブリックコメント手続中（終了している場合を含む）",
        "③ 関係機関等との協議会等で検討中",
        "④ 庁内で策定に向けて検討中（協議会等の設置予定を含む）",
        "⑤ 庁内で策定の可否を検討中",
        "⑥ 現時点で策定予定なし",
        "合計",
    ]
    assert [int(row[1]) for row in table] == [*SOURCE_COUNTS.values(), 62]
    lines = [row[0] for row in summary]
    assert "【区部】千代田区、大田区、中野区、豊島区" in lines
    assert "【市部】八王子市、府中市、国分寺市、福生市、武蔵村山市" in lines
    assert "9/62 区市町村" in lines
    listed = [line for line in lines if line.startswith("【")]
    assert [line.split("】")[1].split("、") for line in listed[:2]] == [
        FORMULATED["区部"],
        FORMULATED["市部"],
    ]

    pasted_cells = [row[0] for row in sheets["貼付"][5:]]
    assert pasted_cells == list(HOSTILE), "Calc shows the text, never a computed result"
    answers = {cell for row in sheets["回答一覧"] for cell in row}
    assert {"+1+2", "-3", "@SUM(A1)", "=1", '=HYPERLINK("http://x","y")'} <= answers
    assert "=cmd|' /C calc'!A0" in answers


def test_libreoffice_keeps_signed_text_the_guard_leaves_alone(tmp_path: Path) -> None:
    """CSV opened in Calc with formula evaluation on: text the guard leaves alone (「-1 件(前年比)」)
    reads back as typed, with no apostrophe; a formula comes back as its guarded text."""
    alone = ("-1 件(前年比)", "- 箇条書き", "-2019年度比", "-（注）")
    guarded = ("=1+1", "@SUM(A1)")
    table = Table.of("t", "t", ("文字列",), [(t,) for t in (*alone, *guarded)])
    source = tmp_path / "in.csv"
    source.write_bytes(table_csv(table))
    evaluate = "CSV:44,34,76,1,,1041,false,false,false,false,false,-1,true"
    done = libreoffice.convert(
        source,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false",
        tmp_path / "out",
        infilter=evaluate,
    )
    assert done.returncode == 0, done.stderr
    with (tmp_path / "out" / "in.csv").open(encoding="utf-8-sig", newline="") as f:
        cells = [row[0] for row in csv.reader(f)][1:]
    assert cells == [*alone, *("'" + t for t in guarded)]
