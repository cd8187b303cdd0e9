"""The browser's rule evaluator (hub/static/hub.js) against the server's (forms/expression), and
conditions appearing and disappearing on a questionnaire defined by a file."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from forms.expression import Binary, Current, Env, Expr, Literal, Ref, evaluate, parse, to_json
from forms.expression.evaluate import EPOCH
from forms.expression.syntax import LEVELS
from tests.browser.support import sign_in_directly
from tests.conftest import make_user
from tests.forms.example import example_round
from tests.forms.test_expression import ANSWERS, NAMES, ODK_CASES, TODAY, current_for, trees

pytestmark = pytest.mark.browser

HUB_JS = Path(__file__).parents[2] / "hub" / "static" / "hub.js"
TEXT = st.text(alphabet="ab c1.-0'計画", max_size=6)
NUMBERS = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False).map(float)
VALUES = st.one_of(
    TEXT,
    NUMBERS,
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.sampled_from(["", "2021-04-01", " 12 ", "yes no", "1e3", "-0"]),
)

_EVALUATE_IN_PAGE = """
(cases) => {
  const decode = (v) => (v !== null && typeof v === "object" ? { days: v.date } : v);
  const encode = (v) => {
    if (typeof v === "number") {
      return ["n", Number.isNaN(v) ? "NaN" : Number.isFinite(v) ? v : String(v)];
    }
    if (typeof v === "boolean") { return ["b", v]; }
    if (typeof v === "string") { return ["s", v]; }
    return ["d", v.days];
  };
  return cases.map((c) => {
    const env = {
      current: decode(c.current),
      today: { days: c.today },
      resolve: (name) => (name in c.answers ? decode(c.answers[name]) : ""),
      choice: c.choice,
    };
    return encode(window.hubRules.evaluate(c.tree, env));
  });
}
"""


LEAVES = st.one_of(
    TEXT.map(Literal), NUMBERS.map(lambda n: Literal(abs(n))), NAMES.map(Ref), st.just(Current())
)
COMPARISONS = st.builds(Binary, st.sampled_from(sorted(LEVELS[2] | LEVELS[3])), LEAVES, LEAVES)
"""Comparisons of plain values: where the conversion rules of XPath differ most."""


def wire(value: Any) -> Any:
    """A value as JSON can carry it to the page."""
    if isinstance(value, date):
        return {"date": (value - EPOCH).days}
    return value


def encoded(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, float):
        if math.isnan(value):
            return ["n", "NaN"]
        return ["n", value if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity")]
    if isinstance(value, date):
        return ["d", (value - EPOCH).days]
    return ["s", value]


@pytest.fixture(scope="module")
def rules_page(chromium: Any) -> Any:
    page = chromium.new_page()
    page.set_content("<!doctype html><title>rules</title>")
    page.add_script_tag(content=HUB_JS.read_text(encoding="utf-8"))
    yield page
    page.close()


WAREKI_TYPED = [
    "令和元年5月1日",
    "令和1年5月1日",
    "令和８年１２月３日",
    "令和 3 年 4 月 1 日",
    "平成31年4月30日",
    "昭和64年1月7日",
    "平成元年1月8日",
    "明治45年7月29日",
    "2021-04-01",
    "2021/4/1",
    "",
    # not days, or 和暦 the server reads and the page need not: the page does not decide
    "令和1年4月30日",
    "平成31年5月1日",
    "昭和64年1月8日",
    "令和3年2月30日",
    "令和3年13月1日",
    "文久3年1月1日",
    "R1.5.1",
    "2021年4月1日",
]


def test_the_browser_reads_a_date_as_the_server_or_leaves_it_to_the_server(
    rules_page: Any,
) -> None:
    """The form shows a stored date in 和暦 (令和3年4月1日): a rule that reads it in the browser
    reads the day the server reads; what the page cannot read for sure it leaves undecided."""
    from forms.normalize import InvalidValue, parse_date
    from hub.web.display import eras_json

    got = rules_page.evaluate(
        """([texts, eras]) => texts.map((t) => {
            try {
              const d = window.hubRules.typedDate(t, JSON.parse(eras));
              return d === "" ? "" : d.days;
            } catch (e) { return "unknown"; }
        })""",
        [WAREKI_TYPED, eras_json()],
    )
    for text, day in zip(WAREKI_TYPED, got, strict=True):
        if day == "unknown":
            assert text in WAREKI_TYPED[WAREKI_TYPED.index("") + 1 :], text
            continue
        if text == "":
            assert day == ""
            continue
        try:
            expected = parse_date(text)
        except InvalidValue:
            raise AssertionError(f"the page read {text!r}, which the server refuses") from None
        assert (EPOCH + timedelta(days=day)) == expected, text


def test_the_browser_evaluates_the_odk_table_as_the_server(rules_page: Any) -> None:
    cases = [(parse(text), ANSWERS, current_for(text)) for text, _ in ODK_CASES]
    assert_same(rules_page, cases)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(
    st.lists(
        st.tuples(trees() | COMPARISONS, st.dictionaries(NAMES, VALUES), VALUES),
        min_size=30,
        max_size=30,
    )
)
def test_the_browser_evaluates_as_the_server(
    rules_page: Any, cases: list[tuple[Expr, dict[str, Any], Any]]
) -> None:
    assert_same(rules_page, cases)


def assert_same(
    page: Any, cases: list[tuple[Expr, dict[str, Any], Any]], choice: dict[str, str] | None = None
) -> None:
    expected = []
    sent = []
    for tree, answers, current in cases:
        resolve = lambda name, a=answers: a.get(name, "")  # type: ignore[misc]  # noqa: E731
        expected.append(encoded(evaluate(tree, Env(resolve, current, TODAY, choice))))
        sent.append(
            {
                "tree": to_json(tree),
                "answers": {k: wire(v) for k, v in answers.items()},
                "current": wire(current),
                "today": (TODAY - EPOCH).days,
                "choice": choice,
            }
        )
    got = page.evaluate(_EVALUATE_IN_PAGE, sent)
    for (tree, answers, current), mine, theirs in zip(cases, expected, got, strict=True):
        assert theirs == mine, (tree, answers, current)


@pytest.mark.parametrize(
    "choice",
    [{"name": "131016", "pref": "13", "size": "10"}, {"name": "271004", "pref": "27"}],
)
def test_the_browser_filters_choices_as_the_server(rules_page: Any, choice: dict[str, str]) -> None:
    """``choice_filter``: a choice's columns by bare name (a missing one is empty), with the
    conversions of XPath, as forms/expression evaluates them."""
    texts = [
        "pref = ${pref}",
        "pref = 13",
        "size > 5",
        "size = ''",
        "name != '271004' and selected(${areas}, pref)",
        "starts-with(name, ${pref})",
        "if(${pref} = '', true(), pref = ${pref})",
    ]
    answers = [{"pref": "13", "areas": "13 14"}, {"pref": "27", "areas": ""}, {}]
    cases = [(parse(t, columns=True), a, "") for t in texts for a in answers]
    assert_same(rules_page, cases, choice)


def test_conditions_appear_and_disappear_as_the_file_says(app, open_page, monkeypatch) -> None:
    from playwright.sync_api import expect

    round_id = example_round(app, monkeypatch)
    with app.app_context():
        email = make_user(role="respondent", municipality="131016").email
    page = open_page()
    sign_in_directly(page, email)
    page.goto(f"/respond/rounds/{round_id}/131016")

    participants = page.get_by_label("参加した職員数")
    reasons = page.get_by_role("group", name=re.compile("参加しなかった理由"))
    expect(participants).to_be_hidden()
    expect(reasons).to_be_hidden()
    page.locator("#field-training_attended").get_by_label("はい").check()
    expect(participants).to_be_visible()
    expect(reasons).to_be_hidden()
    page.locator("#field-training_attended").get_by_label("いいえ").check()
    expect(participants).to_be_hidden()
    expect(reasons).to_be_visible()

    other = page.get_by_label("特に役に立ったテーマ（その他の内容）")
    page.locator("#field-training_attended").get_by_label("はい").check()
    expect(other).to_be_hidden()
    page.locator("#field-training_topics").get_by_label("その他").check()
    expect(other).to_be_visible()
    page.locator("#field-training_attended").get_by_label("いいえ").check()
    expect(other).to_be_hidden()

    hours = page.get_by_label("1回あたりの平均時間（時間）")
    support = page.get_by_label("都による連絡会の立ち上げ支援を希望する")
    expect(hours).to_be_hidden()
    page.get_by_label("不定期に開催している").check()
    expect(hours).to_be_visible()
    expect(support).to_be_hidden()
    page.get_by_label("開催していない").check()
    expect(hours).to_be_hidden()
    expect(support).to_be_visible()
