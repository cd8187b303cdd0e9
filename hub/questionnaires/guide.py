"""The facts of the page 「調査票の書き方」, taken from the reader's own definitions.

The sheet, column and type names, every spelling the reader takes, the settings it reads, and what
it refuses with the words of its refusals come from :mod:`forms.xlsform.vocabulary` and
:mod:`forms.xlsform.reader`, so the page cannot say what the reader does not do; only the
explanations are written here. A kind, column or setting the reader gains without an explanation
here fails ``tests/questionnaires/test_guide.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from forms.expression.syntax import FUNCTIONS
from forms.model import Kind
from forms.xlsform import vocabulary as words
from forms.xlsform.reader import APPEARANCES, column_advice, other_refusal, type_refusals
from forms.xlsform.writer import CHOICE_HEADERS, SETTINGS_HEADERS, SURVEY_HEADERS


@dataclass(frozen=True)
class TypeRow:
    type: str
    """How the type is written in the ``type`` column (``select_one LIST``)."""
    meaning: LazyString
    example: tuple[str, str, LazyString]
    """``(type, name, label)`` of an example row (the label in the page's language)."""
    also: tuple[str, ...]
    """The other spellings the reader takes for it."""
    note: str = ""


@dataclass(frozen=True)
class ColumnRow:
    column: str
    """The header as written (``label::ja`` / ``label::en`` for a text in two languages)."""
    meaning: LazyString
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refusal:
    what: tuple[str, ...]
    reason: str


KIND_MEANINGS: dict[Kind, LazyString] = {
    Kind.TEXT: _l("文字の回答（自由記述）"),
    Kind.INTEGER: _l("整数（全角の数字や 1,234 も受け付けます）"),
    Kind.DECIMAL: _l("小数を含む数値"),
    Kind.DATE: _l("日付（令和3年4月1日、R3.4.1、2021/4/1 も受け付けます）"),
    Kind.BOOL: _l("チェックボックス1つ（確認しました、など）"),
    Kind.PHONE: _l("電話番号（ハブ独自の種類。03-5321-1111 の形にそろえます）"),
    Kind.EMAIL: _l("メールアドレス（ハブ独自の種類）"),
    Kind.ONE_OF: _l("選択肢から1つ選ぶ（choices シートのリスト名を続けて書きます）"),
    Kind.MANY_OF: _l("選択肢から当てはまるものをすべて選ぶ"),
    Kind.NOTE: _l("説明文（回答はありません）"),
}
"""What each kind asks, for staff who write the file."""

KIND_EXAMPLES: dict[Kind, tuple[str, LazyString]] = {
    Kind.TEXT: ("remarks", _l("備考")),
    Kind.INTEGER: ("staff_count", _l("担当職員数（人）")),
    Kind.DECIMAL: ("budget", _l("予算額（百万円）")),
    Kind.DATE: ("started_on", _l("事業を始めた日")),
    Kind.BOOL: ("confirmed", _l("内容を確認しました")),
    Kind.PHONE: ("contact_phone", _l("担当者の電話番号")),
    Kind.EMAIL: ("contact_email", _l("担当者のメールアドレス")),
    Kind.ONE_OF: ("has_plan", _l("計画を策定していますか")),
    Kind.MANY_OF: ("partners", _l("連携している機関")),
    Kind.NOTE: ("intro", _l("この調査は毎年4月1日現在で回答します。")),
}
"""``(name, label)`` of each kind's example row (a select's list is ``yes_no`` / ``partners``).
The labels are the guide's own words, not data: shown in the page's language, as the page says
(the ``type`` and ``name`` cells are the file's words and stay as written)."""

_LIST_OF = {Kind.ONE_OF: "yes_no", Kind.MANY_OF: "partners"}

LIMITED_MEANINGS: dict[str, LazyString] = {
    "range": _l(
        "上限と下限のある数値。parameters 列に start=1 end=5 step=1 のように書きます"
        "（小数があれば decimal として読みます）"
    ),
    "phone number": _l("数字だけの文字（ODK の種類。ハイフンを付ける phone とは別です）"),
    "percentage": _l("0〜100 の整数"),
    "number of days in last month": _l("0〜31 の整数"),
    "number of days in last six months": _l("0〜183 の整数"),
    "number of days in last year": _l("0〜365 の整数"),
}
"""The types read as a kind with a limit of their own (``range`` and ``TYPE_LIMITS``)."""

LIMITED_EXAMPLES: dict[str, tuple[str, LazyString]] = {
    "range": ("satisfaction", _l("満足度（1〜5）")),
    "phone number": ("office_number", _l("事務所の番号（数字のみ）")),
    "percentage": ("employment_rate", _l("就職率（％）")),
    "number of days in last month": ("days_open", _l("先月の開所日数")),
    "number of days in last six months": ("days_open_half", _l("この6か月の開所日数")),
    "number of days in last year": ("days_open_year", _l("この1年の開所日数")),
}

CALCULATE_MEANING = _l(
    "ほかの回答から計算する値。calculation 列に式を書きます（例: ${a} + ${b}、"
    "if(${x} > 0, 'yes', 'no')）。入力はされず、保存のたびにハブが計算します（label は省略可）"
)
CALCULATE_EXAMPLE = _l("参加者の合計")

SURVEY_MEANINGS: dict[str, LazyString] = {
    "type": _l("行の種類（下の「質問の種類」の表）"),
    "name": _l(
        "質問の名前。半角英字か _ で始まる半角英数字と _ で64文字まで。ファイルの中で重ならない"
        "ように付けます。版が変わっても同じ名前の質問の回答が引き継がれます"
    ),
    "label": _l("質問文（説明文の本文、グループの見出し）"),
    "hint": _l("質問の下に出る補足"),
    "guidance_hint": _l("長い説明。「詳しい説明」として折りたたんで表示します"),
    "required": _l("yes で必須。式を書くと、その式が成り立つときだけ必須"),
    "relevant": _l("式が成り立つときだけ質問します（条件）"),
    "constraint": _l("回答が満たすべき式（チェック）。. がその質問の回答です"),
    "constraint_message": _l("constraint に合わないときに表示する文"),
    "required_message": _l("必須の質問が空のときに表示する文"),
    "personal": _l("yes で個人情報（氏名・電話番号など）。提供先へは送られません"),
    "parameters": _l("range の行だけ: start=1 end=5 step=1"),
    "default": _l("新しい調査回の最初の回答（決まった値だけ。式は書けません）"),
    "appearance": _l("表示のしかた（下の表）。ほかの語は無視します"),
    "choice_filter": _l(
        "選択肢を絞り込む式（連動する選択肢）。choices シートの列名をそのまま書き、"
        "ほかの回答は ${名前} で書きます"
    ),
    "calculation": _l("calculate の行だけ: 値を計算する式（例: ${a} + ${b}）"),
}

CHOICE_MEANINGS: dict[str, LazyString] = {
    "list_name": _l("リスト名（survey の select_one LIST の LIST）"),
    "name": _l(
        "選択肢のコード（半角英数字と _ . -。1、2 でもかまいません）。回答はコードで保存します"
    ),
    "label": _l("回答者に見える選択肢の文"),
    "mark": _l("ハブ独自: 選択肢の前に付ける記号（①など）"),
}

SETTING_MEANINGS: dict[str, LazyString] = {
    "form_id": _l(
        "調査票の ID（半角英数字と _ -、50文字まで）。新しい版も同じ form_id で作ります。"
        "書かないとファイル名を使います"
    ),
    "version": _l("版の番号（1以上の整数）。新しい版は前の版より大きい番号にします"),
    "form_title": _l("調査票の名前（日本語）"),
    "form_title_en": _l("ハブ独自: 調査票の英語の名前"),
    "form_title_ja": _l("ハブ独自: 調査票の日本語の名前（form_title と同じ）"),
    "default_language": _l("言語を付けない label・hint 列の言語（書かなければ日本語）"),
    "headline": _l(
        "ハブ独自: 集計の最初に地域別の表を作る select_one の質問の名前（listed_choice と組で書きます）"
    ),
    "listed_choice": _l(
        "ハブ独自: headline の選択肢のうち、選んだ区市町村の名前を並べるもののコード"
    ),
    "headline_title": _l("ハブ独自: headline の表の見出し（書かなければ質問文）"),
    "renamed": _l(
        "ハブ独自: 前の版から名前を変えた質問。「新しい名前=前の名前」をコンマで区切って書くと、"
        "前の版の回答が引き継がれます"
    ),
}

APPEARANCE_MEANINGS: dict[str, LazyString] = {
    "multiline": _l("複数行の入力欄"),
    "minimal": _l("プルダウンで選ぶ（長いリスト向き）"),
    "likert": _l("選択肢を横に並べた尺度"),
    "columns": _l("選択肢を段組みにする（columns-3 で3列）"),
}

REFUSAL_ORDER = ("repeat", "time", "geo", "media", "external", "other")
"""The order of the refused types on the page (``metadata`` rows are read past, not refused)."""


def type_rows() -> list[TypeRow]:
    """Every type the reader takes, each once with its other spellings."""
    canonical = set(words.TYPE_NAMES.values())
    limited = {"range", *words.TYPE_LIMITS}
    rows = []
    for kind, name in words.TYPE_NAMES.items():
        spellings = {**words.SIMPLE_TYPES, **words.SELECT_TYPES}
        also = tuple(
            sorted(
                s
                for s, k in spellings.items()
                if k == kind and s not in canonical and s not in limited
            )
        )
        written = f"{name} {_LIST_OF[kind]}" if kind in _LIST_OF else name
        row_name, label = KIND_EXAMPLES[kind]
        type_cell = f"{name} LIST" if kind in _LIST_OF else name
        rows.append(TypeRow(type_cell, KIND_MEANINGS[kind], (written, row_name, str(label)), also))
    for name in ("range", *words.TYPE_LIMITS):
        row_name, label = LIMITED_EXAMPLES[name]
        note = words.TYPE_LIMITS.get(name, "")
        rows.append(TypeRow(name, LIMITED_MEANINGS[name], (name, row_name, str(label)), (), note))
    also = tuple(sorted(words.CALCULATE_TYPES - {words.CALCULATE}))
    example = (words.CALCULATE, "total", str(CALCULATE_EXAMPLE))
    rows.append(TypeRow(words.CALCULATE, CALCULATE_MEANING, example, also))
    return rows


def group_spellings() -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(sorted(words.GROUP_BEGIN)), tuple(sorted(words.GROUP_END))


def accepted_type_words() -> list[str]:
    """Every spelling of a type the reader takes (the test's list of what the page must show)."""
    return sorted(
        {
            *words.SIMPLE_TYPES,
            *words.SELECT_TYPES,
            *words.CALCULATE_TYPES,
            *words.GROUP_BEGIN,
            *words.GROUP_END,
        }
    )


def _aliases(column: str) -> tuple[str, ...]:
    return tuple(sorted(a for a, c in words.COLUMN_ALIASES.items() if c == column))


def _header(column: str, languages: bool) -> str:
    translated = languages and column in words.TRANSLATABLE
    return f"{column}::ja / {column}::en" if translated else column


def _columns(
    order: tuple[str, ...],
    read: frozenset[str],
    meanings: Mapping[str, LazyString],
    *,
    languages: bool = True,
) -> list[ColumnRow]:
    """``read`` in the writer's order (``order``: headers as the hub writes them), then the rest;
    a text column with its two languages as the writer writes it (``languages``)."""
    seen = dict.fromkeys(h.split("::")[0] for h in order if h.split("::")[0] in read)
    ordered = [*seen, *sorted(read - seen.keys())]
    return [ColumnRow(_header(c, languages), meanings[c], _aliases(c)) for c in ordered]


def survey_columns() -> list[ColumnRow]:
    return _columns(SURVEY_HEADERS, words.SURVEY_COLUMNS, SURVEY_MEANINGS)


def choice_columns() -> list[ColumnRow]:
    return _columns(CHOICE_HEADERS, words.CHOICE_COLUMNS, CHOICE_MEANINGS)


def setting_columns() -> list[ColumnRow]:
    read = words.SETTINGS_COLUMNS | set(words.TITLE_COLUMNS)
    # the title's languages are columns of their own (pyxform fails on form_title::en)
    return _columns(SETTINGS_HEADERS, frozenset(read), SETTING_MEANINGS, languages=False)


def appearances() -> list[tuple[str, LazyString, tuple[str, ...]]]:
    """``(word, meaning, types)`` of every ``appearance`` the web form draws."""
    found: dict[str, list[str]] = {}
    for kind, honoured in APPEARANCES.items():
        for word in honoured:
            found.setdefault(word, []).append(words.TYPE_NAMES[kind])
    return [(word, APPEARANCE_MEANINGS[word], tuple(kinds)) for word, kinds in found.items()]


def functions() -> list[str]:
    """The functions a rule may call, as written (``selected(…)``)."""
    return [f"{name}()" for name in FUNCTIONS]


def refused_types() -> list[Refusal]:
    """The types refused by name, grouped by the reason the refusal gives, with its words."""
    reasons = type_refusals()
    grouped: dict[str, list[str]] = {}
    for spelling, reason in words.UNSUPPORTED_TYPES.items():
        grouped.setdefault(reason, []).append(spelling)
    return [
        Refusal(tuple(grouped[key]), reasons.get(key, other_refusal()))
        for key in (*REFUSAL_ORDER, *sorted(grouped.keys() - {*REFUSAL_ORDER, "metadata"}))
        if key in grouped
    ]


def read_past_types() -> tuple[str, ...]:
    """Device metadata rows (``start``, ``end``…): read past and said, not refused."""
    return tuple(s for s, reason in words.UNSUPPORTED_TYPES.items() if reason == "metadata")


def refused_columns() -> list[Refusal]:
    advice = column_advice()
    return [Refusal((c,), advice.get(c, "")) for c in sorted(words.REFUSED_COLUMNS)]


def refused_sheets() -> tuple[str, ...]:
    return tuple(sorted(words.REFUSED_SHEETS))


def sheets() -> tuple[str, str, str]:
    return words.SURVEY, words.CHOICES, words.SETTINGS
