"""The rule language: what it reads, what it refuses (with the position), how it evaluates."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms.expression import (
    FUNCTIONS,
    Binary,
    Call,
    Current,
    Env,
    Expr,
    ExpressionError,
    Literal,
    Negative,
    Ref,
    Unknowable,
    evaluate,
    parse,
    references,
    to_json,
    truthy,
    unparse,
    uses_current,
)
from forms.expression.syntax import LEVELS

PROPERTY = settings(max_examples=300, deadline=None)

# ----------------------------------------------------------------------------------- reading


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("${plan_status} = 'formulated'", Binary("=", Ref("plan_status"), Literal("formulated"))),
        (
            "selected(${programs}, 'other')",
            Call("selected", (Ref("programs"), Literal("other"))),
        ),
        (
            "string-length(.) <= 200",
            Binary("<=", Call("string-length", (Current(),)), Literal(200)),
        ),
        (". >= 0.5", Binary(">=", Current(), Literal(0.5))),
        ("count-selected(${a})>=2", Binary(">=", Call("count-selected", (Ref("a"),)), Literal(2))),
        ("not(${x})", Call("not", (Ref("x"),))),
        ("${ a }", Ref("a")),
        ('"it\'s"', Literal("it's")),
        ("-1", Negative(Literal(1))),
        ("today()", Call("today")),
        (
            "1 + 2 * 3",
            Binary("+", Literal(1), Binary("*", Literal(2), Literal(3))),
        ),
        (
            "${a} = 1 or ${b} = 2 and ${c} = 3",
            Binary(
                "or",
                Binary("=", Ref("a"), Literal(1)),
                Binary("and", Binary("=", Ref("b"), Literal(2)), Binary("=", Ref("c"), Literal(3))),
            ),
        ),
        ("10 div 4 mod 2", Binary("mod", Binary("div", Literal(10), Literal(4)), Literal(2))),
        (". <= ${reference_date}", Binary("<=", Current(), Ref("reference_date"))),
    ],
)
def test_reads_what_odk_designers_write(text: str, tree: Expr) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 1, "空"),
        ("${a} =", 7, "途中で終わって"),
        ("${a} = 'x", 8, "引用符"),
        ("concat(., 'x')", 1, "関数「concat」は使えません"),
        ("regex(., ${a})", 10, "' ' で囲んで書いてください"),
        ("regex(., '[0-9')", 10, "正規表現「[0-9」を読めません"),
        (". <= 1" + "0" * 400, 6, "は大きすぎます"),  # beyond a double: saving raised before
        ("not(1, 2)", 1, "引数は1個"),
        ("selected(${a})", 1, "引数は2個"),
        ("plan_status = 'x'", 1, "${plan_status}"),
        ("/data/a = 1", 1, "XPath のパス"),
        ("../a", 1, "親の参照"),
        ("${a} ＝ 1", 6, "全角の「＝」"),
        ("（1）", 1, "全角"),
        ("(1 + 2", 7, "「)」が足りません"),
        ("1 2", 3, "「2」の位置"),
        ("${a b}", 1, "質問の名前ではありません"),
        ("$a", 1, "${名前}"),
        ("{men} + {women}", 1, "「{men}」は「${men}」と書いてください"),
        ("{ men }", 1, "は式に使えない文字です"),
        ("1 +", 4, "途中で終わって"),
        ("(" * 60 + "1" + ")" * 60, 41, "入れ子が深すぎ"),
        ("-" * 60 + "1", 41, "入れ子が深すぎ"),
    ],
)
def test_refuses_with_the_position_and_the_cause(text: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.position == position
    assert fragment in info.value.message
    assert str(info.value).startswith(f"{position}文字目: ")


def test_positions_point_into_the_text_and_do_not_count_for_equality() -> None:
    tree = parse("  ${a}   = 'x'")
    assert isinstance(tree, Binary)
    assert (tree.position, tree.left.position, tree.right.position) == (10, 3, 12)
    assert tree == parse("${a}='x'")


def test_references_and_the_current_answer() -> None:
    tree = parse("${a} = 'x' and (selected(${b}, 'y') or . > ${reference_date})")
    assert references(tree) == {"a", "b", "reference_date"}
    assert uses_current(tree)
    assert not uses_current(parse("${a} = 1"))


def test_the_json_form_is_a_small_array_tree() -> None:
    assert to_json(parse("not(${a}) and . <= -2.5")) == [
        "and",
        ["f", "not", ["r", "a"]],
        ["<=", ["."], ["neg", ["n", 2.5]]],
    ]
    assert to_json(parse("'x' != today()")) == ["!=", ["s", "x"], ["f", "today"]]


# ------------------------------------------------------------------- printing and reading back

NAMES = st.sampled_from(["a", "b", "plan_status", "x_other", "reference_date"])
STRINGS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="'\""), max_size=8
) | st.sampled_from(["it's", 'say "hi"', "", "計画"])
NUMBERS = st.integers(min_value=0, max_value=10**6) | st.floats(
    min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False
)
OPERATORS = sorted(op for level in LEVELS for op in level)
PATTERNS = st.sampled_from(["^[0-9]{3}$", "a.c", "", "計画", "^it's", "[ab] c$", "^-?[0-9]+$"])
"""regex() patterns (the file must give a readable one) that Python and JavaScript read alike."""


def trees(depth: int = 3) -> st.SearchStrategy[Expr]:
    leaves: st.SearchStrategy[Expr] = st.one_of(
        STRINGS.map(Literal),
        NUMBERS.map(Literal),
        NAMES.map(Ref),
        st.just(Current()),
        st.sampled_from(["today", "true", "false"]).map(Call),
    )
    if depth == 0:
        return leaves

    def calls(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        return st.sampled_from(sorted(FUNCTIONS)).flatmap(
            lambda name: (
                st.tuples(children, PATTERNS.map(Literal)).map(lambda args: Call(name, args))
                if name == "regex"
                else st.lists(
                    children, min_size=FUNCTIONS[name][0], max_size=FUNCTIONS[name][1]
                ).map(lambda args: Call(name, tuple(args)))
            )
        )

    children = trees(depth - 1)
    return st.one_of(
        leaves,
        st.builds(Binary, st.sampled_from(OPERATORS), children, children),
        children.map(Negative),
        calls(children),
    )


@PROPERTY
@given(trees())
def test_printing_reads_back_as_the_same_tree(tree: Expr) -> None:
    assert parse(unparse(tree)) == tree


@PROPERTY
@given(st.text(max_size=40))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        tree = parse(text)
    except ExpressionError as exc:
        position = exc.position
        assert 1 <= position <= len(text) + 1
        return
    assert parse(unparse(tree)) == tree


# ---------------------------------------------------------------------------------- evaluating

TODAY = date(2021, 6, 1)
ANSWERS: dict[str, Any] = {
    "status": "formulated",
    "programs": "shamei_campaign other",
    "count": 12.0,
    "empty": "",
    "day": date(2021, 3, 31),
    "reference_date": date(2021, 4, 1),
    "ticked": "OK",
    "name": "千代田区計画",
    "padded": " 12 ",
    "separated": "a\x1cb\u3000c",
}


def value(text: str, current: Any = "") -> Any:
    return evaluate(parse(text), Env(ANSWERS.__getitem__, current, TODAY))


ODK_CASES: list[tuple[str, Any]] = [
    ("${status} = 'formulated'", True),
    ("${status} != 'formulated'", False),
    ("selected(${programs}, 'other')", True),
    ("selected(${programs}, 'oth')", False),
    ("selected(${status}, 'formulated')", True),
    ("count-selected(${programs})", 2.0),
    ("count-selected(${empty})", 0.0),
    # white space as JavaScript's \s knows it: U+3000 separates, the control U+001C does not
    ("count-selected(${separated})", 2.0),
    ("selected(${separated}, 'c')", True),
    ("${count} > 10", True),
    ("${count} = '12'", True),
    ("${padded} = 12", True),
    ("${padded} = '12'", False),
    ("'1.50' = 1.5", True),
    ("'-0' = 0", True),
    ("'1.50' = '1.5'", False),
    ("${empty} = 0", False),
    ("${empty} != 0", True),
    ("${empty} > -1", False),
    ("${empty} < 1", False),
    ("${empty} = ''", True),
    ("'b' < 'c'", False),
    ("'2' < '10'", True),
    ("${day} <= ${reference_date}", True),
    ("${day} < '2021-03-31'", False),
    ("${day} = '2021-03-31'", True),
    ("${day} = 'yesterday'", False),
    ("${day} < today()", True),
    ("${reference_date} - ${day}", 1.0),
    ("date('2021-04-01') = ${reference_date}", True),
    ("date(18718) = ${reference_date}", True),
    ("date('2021-02-30')", ""),
    ("${empty} < today()", False),
    ("${ticked}", "OK"),
    ("boolean(${ticked})", True),
    ("not(${empty})", True),
    ("string-length(${name})", 6.0),
    ("string-length(.)", 3.0),
    (". >= 0", True),
    ("7 div 2", 3.5),
    ("1 div 0", math.inf),
    ("-1 div 0", -math.inf),
    ("7 mod -3", 1.0),
    ("-7 mod 3", -1.0),
    ("int(-3.7)", -3.0),
    ("number('１２')", math.nan),
    ("number(' 12 ')", 12.0),
    ("string(2.50)", "2.5"),
    ("string(12)", "12"),
    ("string(${day})", "2021-03-31"),
    ("string(1 = 1)", "true"),
    ("if(${count} > 100, 'big', 'small')", "small"),
    ("coalesce(${empty}, 'none')", "none"),
    ("contains(${name}, '区')", True),
    ("starts-with(${name}, '千代田')", True),
    ("ends-with(${name}, '計画')", True),
    ("abs(-2.5)", 2.5),
    ("abs(${empty})", math.nan),
    ("floor(-2.5)", -3.0),
    ("ceiling(2.1)", 3.0),
    ("floor(${count})", 12.0),
    ("min(3, ${count}, '7')", 3.0),
    ("max(3, ${count})", 12.0),
    ("max(3, ${empty})", math.nan),
    ("substr(${name}, 0, 3)", "千代田"),
    ("substr(${name}, 3)", "区計画"),
    ("substr(${name}, -2, 99)", "千代田区計画"),
    ("substr(${name}, 4, 2)", ""),
    ("normalize-space('  a \u3000 b ')", "a b"),
    ("selected-at(${programs}, 1)", "other"),
    ("selected-at(${programs}, 5)", ""),
    ("true() = 'false'", True),
    ("false() = 0", True),
    ("1 = 1 and 'a'", True),
    ("'' or 0", False),
]


def current_for(text: str) -> Any:
    return "abc" if "(.)" in text else 5.0


@pytest.mark.parametrize(("text", "expected"), ODK_CASES)
def test_evaluates_as_odk_does(text: str, expected: Any) -> None:
    got = value(text, current=current_for(text))
    if isinstance(expected, float) and math.isnan(expected):
        assert isinstance(got, float)
        assert math.isnan(got)
    else:
        assert got == expected
        assert type(got) is type(expected)


def test_a_fact_the_caller_lacks_is_unknowable_not_false() -> None:
    env = Env(lambda name: (_ for _ in ()).throw(Unknowable(name)), "", None)
    with pytest.raises(Unknowable):
        truthy(parse(". <= ${reference_date}"), env)
    with pytest.raises(Unknowable):
        truthy(parse("today() > '2020-01-01'"), Env(lambda name: "", "", None))


VALUES = st.one_of(
    STRINGS,
    NUMBERS.map(float),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.just(""),
)


@PROPERTY
@given(trees(), st.dictionaries(NAMES, VALUES), VALUES)
def test_evaluation_never_raises_for_odd_values(
    tree: Expr, answers: dict[str, Any], current: Any
) -> None:
    env = Env(lambda name: answers.get(name, ""), current, TODAY)
    result = evaluate(tree, env)
    assert isinstance(result, str | float | bool | date)


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("100-0001", True),
        ("〒100-0001", False),
        ("１００-０００１", False),  # \d and [0-9] are ASCII, as in Java and JavaScript
        ("", False),
    ],
)
def test_regex_searches_with_ascii_classes(text: str, matched: bool) -> None:
    rule = parse(r"regex(., '^\d{3}-[0-9]{4}$')")
    assert evaluate(rule, Env(lambda _name: "", text, None)) is matched


@pytest.mark.timeout(10)
def test_a_pattern_that_would_run_for_ever_counts_as_no_match() -> None:
    """``(a|aa)+$`` on a long answer backtracks for longer than anyone waits: the search gives
    up (``forms/expression/patterns.py``) and the answer does not match."""
    rule = parse("regex(., '(a|aa)+$')")
    assert evaluate(rule, Env(lambda _name: "", "a" * 5000 + "b", None)) is False
    assert evaluate(rule, Env(lambda _name: "", "aaaa", None)) is True


def test_reading_rules_does_not_load_the_regex_package() -> None:
    """``regex`` is imported when a ``regex()`` is first used, not with the expressions: every
    process would otherwise carry its objects, and the garbage collector's full passes grow with
    them (the workbook's first build measured 0.32 s with the import deferred, 0.40 s without)."""
    import subprocess
    import sys

    script = (
        "import sys, forms.expression, forms.registry, forms.schema; print('regex' in sys.modules)"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("text", "japanese", "english"),
    [
        ("not(1, 2)", "引数は1個です（2個あります）", "takes 1 argument (2 given)"),
        ("selected(${a})", "引数は2個です（1個あります）", "takes 2 arguments (1 given)"),
        ("substr('a')", "引数は2〜3個です（1個あります）", "takes 2 to 3 arguments (1 given)"),
    ],
)
def test_a_wrong_number_of_arguments_is_counted_in_the_pages_language(
    app: Any, text: str, japanese: str, english: str
) -> None:
    for lang, expected in (("ja", japanese), ("en", english)):
        with app.test_request_context(f"/?lang={lang}"), pytest.raises(ExpressionError) as info:
            parse(text)
        assert expected in info.value.message
