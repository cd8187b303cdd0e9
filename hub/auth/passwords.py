"""Guessable passwords: the ones attackers try first, whatever their length.

A password is refused when, after NFKC normalization and case folding (so ``ＰＡＳＳＷＯＲＤ``
is ``password``):

- it is, or is made of at most :data:`MAX_PIECES` entries of ``hub/data/common_passwords.txt``
  and keyboard/alphabet/digit runs, joined by at most :data:`MAX_PADDING` digits or symbols
  (``Password2024!``, ``p@ssw0rd1234``, ``iloveyousakura``, ``tokyo2020qwerty``);
- it is nothing but keyboard, alphabet, kana or digit runs (``1qaz2wsx3edc``, ``qwertyasdfgh``,
  ``123456789012``, ``!@#$%^&*()_+``);
- it is one short pattern repeated (``abcabcabcabc``, ``sakurasakura``).

Long passphrases of ordinary words (``correct horse battery staple``) pass.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

from flask_babel import gettext as _

FULL_WIDTH = re.compile("[\u3000\uff01-\uff5e]")
"""全角 letters, digits, symbols and the 全角 space: what an IME left on types for ASCII keys."""


def typed_in_full_width(text: str) -> bool:
    """Whether ``text`` holds characters an IME left on types instead of half-width ones (a
    password set or typed that way would not match the one typed with the IME off)."""
    return FULL_WIDTH.search(text) is not None


COMMON_FILE = "common_passwords.txt"
MIN_WORD = 4
"""Shorter list entries are too common inside good passwords to count as a piece."""
MIN_RUN = 3
MAX_PIECES = 3
MAX_PADDING = 8

SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789",
    # US and JIS keyboards, unshifted and shifted rows.
    "`1234567890-=",
    "~!@#$%^&*()_+",
    "1234567890-^\\",
    "!\"#$%&'()=~|",
    "qwertyuiop[]\\",
    "qwertyuiop@[",
    "qwertyuiop{}|",
    "qwertyuiop`{",
    "asdfghjkl;'",
    "asdfghjkl;:]",
    'asdfghjkl:"',
    "asdfghjkl+*}",
    "zxcvbnm,./",
    "zxcvbnm,./\\",
    "zxcvbnm<>?",
    "zxcvbnm<>?_",
    # Keyboard columns, down and up, with and without the digit row.
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
    "qazwsxedcrfvtgbyhnujmik,ol.p;/",
    "1qa2ws3ed4rf5tg6yh7uj8ik9ol0p",
    # Numeric keypad rows and columns.
    "789456123",
    "147258369",
    "741852963",
    "159357",
    # Kana in 五十音 order and the rows of a JIS kana keyboard.
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん",
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン",
    "ぬふあうえおやゆよわほへ",
    "たていすかんなにらせ",
    "ちとしはきくまのりれけむ",
    "つさそひこみもねるめろ",
)
LEET_VARIANTS = (
    str.maketrans(
        {"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"}
    ),
    str.maketrans(
        {"@": "a", "4": "a", "3": "e", "1": "l", "!": "l", "0": "o", "$": "s", "5": "s", "7": "t"}
    ),
)
REPEATED = re.compile(r"(.+?)\1+", re.DOTALL)


def normalized(password: str) -> str:
    """The form every check compares: NFKC (全角 → 半角), case-folded, outer spaces dropped."""
    return unicodedata.normalize("NFKC", password).casefold().strip()


@cache
def common_words() -> frozenset[str]:
    text = resources.files("hub.data").joinpath(COMMON_FILE).read_text(encoding="utf-8")
    return frozenset(
        normalized(line) for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def _runs() -> frozenset[str]:
    """Every stretch of :data:`MIN_RUN` or more characters of a sequence, either way round."""
    found: set[str] = set()
    for sequence in SEQUENCES:
        for text in (sequence, sequence[::-1]):
            for start in range(len(text)):
                for end in range(start + MIN_RUN, len(text) + 1):
                    found.add(text[start:end])
    return frozenset(found)


@cache
def _longest(pieces: frozenset[str]) -> int:
    return max(map(len, pieces))


def _fewest_pieces(text: str, *, words: bool) -> int | None:
    """The fewest pieces (list entries when ``words``, and runs) that make up ``text`` with at
    most :data:`MAX_PADDING` other non-letters between them; ``None`` when they cannot."""
    runs, longest_run = _runs(), _longest(_runs())
    common = common_words() if words else frozenset()
    longest_word = _longest(common) if words else 0
    spellings = [text, *(text.translate(table) for table in LEET_VARIANTS)] if words else []
    size = len(text)
    unreachable = size + 1
    best = [[unreachable] * (MAX_PADDING + 1) for _ in range(size + 1)]
    best[0][0] = 0
    for start in range(size):
        for padding in range(MAX_PADDING + 1):
            pieces = best[start][padding]
            if pieces == unreachable:
                continue
            if not text[start].isalpha() and padding < MAX_PADDING:
                best[start + 1][padding + 1] = min(best[start + 1][padding + 1], pieces)
            for end in range(start + MIN_RUN, min(size, start + longest_run) + 1):
                if text[start:end] in runs:
                    best[end][padding] = min(best[end][padding], pieces + 1)
            for end in range(start + MIN_WORD, min(size, start + longest_word) + 1):
                if any(spelling[start:end] in common for spelling in spellings):
                    best[end][padding] = min(best[end][padding], pieces + 1)
    fewest = min(best[size])
    return None if fewest == unreachable else fewest


def is_repeated_pattern(password: str) -> bool:
    return REPEATED.fullmatch(normalized(password)) is not None


def is_sequence(password: str) -> bool:
    """Keyboard, alphabet, kana or digit runs and nothing else (bar a few symbols)."""
    return _fewest_pieces(normalized(password), words=False) is not None


def is_common(password: str) -> bool:
    """A listed password, or a few listed words and runs dressed up with digits and symbols."""
    text = normalized(password)
    if text in common_words() or re.sub(r"\s+", "", text) in common_words():
        return True
    fewest = _fewest_pieces(text, words=True)
    return fewest is not None and fewest <= MAX_PIECES


def guessability_problems(password: str) -> list[str]:
    """Why ``password`` is among the first an attacker would try (empty when it is not)."""
    if is_repeated_pattern(password):
        return [_("同じ文字や並びを繰り返しただけのパスワードは使えません。")]
    if is_sequence(password):
        return [_("キーボードの並びや連続した数字・文字だけのパスワードは使えません。")]
    if is_common(password):
        return [
            _(
                "よく使われるパスワードや、それに数字・記号を付けただけのものは使えません。"
                "関係のない単語を3つ以上つなげた長い文にしてください。"
            )
        ]
    return []
