"""XLSForm expressions as a small tree: tokenizer, parser, printer and the JSON form.

The language is the part of XPath that ODK form designers write in ``relevant``, ``required`` and
``constraint`` (see ``docs/questionnaires.md``): ``${name}`` for another question's answer, ``.``
for the question's own answer, string and number literals, ``or and = != < <= > >= + - * div
mod``, unary minus, parentheses and the calls in :data:`FUNCTIONS`. Anything else — paths such as
``/data/q`` or ``..``, bare names, an unknown function — is a :class:`ExpressionError` naming the
character where it starts, so a definition file is refused when it is read, never when a
respondent is typing. Nothing here evaluates text as code.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from forms.expression.patterns import pattern_problem

FUNCTIONS: dict[str, tuple[int, int]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "not": (1, 1),
    "string-length": (1, 1),
    "today": (0, 0),
    "true": (0, 0),
    "false": (0, 0),
    "if": (3, 3),
    "coalesce": (2, 2),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "number": (1, 1),
    "int": (1, 1),
    "string": (1, 1),
    "boolean": (1, 1),
    "date": (1, 1),
    "regex": (2, 2),
    "abs": (1, 1),
    "floor": (1, 1),
    "ceiling": (1, 1),
    "min": (1, 10),
    "max": (1, 10),
    "substr": (2, 3),
    "normalize-space": (1, 1),
    "selected-at": (2, 2),
    "round": (1, 2),
}
"""The functions the hub evaluates, with their least and greatest number of arguments."""

OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})

COLUMN = "choice-column"
"""In a ``choice_filter``, a bare name (``pref``) is a column of the choice being filtered (``name``
its code). It is read as ``Call(COLUMN, (Literal("pref"),))`` so that every walk and evaluator
knows it as a call; printed back as the bare name. Not a function a rule may use."""

# Lowest binding first; each level is left-associative (XPath 1.0, §3.4–3.5).
LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"or"}),
    frozenset({"and"}),
    frozenset({"=", "!="}),
    frozenset({"<", "<=", ">", ">="}),
    frozenset({"+", "-"}),
    frozenset({"*", "div", "mod"}),
)
PRECEDENCE: dict[str, int] = {op: level for level, ops in enumerate(LEVELS) for op in ops}
UNARY_PRECEDENCE = len(LEVELS)
ATOM_PRECEDENCE = UNARY_PRECEDENCE + 1


class ExpressionError(ValueError):
    """An expression that cannot be read; ``position`` is the 1-based character it starts at."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return _("%(position)s文字目: %(message)s", position=self.position, message=self.message)


# ------------------------------------------------------------------------------------ the tree


@dataclass(frozen=True)
class Literal:
    """A string (``'formulated'``) or a number (``200``, ``2.5``)."""

    value: str | int | float
    position: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Ref:
    """``${name}``: the answer to another question (or ``${reference_date}``, the round's 基準日)."""

    name: str
    position: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Current:
    """``.``: the answer of the question the constraint belongs to."""

    position: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Expr, ...] = ()
    position: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Negative:
    """Unary minus."""

    operand: Expr
    position: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Binary:
    op: str
    left: Expr
    right: Expr
    position: int = field(default=0, compare=False, repr=False)


Expr = Literal | Ref | Current | Call | Negative | Binary


# ------------------------------------------------------------------------------- tokenizer


@dataclass(frozen=True)
class Token:
    kind: str
    """``ref``, ``string``, ``number``, ``name``, ``op``, ``(``, ``)``, ``,``, ``.`` or ``end``."""
    text: str
    position: int


_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
NAME_PATTERN = re.compile(_NAME)
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<ref>\$\{{(?P<ref_name>[^}}]*)\}})
  | (?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*)
  | (?P<paren>[(),])
  | (?P<parent>\.\.)
  | (?P<dot>\.)
  | (?P<prefixed>{_NAME}:{_NAME})
  | (?P<name>{_NAME})
    """,
    re.VERBOSE,
)
_FULL_WIDTH = re.compile(r"[\uff01-\uff5e]")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        match = _TOKEN.match(text, index)
        position = index + 1
        if match is None:
            raise ExpressionError(_unexpected_character(text, index), position)
        index = match.end()
        kind = match.lastgroup
        if kind == "space":
            continue
        if kind == "ref":
            tokens.append(Token("ref", match.group("ref_name").strip(), position))
        elif kind == "paren":
            tokens.append(Token(match.group(), match.group(), position))
        elif kind == "dot":
            tokens.append(Token(".", ".", position))
        elif kind == "parent":
            raise ExpressionError(_("「..」（親の参照）は使えません。"), position)
        elif kind == "prefixed":  # jr:choice-name(…): a function of ODK's, read to be named
            tokens.append(Token("name", match.group(), position))
        else:
            assert kind is not None
            if kind == "op" and (spelled := _other_language_operator(text, match.start())):
                raise ExpressionError(spelled, position)
            tokens.append(Token(kind, match.group(), position))
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


def _other_language_operator(text: str, index: int) -> str:
    """What to write instead of ``==`` (JavaScript, Python) or ``<>`` (Excel's 等しくない) at
    ``index``, the comparisons an author brings from elsewhere ("" for any other operator)."""
    if text.startswith("==", index):
        return _("「==」は式に使えません。等しいことは「=」ひとつで書いてください。")
    if text.startswith("<>", index):
        return _("「<>」は式に使えません。等しくないことは「!=」と書いてください。")
    return ""


_TYPOGRAPHIC_QUOTES = "\u2018\u2019\u201c\u201d"
"""‘ ’ “ ”: what Word and a Mac turn ' and " into as they are typed."""


_BRACED_NAME = re.compile(r"\{[A-Za-z_][A-Za-z0-9_.-]*\}")
"""``{name}``: a question's reference without its ``$``."""


def _unexpected_character(text: str, index: int) -> str:
    char = text[index]
    if char in _TYPOGRAPHIC_QUOTES:
        return _(
            "「%(char)s」は式に使えません。文字は半角の ' か \" で囲んでください"
            "（例: ${q} = 'yes'）。",
            char=char,
        )
    if char == "&" or text.startswith("||", index):
        word = "and" if char == "&" else "or"
        return _(
            "「%(char)s」は式に使えません。「%(word)s」と書いてください。",
            char=text[index : index + 2] if text.startswith(char * 2, index) else char,
            word=word,
        )
    if _FULL_WIDTH.match(char):
        return _("全角の「%(char)s」は使えません。式は半角で書いてください。", char=char)
    if char in "'\"":
        return _("引用符 %(char)s が閉じられていません。", char=char)
    if char == "$":
        return _("質問の参照は ${名前} の形で書いてください。")
    if char == "{" and (braced := _BRACED_NAME.match(text, index)):
        return _(
            "「%(typed)s」は「$%(typed)s」と書いてください（$ が抜けています）。",
            typed=braced.group(),
        )
    if char in "/[]@|":
        return _(
            "「%(char)s」（XPath のパス）は使えません。質問は ${名前} で参照します。", char=char
        )
    return _("「%(char)s」は式に使えない文字です。", char=char)


# ---------------------------------------------------------------------------------- parser


def parse(text: str, *, columns: bool = False) -> Expr:
    """The tree of ``text``; :class:`ExpressionError` (with the position) when it is not valid.
    ``columns``: a ``choice_filter``, where a bare name is a column of the choice (``COLUMN``)."""
    if not text.strip():
        raise ExpressionError(_("式が空です。"), 1)
    parser = _Parser(tokenize(text), columns=columns)
    expr = parser.expression()
    token = parser.peek()
    if token.kind != "end":
        raise ExpressionError(_unexpected_token(token), token.position)
    return expr


def _binary_operator(token: Token) -> str | None:
    if token.kind == "op" or (token.kind == "name" and token.text in OPERATOR_NAMES):
        return token.text
    return None


def _unexpected_token(token: Token) -> str:
    if token.kind == "end":
        return _("式が途中で終わっています。")
    if token.kind == "name" and (spelled := _excel_spelling(token.text, call=False)):
        return spelled
    if token.kind == "name" and token.text not in OPERATOR_NAMES:
        return _(
            "「%(name)s」は使えません。質問は ${%(name)s} のように参照します。", name=token.text
        )
    return _("「%(text)s」の位置が正しくありません。", text=token.text)


MAX_DEPTH = 40
"""How deeply parentheses, calls and unary minus may nest: enough for any rule a person writes,
and far below Python's recursion limit."""


class _Parser:
    def __init__(self, tokens: list[Token], *, columns: bool = False) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.columns = columns

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, kind: str) -> Token:
        token = self.take()
        if token.kind != kind:
            if kind == ")":
                raise ExpressionError(_("「)」が足りません。"), token.position)
            raise ExpressionError(_unexpected_token(token), token.position)
        return token

    def expression(self, level: int = 0) -> Expr:
        """A sub-expression binding at least as tightly as ``LEVELS[level]``; nesting is counted."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(_("式の入れ子が深すぎます。"), self.peek().position)
        try:
            return self.level(level)
        finally:
            self.depth -= 1

    def level(self, level: int) -> Expr:
        if level == len(LEVELS):
            return self.unary()
        left = self.level(level + 1)
        while (op := _binary_operator(self.peek())) is not None and op in LEVELS[level]:
            token = self.take()
            right = self.level(level + 1)
            left = Binary(op, left, right, token.position)
        return left

    def unary(self) -> Expr:
        token = self.peek()
        if token.kind == "op" and token.text == "-":
            self.take()
            return Negative(self.expression(UNARY_PRECEDENCE), token.position)
        return self.primary()

    def primary(self) -> Expr:
        token = self.take()
        if token.kind == "string":
            return Literal(token.text[1:-1], token.position)
        if token.kind == "number":
            number = _number(token.text)
            if not math.isfinite(float(number) if isinstance(number, float) else _as_float(number)):
                raise ExpressionError(
                    _("数「%(number)s」は大きすぎます。", number=token.text[:20] + "…"),
                    token.position,
                )
            return Literal(number, token.position)
        if token.kind == "ref":
            if not NAME_PATTERN.fullmatch(token.text):
                raise ExpressionError(
                    _("${%(name)s} は質問の名前ではありません。", name=token.text), token.position
                )
            return Ref(token.text, token.position)
        if token.kind == ".":
            return Current(token.position)
        if token.kind == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if token.kind == "name" and self.peek().kind == "(":
            return self.call(token)
        if token.kind == "name" and self.columns and token.text not in OPERATOR_NAMES:
            name = token.text.lower()  # as the choices sheet's headers are read
            return Call(COLUMN, (Literal(name, token.position),), token.position)
        raise ExpressionError(_unexpected_token(token), token.position)

    def call(self, name: Token) -> Call:
        self.take()
        args: list[Expr] = []
        if self.peek().kind != ")":
            args.append(self.expression())
            while self.peek().kind == ",":
                self.take()
                args.append(self.expression())
        self.expect(")")
        arity = FUNCTIONS.get(name.text)
        if arity is None and (spelled := _excel_spelling(name.text, call=True)):
            raise ExpressionError(spelled, name.position)
        if arity is None:
            raise ExpressionError(
                _(
                    "関数「%(name)s」は使えません（使える関数: %(known)s）。",
                    name=name.text,
                    known=", ".join(sorted(FUNCTIONS)),
                ),
                name.position,
            )
        low, high = arity
        if not low <= len(args) <= high:
            raise ExpressionError(
                _arity_message(name.text, low, high, len(args)),
                name.position,
            )
        if name.text == "regex":
            _check_pattern(args[1], name.position)
        return Call(name.text, tuple(args), name.position)


def _excel_spelling(word: str, *, call: bool) -> str:
    """What to write instead of a word as Excel spells it (``AND``, ``IF(…)``, ``TRUE``, Excel's
    ``AND(a, b)``): the rules' words are lower case, and ``and``/``or`` go between conditions;
    "" for any other word."""
    lowered = word.lower()
    if lowered == word:
        return ""
    if lowered in ("and", "or") and call:
        return _(
            "「%(name)s(…)」（Excel の関数）は使えません。条件は「${a} > 1 %(word)s ${b} < 5」の"
            "ように %(word)s でつないで書いてください。",
            name=word,
            word=lowered,
        )
    if lowered in OPERATOR_NAMES and not call:
        return _("「%(name)s」は小文字で「%(word)s」と書いてください。", name=word, word=lowered)
    if lowered in ("true", "false") and not call:
        return _("「%(name)s」は「%(word)s()」と書いてください。", name=word, word=lowered)
    if lowered in FUNCTIONS and call:
        return _("「%(name)s」は小文字で「%(word)s」と書いてください。", name=word, word=lowered)
    return ""


def _check_pattern(pattern: Expr, position: int) -> None:
    """``regex()``'s pattern is written in the file, as text, and must read as one."""
    if not isinstance(pattern, Literal) or not isinstance(pattern.value, str):
        raise ExpressionError(
            _("regex() の2つ目には、正規表現を '^[0-9]{7}$' のように ' ' で囲んで書いてください。"),
            getattr(pattern, "position", 0) or position,
        )
    problem = pattern_problem(pattern.value)
    if problem is not None:
        raise ExpressionError(
            _(
                "正規表現「%(pattern)s」を読めません（%(reason)s）。",
                pattern=pattern.value,
                reason=problem,
            ),
            pattern.position or position,
        )


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _as_float(number: int) -> float:
    """As XPath sees a number (a double); beyond the largest one, infinity."""
    try:
        return float(number)
    except OverflowError:
        return math.inf


# ----------------------------------------------------------------------------------- printer


def unparse(expr: Expr) -> str:
    """The expression as text, with only the parentheses it needs; ``parse`` reads it back equal."""
    return _unparse(expr)


def _unparse(expr: Expr) -> str:
    if isinstance(expr, Literal):
        return _literal_text(expr.value)
    if isinstance(expr, Ref):
        return f"${{{expr.name}}}"
    if isinstance(expr, Current):
        return "."
    if isinstance(expr, Call) and expr.name == COLUMN:
        return str(column_name(expr))
    if isinstance(expr, Call):
        return f"{expr.name}({', '.join(_unparse(a) for a in expr.args)})"
    if isinstance(expr, Negative):
        inner = _unparse(expr.operand)
        if precedence(expr.operand) < ATOM_PRECEDENCE:
            inner = f"({inner})"
        return f"-{inner}"
    level = PRECEDENCE[expr.op]
    left = _unparse(expr.left)
    if precedence(expr.left) < level:
        left = f"({left})"
    right = _unparse(expr.right)
    if precedence(expr.right) <= level:
        right = f"({right})"
    return f"{left} {expr.op} {right}"


def precedence(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return PRECEDENCE[expr.op]
    if isinstance(expr, Negative):
        return UNARY_PRECEDENCE
    return ATOM_PRECEDENCE


def _literal_text(value: str | int | float) -> str:
    if isinstance(value, str):
        return f'"{value}"' if "'" in value else f"'{value}'"
    if isinstance(value, float):
        text = format(Decimal(repr(value)), "f")
        return text if "." in text else f"{text}.0"
    return str(value)


# ------------------------------------------------------------------------------- JSON form


def to_json(expr: Expr) -> list[Any]:
    """A JSON-ready form for the browser's evaluator in ``hub/static/hub.js``:
    ``["s", text]``, ``["n", number]``, ``["r", name]``, ``["."]``, ``["f", name, *args]``,
    ``["neg", x]`` and ``[op, left, right]``."""
    if isinstance(expr, Literal):
        return ["s" if isinstance(expr.value, str) else "n", expr.value]
    if isinstance(expr, Ref):
        return ["r", expr.name]
    if isinstance(expr, Current):
        return ["."]
    if isinstance(expr, Call):
        return ["f", expr.name, *(to_json(a) for a in expr.args)]
    if isinstance(expr, Negative):
        return ["neg", to_json(expr.operand)]
    return [expr.op, to_json(expr.left), to_json(expr.right)]


# ---------------------------------------------------------------------------------- walking


def walk(expr: Expr) -> list[Expr]:
    """``expr`` and every node below it, depth first."""
    nodes: list[Expr] = [expr]
    if isinstance(expr, Call):
        for arg in expr.args:
            nodes += walk(arg)
    elif isinstance(expr, Negative):
        nodes += walk(expr.operand)
    elif isinstance(expr, Binary):
        nodes += walk(expr.left) + walk(expr.right)
    return nodes


def column_name(expr: Expr) -> str | None:
    """The choice column ``expr`` reads (``COLUMN``), or ``None``."""
    if isinstance(expr, Call) and expr.name == COLUMN and isinstance(expr.args[0], Literal):
        return str(expr.args[0].value)
    return None


def columns_of(expr: Expr) -> list[Call]:
    """The choice columns ``expr`` reads, in order."""
    return [node for node in walk(expr) if isinstance(node, Call) and node.name == COLUMN]


def references(expr: Expr) -> frozenset[str]:
    """The names ``expr`` refers to with ``${…}``."""
    return frozenset(node.name for node in walk(expr) if isinstance(node, Ref))


def uses_current(expr: Expr) -> bool:
    return any(isinstance(node, Current) for node in walk(expr))


def conjuncts(expr: Expr) -> list[Expr]:
    """``a and b and c`` as ``[a, b, c]``; anything else as ``[expr]``."""
    if isinstance(expr, Binary) and expr.op == "and":
        return conjuncts(expr.left) + conjuncts(expr.right)
    return [expr]


def disjuncts(expr: Expr) -> list[Expr]:
    if isinstance(expr, Binary) and expr.op == "or":
        return disjuncts(expr.left) + disjuncts(expr.right)
    return [expr]


def _arity_message(name: str, low: int, high: int, given: int) -> str:
    """How many arguments ``name`` takes, said as the page's language counts (1 argument, 2
    arguments, 1 to 10 arguments)."""
    if low == high:
        return ngettext(
            "関数「%(name)s」の引数は%(num)s個です（%(given)s個あります）。",
            "関数「%(name)s」の引数は%(num)s個です（%(given)s個あります）。",
            low,
            name=name,
            given=given,
        )
    return _(
        "関数「%(name)s」の引数は%(low)s〜%(high)s個です（%(given)s個あります）。",
        name=name,
        low=low,
        high=high,
        given=given,
    )
