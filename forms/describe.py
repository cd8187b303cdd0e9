"""Rules in words, in Japanese and English, from their expression trees.

「計画の策定状況」が「①策定済み」・「②パブリックコメント手続中…」のとき — the Excel template's
hints, the workbook's 定義 sheet and the web form's notes all describe a question's ``relevant``,
``required`` and ``constraint`` through these functions. The shapes people write most
(``${q} = 'code'``, ``selected(…)``, ``not(…)``, comparisons with a number or the 基準日,
``string-length(.) <= N``) read as sentences; anything else reads as the expression with each
``${name}`` replaced by the question's label, so every rule has a description.
"""

from __future__ import annotations

from dataclasses import dataclass

from forms.expression import (
    Binary,
    Call,
    Current,
    Expr,
    Literal,
    Negative,
    Ref,
    column_name,
    conjuncts,
    disjuncts,
    uses_current,
)
from forms.expression.evaluate import string
from forms.expression.syntax import PRECEDENCE, precedence
from forms.model import REFERENCE_DATE, Kind, Question, Questionnaire, Section, constraint_step

_JA = {
    "quote": "「{}」",
    "is": "{subject}が{value}",
    "is_not": "{subject}が{value}以外",
    "chosen": "{subject}で{value}を選んだ",
    "not_chosen": "{subject}で{value}を選ばなかった",
    "ticked": "{subject}が「はい」",
    "not_ticked": "{subject}が「はい」でない",
    "answered": "{subject}が回答あり",
    "unanswered": "{subject}が未回答",
    ">=": "{subject}が{value}以上",
    "<=": "{subject}が{value}以下",
    ">": "{subject}が{value}より大きい",
    "<": "{subject}が{value}未満",
    "date>=": "{subject}が{value}以降",
    "date<=": "{subject}が{value}以前",
    "date>": "{subject}が{value}より後",
    "date<": "{subject}が{value}より前",
    "count": "{subject}の選択数",
    "length": "{subject}の文字数",
    "holds": "『{text}』が成り立つ",
    "not": "（{text}）ではない",
    "and": "かつ",
    "or": "または",
    "values": "・",
    "when": "{phrase}とき",
    "when_noun": "{phrase}のとき",
    "relevant": "{when}に回答",
    "required": "{when}は必須",
    "guarded": "{when}は{rule}",
    "rules": "、",
    "self": "この回答",
    "reference_date": "基準日",
    "today": "今日",
    "c_length<=": "{value}文字以内",
    "c_length>=": "{value}文字以上",
    "c_>=": "{value}以上",
    "c_<=": "{value}以下",
    "c_>": "{value}より大きい値",
    "c_<": "{value}未満",
    "c_date>=": "{value}以降の日付",
    "c_date<=": "{value}以前の日付",
    "c_date>": "{value}より後の日付",
    "c_date<": "{value}より前の日付",
    "c_count<=": "{value}個まで選択",
    "c_count>=": "{value}個以上選択",
    "c_holds": "『{text}』が成り立つこと",
    "c_step": "{first}、{second}、{third}…のいずれか",
    "c_regex": "正規表現「{pattern}」に合う形",
    "column": "選択肢の{name}",
    "choice_filter": "選べる選択肢は、{rule} を満たすもの",
    "choice_match": "選べる選択肢は、{subject}の回答に合うもの",
    "end": "。",
    "always_asked": "常に回答",
    "always_required": "必須",
    "optional": "任意",
    "no_constraint": "制約なし",
    "no_filter": "選択肢の絞り込みなし",
    "calculation": "入力不要（ほかの回答からハブが計算: {rule}）",
    "typed": "回答者が入力",
    "calculated": "入力不要（ほかの回答からハブが計算）",
}

_EN = {
    "quote": "“{}”",
    "is": "{subject} is {value}",
    "is_not": "{subject} is not {value}",
    "chosen": "{value} is chosen in {subject}",
    "not_chosen": "{value} is not chosen in {subject}",
    "ticked": "{subject} is ticked",
    "not_ticked": "{subject} is not ticked",
    "answered": "{subject} is answered",
    "unanswered": "{subject} is not answered",
    ">=": "{subject} is at least {value}",
    "<=": "{subject} is at most {value}",
    ">": "{subject} is more than {value}",
    "<": "{subject} is less than {value}",
    "date>=": "{subject} is on or after {value}",
    "date<=": "{subject} is on or before {value}",
    "date>": "{subject} is after {value}",
    "date<": "{subject} is before {value}",
    "count": "the number of choices in {subject}",
    "length": "the length of {subject}",
    "holds": "{text} holds",
    "not": "not ({text})",
    "and": " and ",
    "or": " or ",
    "values": " or ",
    "when": "when {phrase}",
    "when_noun": "when {phrase}",
    "relevant": "Answer {when}",
    "required": "Required {when}",
    "guarded": "{when}: {rule}",
    "rules": ", ",
    "self": "this answer",
    "reference_date": "the reference date",
    "today": "today",
    "c_length<=": "at most {value} characters",
    "c_length>=": "at least {value} characters",
    "c_>=": "{value} or more",
    "c_<=": "{value} or less",
    "c_>": "more than {value}",
    "c_<": "less than {value}",
    "c_date>=": "on or after {value}",
    "c_date<=": "on or before {value}",
    "c_date>": "after {value}",
    "c_date<": "before {value}",
    "c_count<=": "at most {value} choices",
    "c_count>=": "at least {value} choices",
    "c_holds": "{text} must hold",
    "c_step": "one of {first}, {second}, {third}, …",
    "c_regex": "matching the regular expression {pattern}",
    "column": "the choice's {name}",
    "choice_filter": "Choices offered: those where {rule}",
    "choice_match": "Choices offered: those that fit the answer to {subject}",
    "end": ".",
    "always_asked": "Always asked",
    "always_required": "Required",
    "optional": "Optional",
    "no_constraint": "No constraint",
    "no_filter": "All choices offered",
    "calculation": "Not typed (the hub calculates it from the other answers: {rule})",
    "typed": "Typed by the respondent",
    "calculated": "Not typed (the hub calculates it from the other answers)",
}

_NEGATED = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


@dataclass(frozen=True)
class _Phrase:
    text: str
    noun: bool
    """Japanese: the phrase ends in a noun and takes の before とき."""
    compound: bool = False


class _Describer:
    def __init__(self, questionnaire: Questionnaire, locale: str) -> None:
        self.questionnaire = questionnaire
        self.words = _EN if locale.startswith("en") else _JA
        self.locale = "en" if locale.startswith("en") else "ja"

    def word(self, key: str, **values: str) -> str:
        return self.words[key].format(**values)

    def quote(self, text: str) -> str:
        return self.words["quote"].format(text)

    # ------------------------------------------------------------------- names and values

    def question(self, expr: Expr) -> Question | None:
        return self.questionnaire.get(expr.name) if isinstance(expr, Ref) else None

    def subject(self, expr: Expr, owner: Question | None = None) -> str:
        if isinstance(expr, Ref):
            if expr.name == REFERENCE_DATE:
                return self.word("reference_date")
            question = self.questionnaire.get(expr.name)
            return self.quote(question.label.inline(self.locale) if question else expr.name)
        if isinstance(expr, Current):
            return self.word("self")
        if isinstance(expr, Call) and expr.name == "today":
            return self.word("today")
        if isinstance(expr, Literal):
            return self.value(expr, owner)
        return self.quote(self.readable(expr))

    def value(self, expr: Expr, owner: Question | None) -> str:
        if isinstance(expr, Literal) and isinstance(expr.value, str):
            choice = owner.choice(expr.value) if owner is not None else None
            return self.quote(choice.display(self.locale) if choice else expr.value)
        if isinstance(expr, Literal):
            return string(float(expr.value))
        return self.subject(expr)

    def readable(self, expr: Expr) -> str:
        """The expression as written, each ``${name}`` shown by its label."""
        if isinstance(expr, Ref | Current) or (isinstance(expr, Call) and expr.name == "today"):
            return self.subject(expr)
        if isinstance(expr, Literal):
            return f"'{expr.value}'" if isinstance(expr.value, str) else string(float(expr.value))
        if column_name(expr) is not None:
            return self.word("column", name=str(column_name(expr)))
        if isinstance(expr, Call):
            return f"{expr.name}({', '.join(self.readable(a) for a in expr.args)})"
        if isinstance(expr, Negative):
            inner = self.readable(expr.operand)
            return f"-({inner})" if isinstance(expr.operand, Binary) else f"-{inner}"
        level = PRECEDENCE[expr.op]
        left, right = self.readable(expr.left), self.readable(expr.right)
        if precedence(expr.left) < level:
            left = f"({left})"
        if precedence(expr.right) <= level:
            right = f"({right})"
        return f"{left} {expr.op} {right}"

    # ------------------------------------------------------------------------- conditions

    def condition(self, expr: Expr) -> _Phrase:
        same = self.one_question_values(expr)
        if same is not None:
            question, codes = same
            values = self.words["values"].join(self.value(Literal(c), question) for c in codes)
            return _Phrase(
                self.word("is", subject=self.subject(Ref(question.id)), value=values), True
            )
        if isinstance(expr, Binary) and expr.op in ("and", "or"):
            parts = disjuncts(expr) if expr.op == "or" else conjuncts(expr)
            return self.joined(expr.op, [self.condition(p) for p in parts])
        if isinstance(expr, Call) and expr.name == "not":
            return self.negated(expr.args[0])
        return self.atom(expr, negate=False)

    def joined(self, op: str, phrases: list[_Phrase]) -> _Phrase:
        """``AかつB`` / ``A and B``; compound parts in parentheses, a verb-ending part followed
        by a comma in Japanese (``…を選んだ、または…``)."""
        texts = []
        for index, phrase in enumerate(phrases):
            text = phrase.text
            if phrase.compound:
                text = f"（{text}）" if self.locale == "ja" else f"({text})"
            elif self.locale == "ja" and not phrase.noun and index < len(phrases) - 1:
                text += "、"
            texts.append(text)
        last = phrases[-1]
        return _Phrase(self.words[op].join(texts), last.noun or last.compound, compound=True)

    def negated(self, expr: Expr) -> _Phrase:
        if isinstance(expr, Call) and expr.name == "not":
            return self.condition(expr.args[0])
        if isinstance(expr, Binary) and expr.op in _NEGATED:
            return self.atom(Binary(_NEGATED[expr.op], expr.left, expr.right), negate=False)
        if isinstance(expr, Binary | Call) and not (
            isinstance(expr, Call) and expr.name == "selected"
        ):
            inner = self.condition(expr)
            if inner.compound:
                return _Phrase(self.word("not", text=inner.text), False)
        return self.atom(expr, negate=True)

    def atom(self, expr: Expr, *, negate: bool) -> _Phrase:
        if isinstance(expr, Ref):
            return self.truthy_ref(expr, negate)
        if isinstance(expr, Call) and expr.name == "selected" and isinstance(expr.args[0], Ref):
            question = self.question(expr.args[0])
            subject, value = self.subject(expr.args[0]), self.value(expr.args[1], question)
            if question is not None and question.kind == Kind.MANY_OF:
                key = "not_chosen" if negate else "chosen"
                return _Phrase(self.word(key, subject=subject, value=value), False)
            return _Phrase(
                self.word("is_not" if negate else "is", subject=subject, value=value), True
            )
        if isinstance(expr, Binary) and expr.op in _FLIPPED and not negate:
            phrase = self.comparison(expr)
            if phrase is not None:
                return phrase
        text = self.word("holds", text=self.readable(expr))
        if negate:
            return _Phrase(self.word("not", text=text), False)
        return _Phrase(text, False)

    def truthy_ref(self, expr: Ref, negate: bool) -> _Phrase:
        question = self.question(expr)
        subject = self.subject(expr)
        if question is not None and question.kind == Kind.BOOL:
            return _Phrase(
                self.word("not_ticked" if negate else "ticked", subject=subject), not negate
            )
        return _Phrase(self.word("unanswered" if negate else "answered", subject=subject), True)

    def comparison(self, expr: Binary) -> _Phrase | None:
        left, op, right = expr.left, expr.op, expr.right
        if isinstance(left, Literal) and not isinstance(right, Literal):
            left, op, right = right, _FLIPPED[op], left
        owner = self.question(left)
        if isinstance(right, Literal) and right.value == "" and op in ("=", "!="):
            key = "unanswered" if op == "=" else "answered"
            return _Phrase(self.word(key, subject=self.subject(left)), True)
        if op in ("=", "!="):
            key = "is" if op == "=" else "is_not"
            value = self.value(right, owner)
            return _Phrase(self.word(key, subject=self.subject(left), value=value), True)
        subject = self.measured(left)
        if subject is None:
            return None
        key = f"date{op}" if self.is_date(left) or self.is_date(right) else op
        phrase = self.word(key, subject=subject, value=self.value(right, owner))
        return _Phrase(phrase, key in (">=", "<=", "<", "date<=", "date>=", "date>", "date<"))

    def measured(self, expr: Expr) -> str | None:
        if isinstance(expr, Ref | Current):
            return self.subject(expr)
        if isinstance(expr, Call) and expr.name in ("count-selected", "string-length"):
            key = "count" if expr.name == "count-selected" else "length"
            return self.word(key, subject=self.subject(expr.args[0]))
        return None

    def is_date(self, expr: Expr) -> bool:
        if isinstance(expr, Ref) and expr.name == REFERENCE_DATE:
            return True
        if isinstance(expr, Call) and expr.name in ("today", "date"):
            return True
        question = self.question(expr)
        return question is not None and question.kind == Kind.DATE

    def one_question_values(self, expr: Expr) -> tuple[Question, list[str]] | None:
        """``${q} = 'a' or selected(${q}, 'b')`` on one one-of question: ``(q, [a, b])``."""
        found: list[tuple[str, str]] = []
        for part in disjuncts(expr):
            pair = _equals_code(part)
            if pair is None:
                return None
            found.append(pair)
        names = {name for name, _ in found}
        if len(names) != 1:
            return None
        question = self.questionnaire.get(names.pop())
        if question is None or question.kind != Kind.ONE_OF:
            return None
        return question, [code for _, code in found]

    def when(self, expr: Expr) -> str:
        phrase = self.condition(expr)
        key = "when_noun" if phrase.noun else "when"
        return self.word(key, phrase=phrase.text)

    # ------------------------------------------------------------------------ constraints

    def constraint(self, question: Question) -> str:
        assert question.constraint is not None
        return self.words["rules"].join(self.rule(part) for part in conjuncts(question.constraint))

    def rule(self, expr: Expr) -> str:
        guards = [d for d in disjuncts(expr) if not uses_current(d)]
        bodies = [d for d in disjuncts(expr) if uses_current(d)]
        if guards and len(bodies) == 1:
            guard = guards[0] if len(guards) == 1 else _and_all([_negation(g) for g in guards])
            condition = _negation(guard) if len(guards) == 1 else guard
            return self.word("guarded", when=self.when(condition), rule=self.rule(bodies[0]))
        if isinstance(expr, Binary) and expr.op in _FLIPPED:
            text = self.plain_rule(expr)
            if text is not None:
                return text
        stepped = constraint_step(expr)
        if stepped is not None:
            return self.word("c_step", **step_examples(*stepped))
        if (
            isinstance(expr, Call)
            and expr.name == "regex"
            and isinstance(expr.args[0], Current)
            and isinstance(expr.args[1], Literal)
        ):
            return self.word("c_regex", pattern=str(expr.args[1].value))
        return self.word("c_holds", text=self.readable(expr))

    def plain_rule(self, expr: Binary) -> str | None:
        left, op, right = expr.left, expr.op, expr.right
        if not uses_current(left):
            left, op, right = right, _FLIPPED[op], left
        if op in ("=", "!=") or uses_current(right):
            return None
        value = self.value(right, None)
        if isinstance(left, Current):
            key = f"c_date{op}" if self.is_date(right) else f"c_{op}"
            return self.word(key, value=value)
        if isinstance(left, Call) and isinstance(left.args[0], Current):
            kind = {"string-length": "length", "count-selected": "count"}.get(left.name)
            if kind is not None and f"c_{kind}{op}" in self.words:
                return self.word(f"c_{kind}{op}", value=value)
        return None


def step_examples(start: float, step: float) -> dict[str, str]:
    """The first three values a step rule allows, as they are written."""
    return {key: string(start + n * step) for n, key in enumerate(("first", "second", "third"))}


def _equals_code(expr: Expr) -> tuple[str, str] | None:
    if isinstance(expr, Binary) and expr.op == "=":
        pair = (expr.left, expr.right)
        for ref, literal in (pair, pair[::-1]):
            if (
                isinstance(ref, Ref)
                and isinstance(literal, Literal)
                and isinstance(literal.value, str)
                and literal.value != ""
            ):
                return ref.name, literal.value
    if isinstance(expr, Call) and expr.name == "selected":
        ref, literal = expr.args
        if isinstance(ref, Ref) and isinstance(literal, Literal) and isinstance(literal.value, str):
            return ref.name, literal.value
    return None


def _negation(expr: Expr) -> Expr:
    """``not(expr)``, simplified where it reads better (``!=`` for ``=``, …)."""
    if isinstance(expr, Call) and expr.name == "not":
        return expr.args[0]
    if isinstance(expr, Binary) and expr.op in _NEGATED:
        return Binary(_NEGATED[expr.op], expr.left, expr.right)
    return Call("not", (expr,))


def _and_all(parts: list[Expr]) -> Expr:
    result = parts[0]
    for part in parts[1:]:
        result = Binary("and", result, part)
    return result


# ------------------------------------------------------------------------------- public API


def condition_text(expr: Expr, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """``「計画の策定状況」が「①策定済み」のとき`` / ``when “Status of the local plan” is “①Formulated”``."""
    return _Describer(questionnaire, locale).when(expr)


def expression_text(expr: Expr, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """The expression as written, each ``${name}`` replaced by its question's label."""
    return _Describer(questionnaire, locale).readable(expr)


def relevant_text(question: Question, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """``…のときに回答`` / ``Answer when …``; empty when the question is always asked. A question
    of a group with a ``relevant`` is asked only when the group's rule holds too (and its own)."""
    section = questionnaire.section_of(question.id)
    rules = [r for r in (section.relevant if section else None, question.relevant) if r]
    if not rules:
        return ""
    describer = _Describer(questionnaire, locale)
    return describer.word("relevant", when=describer.when(_and_all(rules)))


def required_text(question: Question, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """``…のときは必須`` / ``Required when …`` for a conditionally required question, else empty."""
    if question.required_if is None:
        return ""
    describer = _Describer(questionnaire, locale)
    return describer.word("required", when=describer.when(question.required_if))


def constraint_text(question: Question, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """``200文字以内``, ``0以上``, ``「…」が「①策定済み」のときは基準日以前の日付``; empty without one."""
    if question.constraint is None:
        return ""
    return _Describer(questionnaire, locale).constraint(question)


def choice_filter_text(question: Question, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """``選べる選択肢は、「都道府県」の回答に合うもの`` (a choice's column equal to an answer, the
    usual cascade), else ``選べる選択肢は、選択肢のpref = 「都道府県」 を満たすもの``; empty without
    a filter."""
    if question.choice_filter is None:
        return ""
    describer = _Describer(questionnaire, locale)
    rule = question.choice_filter
    if isinstance(rule, Binary) and rule.op == "=":
        for column, other in ((rule.left, rule.right), (rule.right, rule.left)):
            if column_name(column) is not None and isinstance(other, Ref):
                # said to respondents too: the choices sheet's column is not named
                return describer.word("choice_match", subject=describer.subject(other))
    return describer.word("choice_filter", rule=describer.readable(rule))


def calculation_text(question: Question, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """``入力不要（ほかの回答からハブが計算: 「…」 + 「…」）`` for a ``calculate``, else empty."""
    if question.calculation is None:
        return ""
    rule = expression_text(question.calculation, questionnaire, locale)
    return _words(locale)["calculation"].format(rule=rule)


def worked_out_text(question: Question, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """:func:`calculation_text`, or ``回答者が入力`` / ``Typed by the respondent`` for a question
    that is not a ``calculate``."""
    return calculation_text(question, questionnaire, locale) or _words(locale)["typed"]


def calculated_text(question: Question, locale: str = "ja") -> str:
    """``入力不要（ほかの回答からハブが計算）`` for a ``calculate``, else empty: what a respondent
    reads beside its read-only box (the rule itself is for staff, :func:`calculation_text`)."""
    return _words(locale)["calculated"] if question.calculation is not None else ""


def rule_texts(question: Question, questionnaire: Questionnaire, locale: str = "ja") -> list[str]:
    """Every rule of ``question`` in words: when it is asked, when required, what it accepts.

    A conditional requirement equal to the question's ``relevant`` goes without saying (asked
    exactly then, required whenever asked) and is left out.
    """
    texts = [calculation_text(question, questionnaire, locale)]
    texts.append(relevant_text(question, questionnaire, locale))
    if question.required_if is not None and question.required_if != question.relevant:
        texts.append(required_text(question, questionnaire, locale))
    texts.append(constraint_text(question, questionnaire, locale))
    texts.append(choice_filter_text(question, questionnaire, locale))
    return [t for t in texts if t]


def asked_text(question: Question, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """:func:`relevant_text`, or ``常に回答`` / ``Always asked`` for a question always asked."""
    text = relevant_text(question, questionnaire, locale)
    return text or _words(locale)["always_asked"]


def group_asked_text(section: Section, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """A group's ``relevant`` as its questions' rules say it (``…のときに回答``), or ``常に回答`` /
    ``Always asked`` for a group without one."""
    if section.relevant is None:
        return _words(locale)["always_asked"]
    describer = _Describer(questionnaire, locale)
    return describer.word("relevant", when=describer.when(section.relevant))


def requirement_text(question: Question, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """``必須``, ``任意`` or :func:`required_text` (``…のときは必須``): the ``required`` column."""
    if question.required is True:
        return _words(locale)["always_required"]
    return required_text(question, questionnaire, locale) or _words(locale)["optional"]


def accepts_text(question: Question, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """:func:`constraint_text`, or ``制約なし`` / ``No constraint``."""
    return constraint_text(question, questionnaire, locale) or _words(locale)["no_constraint"]


def offered_text(question: Question, questionnaire: Questionnaire, locale: str = "ja") -> str:
    """:func:`choice_filter_text`, or ``選択肢の絞り込みなし`` / ``All choices offered``."""
    return choice_filter_text(question, questionnaire, locale) or _words(locale)["no_filter"]


def _words(locale: str) -> dict[str, str]:
    return _EN if locale.startswith("en") else _JA


def sentence(text: str, locale: str = "ja") -> str:
    """``text`` closed with 。 or a full stop."""
    return text + _words(locale)["end"] if text else ""
