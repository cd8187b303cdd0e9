"""XLSForm files: what is read (ODK/Kobo spellings included), every refusal with its sheet, row
and cause, defensive reading, and the round trip write → read."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from exports.definition_upload import read_definition
from forms import registry
from forms.expression import parse
from forms.model import Choice, Kind, Label, Question, Questionnaire, Section
from forms.xlsform import DefinitionError, Problem, read_xlsform, write_xlsform
from tests.forms.xlsform_files import (
    SURVEY_HEADER,
    YES_NO,
    Formula,
    form,
    with_computed_values,
    xlsx,
)

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "kenshu_sanka.xlsx"


def refused(data: bytes, filename: str = "kenshu.xlsx") -> list[Problem]:
    with pytest.raises(DefinitionError) as info:
        read_definition(data, filename)
    assert info.value.problems
    return info.value.problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


# ------------------------------------------------------------------------------------ reading


def test_a_small_form_reads_into_the_model() -> None:
    data = form(
        [
            ("begin_group", "g", "参加状況", "", "", ""),
            ("select_one yes_no", "attended", "研修会に参加しましたか", "yes", "", ""),
            (
                "integer",
                "people",
                "参加人数",
                "${attended} = 'yes'",
                "${attended} = 'yes'",
                ". >= 1",
            ),
            ("end_group", "", "", "", "", ""),
            ("note", "thanks", "ご協力ありがとうございました。", "", "", ""),
        ],
        YES_NO,
    )
    q = read_xlsform(data, "kenshu.xlsx")
    assert (q.id, q.version, q.title) == ("kenshu", 1, Label.same("研修会調査"))
    group, tail = q.sections
    assert (group.id, group.title.ja, tail.id) == ("g", "参加状況", "")
    attended, people = group.items
    assert attended.kind == Kind.ONE_OF
    assert attended.codes == ("yes", "no")
    assert attended.required is True
    assert people.required == parse("${attended} = 'yes'")
    assert people.relevant == parse("${attended} = 'yes'")
    assert people.min_value == 1
    assert [i.kind for i in tail.items] == [Kind.NOTE]
    assert [x.id for x in q.questions] == ["attended", "people"]


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("select_one yes_no", Kind.ONE_OF),
        ("select one yes_no", Kind.ONE_OF),
        ("select one from yes_no", Kind.ONE_OF),
        ("select_multiple yes_no", Kind.MANY_OF),
        ("select all that apply yes_no", Kind.MANY_OF),
        ("text", Kind.TEXT),
        ("string", Kind.TEXT),
        ("integer", Kind.INTEGER),
        ("int", Kind.INTEGER),
        ("decimal", Kind.DECIMAL),
        ("date", Kind.DATE),
        ("acknowledge", Kind.BOOL),
        ("phone", Kind.PHONE),
        ("email", Kind.EMAIL),
        ("Text", Kind.TEXT),
        ("  select_one   yes_no ", Kind.ONE_OF),
    ],
)
def test_types_in_every_spelling_xlsform_still_accepts(typed: str, kind: Kind) -> None:
    q = read_xlsform(form([(typed, "q", "質問", "", "", "")], YES_NO))
    assert q.question("q").kind == kind


@pytest.mark.parametrize(
    ("begin", "end"), [("begin group", "end group"), ("begin_group", "end_group")]
)
def test_groups_in_both_spellings(begin: str, end: str) -> None:
    q = read_xlsform(
        form([(begin, "g", "グループ", "", "", ""), ("text", "a", "A", "", "", ""), (end,)])
    )
    assert [(s.id, [i.id for i in s.items]) for s in q.sections] == [("g", ["a"])]


@pytest.mark.parametrize(
    ("headers", "ja", "en"),
    [
        (("label::ja", "label::en"), "日本語の質問", "English question"),
        (("label::Japanese (ja)", "label::English (en)"), "日本語の質問", "English question"),
        (("label:Japanese", "label:English"), "日本語の質問", "English question"),
        (("label::日本語", "label::English"), "日本語の質問", "English question"),
        (("label", "label::English (en)"), "日本語の質問", "English question"),
    ],
)
def test_label_columns_in_each_language_form(headers: tuple[str, str], ja: str, en: str) -> None:
    data = form(
        [("text", "q", ja, en)],
        survey_header=("type", "name", *headers),
    )
    assert read_xlsform(data).question("q").label == Label(ja, en)


@pytest.mark.parametrize(
    "header", ["label", "label::ja", "label::English (en)", "label::French (fr)"]
)
def test_a_label_in_one_language_serves_every_language(header: str) -> None:
    data = form([("text", "q", "一つの言語だけ")], survey_header=("type", "name", header))
    assert read_xlsform(data).question("q").label == Label.same("一つの言語だけ")


def test_default_language_names_the_plain_label_column() -> None:
    data = form(
        [("text", "q", "Question", "質問")],
        survey_header=("type", "name", "label", "label::ja"),
        settings=(("form_id", "default_language"), ("kenshu", "English (en)")),
    )
    assert read_xlsform(data).question("q").label == Label("質問", "Question")


def test_older_column_spellings() -> None:
    data = xlsx(
        {
            "survey": [
                ("type", "name", "caption", "relevance", "constraint", "jr:constraintMsg"),
                ("select_one yn", "a", "A", "", "", ""),
                ("integer", "b", "B", "${a} = 'y'", ". < 10", "10未満です"),
            ],
            "choices": [
                ("list name", "value", "label"),
                ("yn", "y", "はい"),
                ("yn", "n", "いいえ"),
            ],
        }
    )
    q = read_xlsform(data, "old_form.xlsx")
    b = q.question("b")
    assert b.relevant == parse("${a} = 'y'")
    assert b.constraint_message == Label.same("10未満です")
    assert q.id == "old_form"


def test_without_settings_the_file_name_is_the_form_id_and_the_version_is_1() -> None:
    q = read_xlsform(form([("text", "q", "質問")], settings=None), "renrakukai_2025.xlsx")
    assert (q.id, q.version, q.title) == ("renrakukai_2025", 1, Label.same("renrakukai_2025"))


def test_or_other_adds_the_other_choice_and_its_text_question() -> None:
    q = read_xlsform(form([("select_one yes_no or_other", "how", "方法")], YES_NO))
    assert q.question("how").codes == ("yes", "no", "other")
    text = q.question("how_other")
    assert (text.kind, text.other_of) == (Kind.TEXT, "how")
    assert text.relevant == parse("selected(${how}, 'other')")


def test_an_other_text_question_is_linked_to_its_choice_question() -> None:
    data = form(
        [
            ("select_multiple plans", "plans", "計画"),
            ("text", "plans_other", "計画（その他）", "", "selected(${plans}, 'other')"),
        ],
        (("plans", "a", "A"), ("plans", "other", "その他")),
    )
    assert read_xlsform(data).question("plans_other").other_of == "plans"


def test_cells_are_read_as_typed_text() -> None:
    data = form(
        [
            ("select_one nums", "n", "=SUM(A1:A3)", "TRUE"),
            ("text", "t", "+81 3 5321 1111", ""),
        ],
        (("nums", 1, "一"), ("nums", 2.0, "二")),
        settings=(("form_id", "version"), ("kenshu", 20240401)),
    )
    q = read_xlsform(data)
    assert q.question("n").label.ja == "=SUM(A1:A3)"
    assert q.question("n").codes == ("1", "2")
    assert q.question("n").required is True
    assert q.question("t").label.ja == "+81 3 5321 1111"
    assert q.version == 20240401


def test_other_sheets_and_unknown_columns_are_ignored() -> None:
    data = xlsx(
        {
            "survey": [
                ("type", "name", "label", "appearance", "備考"),
                ("text", "q", "質問", "multiline", "担当メモ"),
            ],
            "説明": [("このファイルについて",)],
        }
    )
    assert read_xlsform(data, "memo.xlsx").question("q").label.ja == "質問"


def test_summary_options_from_the_settings() -> None:
    data = form(
        [("select_one yes_no", "attended", "参加")],
        YES_NO,
        settings=(("form_id", "headline", "listed_choice"), ("kenshu", "attended", "yes")),
    )
    q = read_xlsform(data)
    assert (q.headline, q.listed_choice) == ("attended", "yes")


# ----------------------------------------------------------------------------------- refusing


@pytest.mark.parametrize(
    ("survey", "row", "column", "cause"),
    [
        ([("text", "q", "A"), ("text", "q", "B")], 3, "name", "2行目でも使われています"),
        ([("text", "q", "")], 2, "label", "label（質問文）が空"),
        ([("text", "", "A")], 2, "name", "name が空"),
        ([("", "q", "A")], 2, "type", "type が空"),
        ([("text", "1q", "A")], 2, "name", "名前「1q」は使えません"),
        ([("text", "reference_date", "A")], 2, "name", "ハブが使う"),
        ([("text", "version", "A")], 2, "name", "ハブが使う"),
        ([("text", "notes", "A")], 2, "name", "集計（summary）の項目名と重なる"),
        ([("integer", "responded", "A")], 2, "name", "集計（summary）の項目名と重なる"),
        ([("text", "q_by_region", "A")], 2, "name", "_by_region・_municipalities で終わる"),
        ([("text", "yes_municipalities", "A")], 2, "name", "集計（summary）の項目名と重なる"),
        ([("geopoint", "where", "場所")], 2, "type", "位置情報"),
        ([("calculate", "c", "計算")], 2, "calculation", "calculation（計算式）を書いて"),
        ([("begin repeat", "r", "繰り返し"), ("end repeat",)], 2, "type", "repeat"),
        ([("image", "p", "写真")], 2, "type", "画像"),
        ([("time", "t", "時刻")], 2, "type", "時刻"),
        ([("select_one_from_file x.csv", "s", "外部")], 2, "type", "外部ファイル"),
        ([("textt", "q", "A")], 2, "type", "「text」のことですか"),
        ([("select_one", "q", "A")], 2, "type", "選択肢リストの名前"),
        (
            [("select_one nolist", "q", "A")],
            2,
            "type",
            "選択肢リスト「nolist」が choices シートにありません",
        ),
        (
            [("text", "q", "A", "", "${missing} = 'x'")],
            2,
            "relevant",
            "「missing」という名前の質問はありません",
        ),
        ([("text", "q", "A", "", "foo(1)")], 2, "relevant", "1文字目: 関数「foo」は使えません"),
        ([("text", "q", "A", "", ". = 'x'")], 2, "relevant", "constraint の中だけ"),
        ([("text", "q", "A", "${q", "")], 2, "required", "1文字目"),
        ([("integer", "q", "A", "", "", ". >= ")], 2, "constraint", "式が途中で終わっています"),
        (
            [("text", "a", "A", "", "${b} = 'x'"), ("text", "b", "B", "", "${a} = 'y'")],
            2,
            "relevant",
            "relevant が循環しています: a → b → a",
        ),
        ([("text", "a", "A", "", "${a} != ''")], 2, "relevant", "a → a"),
        ([("note", "n", "説明", "yes")], 2, "required", "note（説明文）には required"),
        (
            [("begin_group", "g", "G"), ("text", "q", "A")],
            2,
            "type",
            "end_group で閉じられていません",
        ),
        ([("end_group",)], 2, "type", "対応する begin_group"),
        (
            [("begin_group", "g", "G"), ("begin_group", "h", "H"), ("end_group",), ("end_group",)],
            3,
            "type",
            "グループの中にグループは置けません",
        ),
        (
            [("text", "q", "A", "", "${g} = ''"), ("begin_group", "g", "G"), ("end_group",)],
            2,
            "relevant",
            "グループで、回答がありません",
        ),
        (
            [("note", "n", "説明"), ("text", "q", "A", "", "${n} = ''")],
            3,
            "relevant",
            "note（説明文）で、回答がありません",
        ),
    ],
)
def test_each_refusal_names_sheet_row_and_cause(
    survey: list[tuple[str, ...]], row: int, column: str, cause: str
) -> None:
    problem = only(refused(form(survey)))
    assert (problem.sheet, problem.row, problem.column) == ("survey", row, column)
    assert cause in problem.message
    assert str(problem).startswith(f"surveyシート {row}行目 {column}列: ")


def test_a_constraint_that_does_not_parse_is_its_one_problem_not_also_its_message() -> None:
    """The message is beside a constraint typed wrong, not an empty one: one line, the true cause."""
    header = (*SURVEY_HEADER, "constraint_message")
    problem = only(
        refused(form([("integer", "n", "人数", "", "", ". >= (", "1以上")], survey_header=header))
    )
    assert (problem.sheet, problem.row, problem.column) == ("survey", 2, "constraint")
    alone = only(
        refused(form([("integer", "n", "人数", "", "", "", "1以上")], survey_header=header))
    )
    assert (alone.column, alone.message) == (
        "constraint_message",
        "constraint_message がありますが constraint が空です。",
    )


RANGE_HEADER = ("type", "name", "label", "constraint", "parameters")


def ranged(*rows: tuple[str, ...]) -> bytes:
    return form(list(rows), survey_header=RANGE_HEADER)


@pytest.mark.parametrize(
    ("parameters", "kind", "rule"),
    [
        ("", Kind.INTEGER, ". >= 1 and . <= 10"),
        ("start=1 end=5", Kind.INTEGER, ". >= 1 and . <= 5"),
        ("start=１ end=５", Kind.INTEGER, ". >= 1 and . <= 5"),
        ("start = 10; end = 0", Kind.INTEGER, ". >= 0 and . <= 10"),
        ("start=0 end=100 step=10", Kind.INTEGER, ". >= 0 and . <= 100 and (. - 0) mod 10 = 0"),
        ("start=0 end=1 step=0.25", Kind.DECIMAL, ". >= 0.0 and . <= 1.0"),
    ],
)
def test_a_range_is_a_number_with_its_limits(parameters: str, kind: Kind, rule: str) -> None:
    question = read_definition(
        ranged(("range", "score", "満足度", "", parameters)), "k.xlsx"
    ).question("score")
    assert question.kind == kind
    assert question.constraint == parse(rule)


def test_a_range_keeps_its_own_constraint_too() -> None:
    question = read_definition(
        ranged(("range", "score", "満足度", ". != 3", "start=1 end=5")), "k.xlsx"
    ).question("score")
    assert question.constraint == parse(". != 3 and (. >= 1 and . <= 5)")
    assert (question.min_value, question.max_value) == (1, 5)


def test_a_range_round_trips_as_the_number_question_it_is() -> None:
    definition = read_definition(
        ranged(
            ("range", "score", "満足度", ". != 3", "start=1 end=5"),
            ("range", "share", "割合", "", "start=0 end=1 step=0.1"),
            ("range", "people", "人数", "", "start=0 end=100 step=10"),
        ),
        "k.xlsx",
    )
    assert read_xlsform(write_xlsform(definition), "k.xlsx") == definition


@pytest.mark.parametrize(
    ("row", "cause"),
    [
        (("range", "s", "S", "", "start=1 end=5 tick_interval=1"), "「tick_interval」は使えません"),
        (("range", "s", "S", "", "start=a end=5"), "range の start は数にしてください（「a」）"),
        (("range", "s", "S", "", "start=0 end=1e400"), "range の end が大きすぎます"),
        (("range", "s", "S", "", "start=1 end=5 step=0"), "step は0より大きい数"),
        (("range", "s", "S", "", "start=1 end=2 step=5"), "幅より大きく"),
        (("range", "s", "S", "", "start 1"), "「start=1 end=5 step=1」の形"),
        (("integer", "s", "S", "", "start=1 end=5"), "parameters 列は range の行だけ"),
    ],
)
def test_range_refusals_name_the_parameters_cell(row: tuple[str, ...], cause: str) -> None:
    problem = only(refused(ranged(row)))
    assert (problem.sheet, problem.row, problem.column) == ("survey", 2, "parameters")
    assert cause in problem.message


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("label::ja", ("text", "b", "「${a}」の所管部署", "Department")),
        ("label::en", ("text", "b", "所管部署", "Department of ${ a }")),
        ("hint::ja", ("text", "b", "所管部署", "Department", "${a}の担当")),
        ("constraint_message::ja", ("text", "b", "所管部署", "Department", "", "${a}は不可")),
    ],
)
def test_an_answer_inserted_into_a_text_is_refused_in_its_cell(
    header: str, row: tuple[str, ...]
) -> None:
    """ODK shows the answer where ``${a}`` stands; the hub's texts head tables and templates
    for every municipality, so it says so instead of showing ``${a}`` to respondents."""
    survey_header = (
        "type",
        "name",
        "label::ja",
        "label::en",
        "hint::ja",
        "constraint_message::ja",
        "constraint",
    )
    data = form(
        [("text", "a", "計画名", "Plan"), (*row, *[""] * (6 - len(row)), ". != ''")],
        survey_header=survey_header,
    )
    problem = only(refused(data))
    assert (problem.sheet, problem.row, problem.column) == ("survey", 3, header)
    assert "回答の差し込みはハブでは使えません" in problem.message


def test_a_dollar_sign_alone_is_just_text() -> None:
    definition = read_definition(form([("text", "a", "予算（$）")]), "k.xlsx")
    assert definition.question("a").label.ja == "予算（$）"


MARKUP_HEADER = (
    "type",
    "name",
    "label::ja",
    "hint::ja",
    "constraint_message::ja",
    "required_message::ja",
    "constraint",
)


@pytest.mark.parametrize(
    ("column", "text", "shown"),
    [
        ("label::ja", "**備考**を書いてください", "**備考**"),
        ("label::ja", "__重要__ 期限内に", "__重要__"),
        ("hint::ja", "*注* 令和7年度の実績", "*注*"),
        ("hint::ja", "_注_ 年度末の時点", "_注_"),
        ("label::ja", "# 見出し\n本文", "# 見"),
        ("label::ja", "計画の<span style='color:red'>策定状況</span>", "<span style='color:red'>"),
        ("hint::ja", "1行目<br>2行目", "<br>"),
        ("hint::ja", "[手引き](https://example.jp/a)を参照", "[手引き](https://example.j"),
        ("constraint_message::ja", "**0以上**で入力", "**0以上**"),
        ("required_message::ja", "必ず<b>入力</b>してください", "<b>"),
    ],
)
def test_odk_formatting_in_a_text_is_refused_in_its_cell(
    column: str, text: str, shown: str
) -> None:
    """ODK Collect and Enketo draw Markdown and HTML in labels and hints; the hub shows a text as
    typed everywhere (web form, Excel template, workbook, rules in words), so ``**備考**`` would
    read as ``**備考**``: the cell is named and a plain text asked for, never HTML let through."""
    values = {"label::ja": "計画名", "hint::ja": "", "constraint_message::ja": ""}
    values |= {"required_message::ja": "", column: text}
    row = ("integer", "a", *(values[c] for c in MARKUP_HEADER[2:6]), ". >= 0")
    problem = only(refused(form([row], survey_header=MARKUP_HEADER)))
    assert (problem.sheet, problem.row, problem.column) == ("survey", 2, column)
    assert f"「{shown}" in problem.message
    assert "普通の文にしてください" in problem.message


def test_formatting_in_a_choice_label_is_refused_in_its_cell() -> None:
    data = form(
        [("select_one yes_no", "a", "参加しましたか")],
        [("yes_no", "yes", "**はい**"), ("yes_no", "no", "いいえ")],
    )
    problem = only(refused(data))
    assert (problem.sheet, problem.row, problem.column) == ("choices", 2, "label")


def test_a_definition_stored_before_formatting_was_refused_still_reads_as_stored() -> None:
    """A stored version never changes and is parsed again by every process (forms.registry
    .stored): one stored while ``**備考**`` was read as typed keeps serving its rounds, while the
    same file uploaded now is refused."""
    data = form([("text", "memo", "**備考**"), ("text", "other", "その他")])
    assert only(refused(data)).column == "label"
    stored = read_xlsform(data, "kenshu.xlsx")
    assert stored.question("memo").label.ja == "**備考**"
    assert read_xlsform(write_xlsform(stored), "kenshu.xlsx") == stored


@pytest.mark.parametrize(
    "text",
    [
        "※1 年度末の時点、※2 予定を含む",
        "5*3 の表",  # one asterisk between figures: no pair
        "*印の項目は必須",  # a single asterisk
        "#1 の会場",  # no space after #
        "人数 < 10 のとき",
        "予算 <= 100万円 > 実績",
        "file_name_2 の欄",  # underscores inside a word
        "a ** b",
        "[別紙] 参照",
    ],
)
def test_text_that_only_looks_like_formatting_is_read_as_typed(text: str) -> None:
    definition = read_definition(form([("text", "a", text)]), "k.xlsx")
    assert definition.question("a").label.ja == text


def test_a_headline_title_with_an_answer_inserted_or_formatting_is_refused() -> None:
    """The 集計 heading is the same for every round, as a label is for every municipality."""
    settings_header = ("form_id", "headline", "listed_choice", "headline_title")
    survey = [("select_one yes_no", "a", "参加しましたか")]
    for title, cause in (("${a}の状況", "回答の差し込み"), ("**参加状況**", "「**参加状況**」")):
        data = form(survey, YES_NO, ((settings_header), ("kenshu", "a", "yes", title)))
        problem = only(refused(data))
        assert (problem.sheet, problem.row, problem.column) == ("settings", 2, "headline_title")
        assert cause in problem.message


@pytest.mark.parametrize(
    ("header", "title", "says"),
    [
        ("form_title", "${a}の参加状況", ("回答の差し込み", "${a}", "固定の題名")),
        (
            "form_title",
            "**研修会**参加状況調査",
            ("「**研修会**」", "「研修会参加状況調査」のように"),
        ),
        ("form_title_en", "<b>Training</b> survey", ("「<b>", "「Training survey」のように")),
        ("form_title_ja", "# 研修会調査", ("「# 研", "「研修会調査」のように")),
        ("form_title::en", "[Survey](https://example.org)", ("「Survey」のように",)),
    ],
)
def test_a_title_with_an_answer_inserted_or_formatting_is_refused_in_its_cell(
    header: str, title: str, says: tuple[str, ...]
) -> None:
    """The title heads the rounds, the form, the template and 定義, as a label heads a column:
    refused in its own cell, saying what to write (the title without the marks)."""
    survey = [("select_one yes_no", "a", "参加しましたか")]
    data = form(survey, YES_NO, (("form_id", header), ("kenshu", title)))
    problem = only(refused(data))
    assert (problem.sheet, problem.row, problem.column) == ("settings", 2, header)
    for words in says:
        assert words in problem.message


def test_a_title_that_only_looks_like_formatting_is_read_as_typed() -> None:
    data = form([("text", "a", "A")], settings=(("form_id", "form_title"), ("k", "※ #1 5*3 調査")))
    assert read_definition(data, "k.xlsx").title.ja == "※ #1 5*3 調査"


def test_a_stored_title_with_formatting_still_reads() -> None:
    """A stored version never changes: its title reads as it was stored."""
    data = form([("text", "a", "A")], settings=(("form_id", "form_title"), ("k", "**調査**")))
    assert read_xlsform(data, "k.xlsx").title.ja == "**調査**"


def test_a_code_not_in_the_list_is_refused_with_its_position() -> None:
    problem = only(
        refused(
            form([("select_one yes_no", "a", "A"), ("text", "b", "B", "", "${a} = 'yse'")], YES_NO)
        )
    )
    assert (problem.row, problem.column) == (3, "relevant")
    assert problem.message.startswith(
        "8文字目: 「yse」は「a」の選択肢にありません（選択肢: yes, no）"
    )


@pytest.mark.parametrize(
    ("choices", "row", "column", "cause"),
    [
        ([("yes_no", "yes", "はい"), ("yes_no", "yes", "はい")], 3, "name", "2回あります（2行目）"),
        ([("yes_no", "y n", "はい")], 2, "name", "「y n」は使えません"),
        ([("yes_no", "yes", "")], 2, "label", "label（選択肢の表示名）が空"),
        ([("", "yes", "はい")], 2, "list_name", "list_name が空"),
    ],
)
def test_choice_refusals(choices: list[tuple[str, ...]], row: int, column: str, cause: str) -> None:
    problems = refused(form([("text", "q", "A")], choices))
    problem = only(problems)
    assert (problem.sheet, problem.row, problem.column) == ("choices", row, column)
    assert cause in problem.message


@pytest.mark.parametrize(
    ("rows", "column", "cause"),
    [
        ((("form_id", "version"), ("kenshu", "v2")), "version", "1以上の整数"),
        ((("form_id", "version"), ("kenshu", 0)), "version", "1以上の整数"),
        ((("form_id", "version"), ("kenshu", "０")), "version", "1以上の整数"),
        ((("form_id",), ("研修会",)), "form_id", "form_id「研修会」は使えません"),
        ((("form_id", "headline"), ("kenshu", "q")), "headline", "select_one の質問"),
        ((("form_id", "listed_choice"), ("kenshu", "x")), "listed_choice", "headline も必要"),
        ((("form_id", "headline_title"), ("kenshu", "見出し")), "headline_title", "headline も書"),
    ],
)
def test_settings_refusals(rows: tuple[tuple[object, ...], ...], column: str, cause: str) -> None:
    problem = only(refused(form([("text", "q", "A")], settings=rows)))
    assert (problem.sheet, problem.row, problem.column) == ("settings", 2, column)
    assert cause in problem.message


def test_no_form_id_anywhere_is_refused() -> None:
    problem = only(refused(form([("text", "q", "A")], settings=None), "研修会調査.xlsx"))
    assert (problem.sheet, problem.column) == ("settings", "form_id")


def test_a_column_that_changes_meaning_is_refused_by_name() -> None:
    data = form([("text", "q", "A", "yes")], survey_header=("type", "name", "label", "read_only"))
    problem = only(refused(data))
    assert (problem.row, problem.column) == (2, "read_only")
    assert "read_only 列はハブでは使えません" in problem.message


@pytest.mark.parametrize(
    ("rows", "header", "column", "instead"),
    [
        (
            [
                ("begin repeat", "sessions", "研修の回"),
                ("text", "title", "研修名"),
                ("end repeat",),
            ],
            ("type", "name", "label"),
            "type",
            "「第1回」「第2回」のように質問を分けて",
        ),
        (
            [("text", "q", "A", "1 + 1")],
            ("type", "name", "label", "calculation"),
            "calculation",
            "type が calculate の行だけに書けます",
        ),
        (
            [("text", "q", "A", "yes")],
            ("type", "name", "label", "read_only"),
            "read_only",
            "note",
        ),
        (
            [("acknowledge", "ok", "確認"), ("text", "why", "理由", "${ok}")],
            ("type", "name", "label", "trigger"),
            "trigger",
            "この列を消してください",
        ),
    ],
)
def test_a_refused_type_or_column_says_what_to_write_instead(
    rows: list[tuple[str, ...]], header: tuple[str, ...], column: str, instead: str
) -> None:
    """An ODK designer's ``begin repeat`` was refused with 「ハブでは使えません」 only: one
    problem, with what the hub takes instead (a ``calculation`` outside a ``calculate``: where it
    belongs)."""
    problem = only(refused(form(rows, survey_header=header)))
    assert (problem.sheet, problem.column) == ("survey", column)
    assert instead in problem.message


def test_every_problem_is_listed_at_once() -> None:
    problems = refused(
        form(
            [
                ("text", "q", ""),
                ("geopoint", "where", "場所"),
                ("text", "q", "重複"),
                ("select_one nolist", "s", "S"),
            ]
        )
    )
    assert [(p.row, p.column) for p in problems] == [
        (2, "label"),
        (3, "type"),
        (4, "name"),
        (5, "type"),
    ]


def test_missing_survey_sheet_and_headers() -> None:
    problem = only(refused(xlsx({"Sheet1": [("type",)]})))
    assert (problem.sheet, problem.row) == ("survey", None)
    problems = refused(xlsx({"survey": [("name", "label"), ("q", "A")]}))
    assert [(p.row, p.column) for p in problems] == [(1, "type")]


def test_a_typo_in_a_list_name_is_one_problem_not_one_per_rule_naming_the_question() -> None:
    """``select_one plan_statuss``: the row's own problem, once; the rules, the headline and
    ``renamed`` naming the question are not refused again for naming no question."""
    statuses = (("status", "done", "策定済み"), ("status", "none", "未策定"))
    data = form(
        [
            ("select_one statuss", "plan_status", "策定状況", "yes", "", ""),
            (
                "date",
                "plan_date",
                "策定日",
                "${plan_status} = 'done'",
                "${plan_status} = 'done'",
                "",
            ),
            ("text", "memo", "備考", "", "selected(${plan_status}, 'none')", ""),
        ],
        statuses,
        settings=(
            ("form_id", "version", "headline", "listed_choice", "renamed"),
            ("kenshu", 2, "plan_status", "done", "plan_status=status"),
        ),
    )
    problem = only(refused(data))
    assert (problem.sheet, problem.row, problem.column) == ("survey", 2, "type")
    assert problem.message == (
        "選択肢リスト「statuss」が choices シートにありません。「status」のことですか？"
    )


def test_a_question_without_a_label_still_counts_as_named_by_rules() -> None:
    problem = only(
        refused(
            form(
                [
                    ("integer", "people", "", "", "", ""),
                    ("text", "memo", "M", "", "${people} > 0", ""),
                ]
            )
        )
    )
    assert (problem.row, problem.column) == (2, "label")


def test_a_rule_naming_a_refused_kind_of_question_is_still_refused() -> None:
    """A ``geopoint`` is refused, and so is the rule that counts on it: it must change too."""
    problems = refused(
        form(
            [("geopoint", "total", "T", "", "", ""), ("text", "memo", "M", "", "${total} > 0", "")]
        )
    )
    assert [(p.row, p.column) for p in problems] == [(2, "type"), (3, "relevant")]


def test_a_survey_sheet_without_a_name_column_is_one_problem() -> None:
    data = form(
        [("select_one yes_no", "A", "", "", "")],
        YES_NO,
        settings=(("form_id", "headline", "listed_choice"), ("kenshu", "attended", "yes")),
        survey_header=("type", "label", "required", "relevant", "constraint"),
    )
    problem = only(refused(data))
    assert (problem.sheet, problem.row, problem.column) == ("survey", 1, "name")


def test_a_full_width_version_is_read_as_its_number() -> None:
    q = read_xlsform(
        form([("text", "q", "A")], settings=(("form_id", "version"), ("kenshu", "２"))), "k.xlsx"
    )
    assert q.version == 2
    q = read_xlsform(
        form([("text", "q", "A")], settings=(("form_id", "version"), ("kenshu", " １２ "))),
        "k.xlsx",
    )
    assert q.version == 12


def test_a_formula_in_a_name_is_just_a_bad_name() -> None:
    problem = only(refused(form([("text", '=HYPERLINK("http://x")', "A")])))
    assert problem.column == "name"


# -------------------------------------------------------------------------------- round trip


def test_torikumi_round_trips() -> None:
    torikumi = registry.latest("torikumi")
    again = read_xlsform(write_xlsform(torikumi), "other.xlsx")
    assert again == torikumi
    assert again.fingerprint() == torikumi.fingerprint()


def test_the_example_round_trips() -> None:
    example = read_xlsform(EXAMPLE.read_bytes(), EXAMPLE.name)
    assert read_xlsform(write_xlsform(example)) == example


def test_formula_looking_text_is_written_as_text() -> None:
    q = read_xlsform(
        form(
            [("text", "q", "=1+1", "", "", "")],
            settings=(("form_id", "form_title"), ("kenshu", "@SUM(A1)")),
        )
    )
    assert q.question("q").label.ja == "=1+1"
    data = write_xlsform(q)
    workbook = load_workbook(io.BytesIO(data))
    cells = [c for row in workbook["survey"].iter_rows() for c in row if c.value == "=1+1"]
    assert [c.data_type for c in cells] == ["s", "s"]
    assert read_xlsform(data) == q


def test_the_written_file_is_the_documented_layout() -> None:
    workbook = load_workbook(io.BytesIO(write_xlsform(registry.latest("torikumi"))))
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    headers = [c.value for c in next(workbook["survey"].iter_rows(max_row=1))]
    assert headers[:4] == ["type", "name", "label::ja", "label::en"]
    assert "personal" in headers


_TEXT = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)
_LABELS = st.builds(Label, _TEXT, _TEXT) | _TEXT.map(Label.same)
_CHOICES = st.lists(
    st.builds(
        Choice,
        st.from_regex(r"[a-z0-9_]{1,8}", fullmatch=True),
        _LABELS,
        st.sampled_from(["", "①"]),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda c: c.code,
)
_RULES = st.sampled_from(
    [
        None,
        parse("${q0} != ''"),
        parse("string-length(${q0}) > 2 or not(${q0})"),
        parse("count-selected(${q0}) > 1"),
    ]
)


@st.composite
def _questionnaires(draw: st.DrawFn) -> Questionnaire:
    count = draw(st.integers(min_value=1, max_value=6))
    questions = []
    for index in range(count):
        kind = draw(st.sampled_from([k for k in Kind if k != Kind.NOTE]))
        choices = tuple(draw(_CHOICES)) if kind in (Kind.ONE_OF, Kind.MANY_OF) else ()
        relevant = draw(_RULES) if index > 0 else None
        questions.append(
            Question(
                id=f"q{index}",
                kind=kind,
                label=draw(_LABELS),
                hint=draw(st.none() | _LABELS),
                required=draw(st.sampled_from([False, True, parse("${q0} = ''")]))
                if index
                else True,
                relevant=relevant,
                constraint=draw(st.sampled_from([None, parse(". != ''")])),
                choices=choices,
                list_name=f"list{index}" if choices else "",
                personal=draw(st.booleans()),
            )
        )
    split = draw(st.integers(min_value=0, max_value=count))
    group_rule = draw(_RULES) if split else None
    sections = (
        Section("", Label("", ""), tuple(questions[:split])),
        Section("g", draw(_LABELS), tuple(questions[split:]), group_rule),
    )
    return Questionnaire(
        "random", draw(st.integers(1, 99)), draw(_LABELS), tuple(s for s in sections if s.items)
    )


@settings(max_examples=40, deadline=None)
@given(_questionnaires())
def test_any_definition_round_trips(definition: Questionnaire) -> None:
    assert read_xlsform(write_xlsform(definition)) == definition


# ------------------------------------------------------------------------------ renamed


def test_renamed_maps_new_names_to_old_ones_and_round_trips() -> None:
    data = form(
        [
            ("text", "lead_dept", "所管部署", "", "", ""),
            ("integer", "staff_count", "職員数", "", "", ""),
        ],
        settings=(
            ("form_id", "version", "form_title", "renamed"),
            ("kenshu", 2, "研修会調査", "lead_dept = lead_department、 staff_count=staff"),
        ),
    )
    q = read_xlsform(data, "kenshu.xlsx")
    assert q.renamed == (("lead_dept", "lead_department"), ("staff_count", "staff"))
    assert q.previous_name("lead_dept") == "lead_department"
    assert q.previous_name("other") == "other"
    again = read_xlsform(write_xlsform(q), "kenshu.xlsx")
    assert again.renamed == q.renamed
    assert again.fingerprint() == q.fingerprint()


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("nothere=old", "renamed の「nothere」はこの調査票の質問ではありません。"),
        ("lead_dept old", "renamed は「新しい名前=前の名前」をコンマで区切って書いてください"),
        ("lead_dept=a, lead_dept=b", "renamed に「lead_dept」が2回あります。"),
    ],
)
def test_renamed_refusals_name_the_settings_cell(text: str, cause: str) -> None:
    data = form(
        [("text", "lead_dept", "所管部署", "", "", "")],
        settings=(("form_id", "version", "renamed"), ("kenshu", 2, text)),
    )
    problem = only(refused(data))
    assert (problem.sheet, problem.row, problem.column) == ("settings", 2, "renamed")
    assert problem.message.startswith(cause)


# ------------------------------------------------------------------- read whole, or refused


def _survey_with_cells(cells: dict[tuple[int, int], str]) -> bytes:
    """A survey sheet of one integer question ``n`` (row 2), with text put in far cells
    ``{(row, column): text}`` (1-based), where a reader's window would not look."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(("type", "name", "label"))
    sheet.append(("integer", "n", "件数"))
    for (row, column), text in cells.items():
        sheet.cell(row, column, text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _survey_with_row(number: int, row: tuple[str, ...]) -> bytes:
    return _survey_with_cells({(number, column): text for column, text in enumerate(row, start=1)})


@pytest.mark.parametrize("number", [3001, 3002, 5000])
def test_a_row_past_the_limit_refuses_the_file_after_blank_rows(number: int) -> None:
    """Nothing past the limit is dropped quietly, even behind blank rows (row 3,001 blank)."""
    problem = only(refused(_survey_with_row(number, ("text", "late", "後の質問"))))
    assert (problem.sheet, problem.row) == ("survey", number)
    assert "3000行まで" in problem.message


def test_a_column_past_the_limit_refuses_the_file_naming_it() -> None:
    problem = only(refused(_survey_with_cells({(1, 102): "relevant", (2, 102): "false()"})))
    assert (problem.sheet, problem.row, problem.column) == ("survey", 2, "CX")
    assert "100列まで" in problem.message


def test_a_formula_is_read_as_the_value_excel_computed() -> None:
    data = form(
        [("text", "q", Formula("=D2"), "", "", "", "区市町村名")],
        settings=(("form_id", "form_title"), ("kenshu", Formula('="R"&7'))),
        survey_header=(*SURVEY_HEADER, "memo"),
    )
    data = with_computed_values(data, {"D2": "区市町村名", '"R"&amp;7': "令和7年度"})
    q = read_definition(data, "kenshu.xlsx")
    assert q.question("q").label.ja == "区市町村名"
    assert q.title.ja == "令和7年度"


def test_a_formula_without_a_computed_value_is_refused_naming_the_cell() -> None:
    problem = only(refused(form([("text", "q", Formula("=D2"), "", "", "")])))
    assert (problem.sheet, problem.row, problem.column) == ("survey", 2, "label")
    assert "セル C2 は数式（=D2）" in problem.message


# ------------------------------------------------------------------- every problem at once


def test_a_choices_problem_does_not_hide_the_survey_problems() -> None:
    data = form(
        [
            ("select_one yn", "q", "質問", "", "${zzz} = 1", ""),
            ("textt", "t", "メモ", "", "", ""),
            ("text", "u", "", "", "", ""),
            ("text", "v", "内容", "", "${q} = 'maybe'", ""),
        ],
        [("yn", "yes", "はい"), ("yn", "no", None), ("yn", "maybe", "たぶん")],
    )
    problems = refused(data)
    assert [(p.sheet, p.row, p.column) for p in problems] == [
        ("choices", 3, "label"),
        ("survey", 3, "type"),
        ("survey", 4, "label"),
        ("survey", 2, "relevant"),
    ]


def test_a_choices_sheet_without_its_columns_and_an_entities_sheet_hide_nothing() -> None:
    data = xlsx(
        {
            "survey": [
                ("type", "name", "label"),
                ("select_one yn", "q", "質問"),
                ("textt", "t", "メモ"),
            ],
            "choices": [("list_name", "label"), ("yn", "はい")],
            "entities": [("list_name", "label"), ("people", "${name}")],
        }
    )
    problems = refused(data)
    assert [(p.sheet, p.row, p.column) for p in problems] == [
        ("entities", None, ""),
        ("choices", 1, "name"),
        ("survey", 3, "type"),
    ]


@pytest.mark.parametrize(
    ("header", "settings", "column", "letters"),
    [
        (("type", "name", "label", "relevant", "relevant"), None, "relevant", ("D", "E")),
        (("type", "name", "label", "Relevance", "relevant"), None, "relevant", ("D", "E")),
        (
            ("type", "name", "label", "label::en", "relevant"),
            (("form_id", "default_language"), ("kenshu", "English")),
            "label::en",
            ("C", "D"),
        ),
        (("type", "name", "label::ja", "label::Japanese (ja)", "x"), None, "label::Japanese (ja)",
         ("C", "D")),
    ],
)  # fmt: skip
def test_two_columns_read_as_one_are_refused_naming_both(
    header: tuple[str, ...], settings: tuple[tuple[str, ...], ...] | None, column: str,
    letters: tuple[str, str],
) -> None:  # fmt: skip
    row = ["integer", "n", "件数", "", ""]
    if "label::en" in header:
        row[3] = "Count"
    data = form(
        [row],
        settings=settings or (("form_id",), ("kenshu",)),
        survey_header=header,
    )
    problem = only(refused(data))
    assert (problem.sheet, problem.row, problem.column) == ("survey", 1, column)
    assert f"{letters[0]}列" in problem.message
    assert f"{letters[1]}列" in problem.message


def test_a_memo_column_twice_is_still_ignored() -> None:
    data = form([("integer", "n", "件数", "a", "b")], survey_header=("type", "name", "label",
                "備考", "備考"))  # fmt: skip
    assert read_definition(data, "kenshu.xlsx").question("n").label.ja == "件数"


# ------------------------------------------------------------------ what the hub does not use


def test_media_columns_and_unused_settings_are_said_by_name() -> None:
    data = form(
        [("select_one yes_no", "q", "質問", "", "", "", "photo.jpg")],
        [("yes_no", "yes", "はい", "yes.png"), ("yes_no", "no", "いいえ", "")],
        settings=(
            ("form_id", "public_key", "submission_url", "instance_name", "style"),
            ("kenshu", "MIIB", "https://example.org", "concat(${q})", "pages"),
        ),
        survey_header=(*SURVEY_HEADER, "media::image"),
        choices_header=("list_name", "name", "label", "image"),
    )
    q = read_definition(data, "kenshu.xlsx")
    assert q.question("q").codes == ("yes", "no")
    assert [text.partition("列: ")[0] for text in q.ignored] == [
        "settingsシート 2行目 public_key",
        "settingsシート 2行目 submission_url",
        "settingsシート 2行目 instance_name",
        "settingsシート 2行目 style",
        "choicesシート 1行目 image",
        "surveyシート 1行目 media::image",
    ]
    assert "設定 public_key はハブでは使いません" in q.ignored[0]
    assert "画像・音声・動画" in q.ignored[-1]
    plain = form([("select_one yes_no", "q", "質問")], YES_NO, settings=(("form_id",), ("kenshu",)))
    assert q == read_definition(plain, "kenshu.xlsx")


def test_a_choice_with_only_a_picture_names_media_as_unsupported() -> None:
    data = form(
        [("select_one yes_no", "q", "質問", "", "", "")],
        [("yes_no", "yes", "はい", ""), ("yes_no", "no", None, "no.png")],
        choices_header=("list_name", "name", "label", "media::image"),
    )
    problem = only(refused(data))
    assert (problem.sheet, problem.row, problem.column) == ("choices", 3, "label")
    assert "media::image 列（画像・音声・動画）だけがあります" in problem.message


def test_allow_choice_duplicates_does_not_let_a_code_repeat() -> None:
    data = form(
        [("select_one yes_no", "q", "質問", "", "", "")],
        [("yes_no", "yes", "はい"), ("yes_no", "yes", "そう")],
        settings=(("form_id", "allow_choice_duplicates"), ("kenshu", "yes")),
    )
    problem = only(refused(data))
    assert (problem.sheet, problem.row, problem.column) == ("choices", 3, "name")
    assert "allow_choice_duplicates はハブでは使えません" in problem.message
    fine = form(
        [("select_one yes_no", "q", "質問", "", "", "")],
        YES_NO,
        settings=(("form_id", "allow_choice_duplicates"), ("kenshu", "yes")),
    )
    said = read_definition(fine, "kenshu.xlsx").ignored
    assert [text.partition("列: ")[0] for text in said] == [
        "settingsシート 2行目 allow_choice_duplicates"
    ]


def test_required_no_on_a_group_is_accepted_and_yes_refused() -> None:
    rows = [("begin_group", "g", "節", "{}", "", ""), ("text", "t", "T", "", "", ""),
            ("end_group", "", "", "", "", "")]  # fmt: skip
    for falsy in ("no", "false", "FALSE", "false()"):
        group_rows = [tuple(c.format(falsy) if c == "{}" else c for c in r) for r in rows]
        assert read_definition(form(group_rows), "kenshu.xlsx").sections[0].id == "g"
    group_rows = [tuple(c.format("yes") if c == "{}" else c for c in r) for r in rows]
    problem = only(refused(form(group_rows)))
    assert (problem.row, problem.column) == (2, "required")


def test_a_comment_row_is_read_past_and_said() -> None:
    data = form(
        [
            ("text", "t", "T", ""),
            (None, None, None, "ここから第2部（メモ）"),
            ("text", "u", "U", ""),
        ],
        survey_header=("type", "name", "label", "備考"),
    )
    q = read_definition(data, "kenshu.xlsx")
    assert [x.id for x in q.questions] == ["t", "u"]
    assert q.ignored == (
        "surveyシート 3行目: type・name・label のない行（メモ）は読み飛ばしました。",
    )
    problem = only(refused(form([("text", "t", "T", ""), (None, None, None, "${t} = 'x'")])))
    assert (problem.row, problem.column) == (3, "type")


@pytest.mark.parametrize(
    ("rule", "cause"),
    [
        ("jr:choice-name(${t}, '${t}') = 'x'", "関数「jr:choice-name」は使えません"),
        ("${t} = 'a' && ${t} != 'b'", "「&&」は式に使えません。「and」と書いてください"),
        ("${t} = 'a' || ${t} = 'b'", "「||」は式に使えません。「or」と書いてください"),
        ("${total} > 0", "「total」は2行目の「geopoint」で、ハブでは使えない種類"),
    ],
)
def test_rules_ported_from_odk_say_what_to_change(rule: str, cause: str) -> None:
    problems = refused(
        form(
            [
                ("geopoint", "total", "T", "", "", ""),
                ("text", "t", "T", "", "", ""),
                ("text", "u", "U", "", rule, ""),
            ]
        )
    )
    assert [(p.row, p.column) for p in problems] == [(2, "type"), (4, "relevant")]
    assert cause in problems[1].message


def test_a_file_without_a_survey_sheet_lists_the_sheets_it_has() -> None:
    problem = only(refused(xlsx({"Sheet1": [("type", "name")], "choices": [("list_name",)]})))
    assert (
        problem.message
        == "survey シートがありません（このファイルのシート: 「Sheet1」、「choices」）。"
    )


def test_a_header_past_the_column_limit_with_nothing_under_it_is_no_content() -> None:
    data = _survey_with_cells({(1, 256): "what four?"})
    assert read_definition(data, "kenshu.xlsx").question("n").label.ja == "件数"


def test_prefixed_columns_of_one_kind_are_not_one_column() -> None:
    data = form(
        [("integer", "n", "件数", "", "")],
        survey_header=("type", "name", "label", "bind::relevant", "bind::constraint"),
    )
    assert read_definition(data, "kenshu.xlsx").question("n").label.ja == "件数"
