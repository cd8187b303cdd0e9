"""A question renamed twice (v2 ``b=a``, v3 ``c=b``) is one question under three names, across
every stored version — also one no round used: a round on v3 is prefilled from an answer given
under ``a`` on v1, 経年比較 sets v1's ``a`` beside v3's ``c``, and the preview of v3 compares
``c`` with v1's ``a``. A name reused for another question after a rename (``b`` in v3) is a
new question: nothing carries into it, nothing is compared with it. The preview says a
question that moved to another group. Real files made with openpyxl, imported on the command
line and on the staff page (``docs/questionnaires.md``, Across versions and years)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask

from forms.lineage import lineage
from forms.xlsform import read_xlsform
from tests.conftest import Api, HubRunner
from tests.excel.conftest import answers_of
from tests.forms.xlsform_files import xlsx
from tests.questionnaires.test_authored import (
    sheet_rows,
    staff_uploads_on_the_page_and_publishes,
    table,
    workbook_of,
)
from tests.web.conftest import Web, page

CHIYODA, CHUO, MINATO = "131016", "131024", "131032"
CODES = [CHIYODA, CHUO, MINATO]
HEADER = ("type", "name", "label::ja", "label::en")
LEVELS = [
    ("list_name", "name", "label::ja", "label::en"),
    ("level", "high", "十分", "Enough"),
    ("level", "low", "不十分", "Not enough"),
]


def renkei(version: int, *, reuse: bool = False) -> bytes:
    """「保護観察所との連携状況調査」: the degree of cooperation is ``a`` in v1, ``b`` in v2
    (``b=a``) and ``c`` in v3 (``c=b``), where it also moves from the group 基本 to the group
    連携. With ``reuse``, v3 asks a new question under the free name ``b``."""
    name = {1: "a", 2: "b", 3: "c"}[version]
    level = ("select_one level", name, "連携の程度", "Cooperation")
    basic = [("begin_group", "basic", "基本", "Basics"), ("text", "memo", "備考", "Notes")]
    if version < 3:
        survey = [HEADER, *basic, level, ("end_group", "", "", "")]
    else:
        survey = [
            HEADER,
            *basic,
            *([("select_one level", "b", "研修の充実度", "Training")] if reuse else []),
            ("end_group", "", "", ""),
            ("begin_group", "liaison", "連携", "Liaison"),
            level,
            ("end_group", "", "", ""),
        ]
    renamed = {1: (), 2: ("b=a",), 3: ("c=b",)}[version]
    settings = [
        ("form_id", "version", "form_title", *(("renamed",) if renamed else ())),
        ("renkei", version, "保護観察所との連携状況調査", *renamed),
    ]
    return xlsx({"survey": survey, "choices": LEVELS, "settings": settings})


def open_round(staff: Api, reference_date: str) -> int:
    got = staff.post(
        "/rounds",
        {"survey": "renkei", "reference_date": reference_date, "deadline": "2099-05-29 17:00",
         "municipalities": CODES},
    )  # fmt: skip
    assert got.status_code == 201, got.get_json()
    return int(got.get_json()["id"])


def accepted(
    staff: Api, respondent: Api, round_id: int, code: str, answers: dict[str, Any]
) -> None:
    assert respondent.submit(round_id, code, answers).status_code == 200
    assert staff.post(f"/rounds/{round_id}/responses/{code}/accept", {}).status_code == 200


def imported(runner: HubRunner, tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    got = runner("questionnaire", "import", str(path))
    assert got.exit_code == 0, got.output


def test_a_question_renamed_twice_carries_and_lines_up_across_a_version_no_round_used(
    app: Flask, api_as, web, runner: HubRunner, tmp_path: Path, min_responses
) -> None:
    min_responses(1)
    staff: Api = api_as("staff")
    chiyoda, chuo, minato = (api_as("respondent", municipality=c) for c in CODES)
    imported(runner, tmp_path, renkei(1), "renkei_v1.xlsx")
    first = open_round(staff, "令和6年4月1日")
    accepted(staff, chiyoda, first, CHIYODA, {"a": "high", "memo": "月1回"})
    accepted(staff, chuo, first, CHUO, {"a": "low"})
    accepted(staff, minato, first, MINATO, {"a": "high"})
    imported(runner, tmp_path, renkei(2), "renkei_v2.xlsx")  # no round on v2
    imported(runner, tmp_path, renkei(3), "renkei_v3.xlsx")

    second = open_round(staff, "令和7年4月1日")
    assert answers_of(chiyoda, second, CHIYODA)["answers"] == {"c": "high", "memo": "月1回"}
    assert answers_of(chuo, second, CHUO)["answers"] == {"c": "low"}
    form = page(web("respondent", municipality=CHUO).get(f"/respond/rounds/{second}/{CHUO}"))
    said = " ".join(
        form.xpath("//*[contains(@class, 'previous-answer')]")[0].text_content().split()
    )
    assert said == "前回の回答: 不十分", "the answer given under a is last round's answer to c"

    accepted(staff, chiyoda, second, CHIYODA, {"c": "low"})
    accepted(staff, chuo, second, CHUO, {"c": "low"})
    rows = sheet_rows(workbook_of(staff, second), "経年比較")
    history = table(rows, "連携の程度の推移")
    assert history[0][1:] == ("令和6年4月1日現在", "令和7年4月1日現在", "増減（前回比）")
    by_label = {row[0]: row[1:] for row in history[1:]}
    assert by_label["十分"] == (2, 0, -2)
    assert by_label["不十分"] == (1, 2, 1)
    assert by_label["合計（回答自治体数）"] == (3, 2, -1)
    assert "令和6年4月1日現在は「a」でした" in str(rows), "the note names the name v1 gave it"


def upload(staff_page: Web, data: bytes, name: str) -> str:
    staff_page.get("/staff/questionnaires/upload")
    got = staff_page.post(
        "/staff/questionnaires/upload",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert got.status_code == 302
    return str(got.headers["Location"])


def changed_in(preview: Any, version: int) -> dict[str, str]:
    (section,) = preview.xpath(f"//section[@data-changes-from='{version}']")
    return {
        li.get("data-question"): " ".join(li.text_content().split())
        for li in section.xpath(".//ul[@data-changed]/li")
    }


def added_in(preview: Any, version: int) -> list[str]:
    (section,) = preview.xpath(f"//section[@data-changes-from='{version}']")
    return [li.get("data-question") for li in section.xpath(".//ul[@data-added]/li")]


def test_a_name_reused_after_a_rename_is_a_new_question_and_a_move_is_said(
    app: Flask, api_as, web, min_responses
) -> None:
    min_responses(1)
    staff_page: Web = web("staff")
    staff: Api = api_as("staff")
    chiyoda, chuo = (api_as("respondent", municipality=c) for c in (CHIYODA, CHUO))
    staff_uploads_on_the_page_and_publishes(staff_page, renkei(1), "renkei.xlsx")
    first = open_round(staff, "令和6年4月1日")
    accepted(staff, chiyoda, first, CHIYODA, {"a": "high"})
    staff_uploads_on_the_page_and_publishes(staff_page, renkei(2), "renkei_v2.xlsx")

    # v3's preview, while the latest round is on v1: against v2 and v1, c is a and b there
    location = upload(staff_page, renkei(3, reuse=True), "renkei_v3.xlsx")
    preview = page(staff_page.get(location))
    for version, old in ((2, "b"), (1, "a")):
        changed = changed_in(preview, version)
        assert changed["c"] == (
            f"c 連携の程度: 名前の変更（{old} から）、グループ「基本」から「連携」へ移動"
        ), changed
        assert "b" not in changed, "the new b is not the b that became c"
        assert "b" in added_in(preview, version)
    staff_page.get("/language/en")
    english = changed_in(page(staff_page.get(location)), 1)
    assert english["c"] == (
        "c Cooperation: renamed (from a), moved from the group “Basics” to “Liaison”"
    ), english

    second = open_round(staff, "令和7年4月1日")
    assert answers_of(chiyoda, second, CHIYODA)["answers"] == {"b": "high"}
    accepted(staff, chuo, second, CHUO, {"b": "low"})
    staff_page.get("/language/ja")
    draft_id = int(location.rstrip("/").split("/")[-1])
    published = staff_page.post(f"/staff/questionnaires/drafts/{draft_id}/publish", {})
    assert published.status_code == 302

    third = open_round(staff, "令和8年4月1日")
    assert answers_of(chiyoda, third, CHIYODA)["answers"] == {"c": "high"}
    assert answers_of(chuo, third, CHUO)["answers"] == {"c": "low"}, "v2's b is c's, not b's"
    accepted(staff, chiyoda, third, CHIYODA, {"c": "high", "b": "high"})
    rows = sheet_rows(workbook_of(staff, third), "経年比較")
    history = table(rows, "連携の程度の推移")
    assert len(history[0]) == 5, "three rounds and the change"
    assert "研修の充実度の推移" not in str(rows), "the new b has no earlier rounds"


def test_the_chain_follows_renames_and_stops_at_a_reused_name() -> None:
    v1, v2 = (read_xlsform(renkei(v), "renkei.xlsx") for v in (1, 2))
    v3 = read_xlsform(renkei(3, reuse=True), "renkei.xlsx")
    found = lineage([v3, v1, v2])
    assert found.earlier_names(3, "c") == ("b", "a")
    assert found.name_in(3, "c", 1) == "a"
    assert found.name_in(1, "a", 3) == "c", "and forward, from an earlier version"
    assert found.name_in(3, "b", 2) is None, "the new b is not v2's b"
    assert found.name_in(3, "b", 1) is None
    assert found.earlier_names(3, "b") == ()
    assert found.name_in(3, "memo", 1) == "memo"


def test_a_renamed_copied_on_from_an_earlier_file_changes_nothing() -> None:
    """v3 made from v2's exported file keeps ``b=a`` in its settings though ``b`` was ``b``
    in v2 already; a version that left the question out does not break the chain."""
    v1, v2 = (read_xlsform(renkei(v), "renkei.xlsx") for v in (1, 2))
    copied_on = replace(v2, version=3)
    assert copied_on.renamed == (("b", "a"),)
    assert lineage([v1, v2, copied_on]).name_in(3, "b", 2) == "b"
    assert lineage([v1, v2, copied_on]).earlier_names(3, "b") == ("a",)
    left_out = replace(
        v1,
        version=2,
        sections=tuple(
            replace(s, items=tuple(q for q in s.items if q.id != "a")) for s in v1.sections
        ),
    )
    chain = lineage([v1, left_out, copied_on])
    assert chain.name_in(3, "b", 2) is None
    assert chain.name_in(3, "b", 1) == "a", "followed through a version without it"


def shien(version: int) -> bytes:
    """「就労支援の実施状況調査」: ``men`` is renamed ``men_count`` in v2 (``men_count=men``), and
    every rule that names it — a ``calculate``, a question's ``relevant``, a group's
    ``relevant``, a ``constraint`` and a ``required`` — is rewritten to the new name only."""
    men = "men" if version == 1 else "men_count"
    header = ("type", "name", "label::ja", "relevant", "constraint", "required", "calculation")
    survey = [
        header,
        ("integer", men, "支援人数（男性）", "", "", "", ""),
        ("integer", "women", "支援人数（女性）", "", f". <= ${{{men}}} + 100", "", ""),
        ("calculate", "total", "合計", "", "", "", f"coalesce(${{{men}}}, 0) + ${{women}}"),
        ("text", "why", "男性が多い理由", f"${{{men}}} > 10", "", f"${{{men}}} > 20", ""),
        ("begin_group", "detail", "内訳", f"${{{men}}} > 0", "", "", ""),
        ("text", "memo", "内訳のメモ", "", "", "", ""),
        ("end_group", "", "", "", "", "", ""),
    ]
    settings = [
        ("form_id", "version", "form_title", "renamed"),
        ("shien", version, "就労支援の実施状況調査", "" if version == 1 else "men_count=men"),
    ]
    return xlsx({"survey": survey, "settings": settings})


def test_a_rule_rewritten_only_for_a_rename_is_no_change_in_the_preview(web) -> None:
    """Renaming a question rewrites the rules that name it; they mean what they meant: the
    preview said 「計算式（calculation）」「回答する条件（relevant）」… changed for each (with the
    same words before and after, or none), and the group's rule changed, for a pure rename."""
    staff = web("staff")
    staff_uploads_on_the_page_and_publishes(staff, shien(1), "shien.xlsx")
    location = upload(staff, shien(2), "shien_v2.xlsx")
    preview = page(staff.get(location))
    assert changed_in(preview, 1) == {
        "men_count": "men_count 支援人数（男性）: 名前の変更（men から）"
    }
    assert preview.xpath("//li[@data-group-change]/@data-group") == []
