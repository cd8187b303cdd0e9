"""What changed between two versions of a questionnaire: the questions added, removed, renamed
(settings ``renamed``) and changed, each change named by what it touches, the groups
(``begin_group`` rows) added, removed, retitled or asked under another ``relevant``, and the settings of
the summary (``headline``, ``listed_choice``, the heading ``headline_title``) — what staff read
before publishing a new version of a yearly survey, since a new round carries last year's
answers only where they still fit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from forms import describe
from forms.expression import Binary, Call, Expr, Negative, Ref, unparse
from forms.lineage import step_names
from forms.model import Question, Questionnaire, Section
from forms.xlsform.vocabulary import CALCULATE, TYPE_NAMES


class Aspect(StrEnum):
    """One thing about a question that can change between versions."""

    LABEL = "label"
    KIND = "kind"
    """The type as the file writes it (``integer → decimal``; ``integer → calculate`` for a
    question now worked out, ``calculate → integer`` for one typed again)."""
    CALCULATION = "calculation"
    """A ``calculate``'s ``calculation``, or a question that became or stopped being one (what
    it is worked out from, before and after: :func:`in_words`)."""
    CHOICES_ADDED = "choices_added"
    CHOICES_REMOVED = "choices_removed"
    CHOICE_LABELS = "choice_labels"
    REQUIRED = "required"
    RELEVANT = "relevant"
    CONSTRAINT = "constraint"
    CHOICE_FILTER = "choice_filter"
    DEFAULT = "default"
    PERSONAL = "personal"
    HINT = "hint"
    MESSAGES = "messages"
    APPEARANCE = "appearance"
    GROUP = "group"
    """Moved to another group (``begin_group``), or into or out of one: the detail is the
    groups' names before and after (``basic → contact``; ``—`` for none)."""


@dataclass(frozen=True)
class Change:
    aspect: Aspect
    detail: str = ""
    """The codes of the choices added, removed or relabelled (``a, b``), or the types before and
    after as the file writes them (``integer → decimal``, ``integer → calculate``)."""


@dataclass(frozen=True)
class ChangedQuestion:
    question: Question
    """As it is in the new version."""
    changes: tuple[Change, ...]
    renamed_from: str = ""
    previous: Question | None = None
    """As it was in the earlier version."""


class Setting(StrEnum):
    """A setting of the summary (集計) that can change between versions, by its column."""

    HEADLINE = "headline"
    LISTED_CHOICE = "listed_choice"
    HEADLINE_TITLE = "headline_title"


@dataclass(frozen=True)
class SettingChange:
    setting: Setting
    before: str
    """As the file writes it: a question's name, a choice's code, the heading ("" for none)."""
    after: str


class GroupAspect(StrEnum):
    """One thing about a group (a ``begin_group`` row) that can change between versions."""

    LABEL = "label"
    RELEVANT = "relevant"


@dataclass(frozen=True)
class ChangedGroup:
    group: Section
    """As it is in the new version."""
    previous: Section
    """As it was in the earlier version (the group of the same name)."""
    changes: tuple[GroupAspect, ...]


@dataclass(frozen=True)
class GroupChanges:
    """The groups of the new version against the earlier one, matched by name."""

    added: tuple[Section, ...] = ()
    removed: tuple[Section, ...] = ()
    changed: tuple[ChangedGroup, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class Comparison:
    old_version: int
    added: tuple[Question, ...]
    removed: tuple[Question, ...]
    changed: tuple[ChangedQuestion, ...]
    settings: tuple[SettingChange, ...] = ()
    """The summary's settings that changed; the heading as 集計 prints it (``headline_title``,
    else the headline question's label)."""
    groups: GroupChanges = GroupChanges()
    """A group's ``relevant`` hides or shows every question in it: a new condition there changes
    who answers a whole section though no question's own row changed."""

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed or self.settings or self.groups)


def compare(
    old: Questionnaire, new: Questionnaire, names: Mapping[str, str | None] | None = None
) -> Comparison:
    """``new`` against ``old`` (an earlier version of the same questionnaire), in ``new``'s
    order; each question is compared with the one it was in ``old``: ``names`` gives, for each
    question of ``new``, its name in ``old`` (:class:`forms.lineage.Lineage`: ``renamed``
    followed across the versions between), else ``new``'s own ``renamed`` says it (one step).
    A name reused for another question after a rename is not that question (``None``)."""
    before = {q.id: q for q in old.questions}
    if names is None:
        names = step_names(old, new)
    matched: set[str] = set()
    added: list[Question] = []
    changed: list[ChangedQuestion] = []
    for question in new.questions:
        old_name = names.get(question.id)
        previous = before.get(old_name) if old_name is not None else None
        if previous is None:
            added.append(question)
            continue
        matched.add(previous.id)
        changes = _changes(previous, question, names) + _moved(old, new, previous, question)
        renamed = previous.id if previous.id != question.id else ""
        if changes or renamed:
            changed.append(ChangedQuestion(question, changes, renamed, previous))
    removed = tuple(q for q in old.questions if q.id not in matched)
    return Comparison(
        old.version,
        tuple(added),
        removed,
        tuple(changed),
        _settings(old, new),
        _groups(old, new, names),
    )


def _groups(
    old: Questionnaire, new: Questionnaire, names: Mapping[str, str | None]
) -> GroupChanges:
    """The groups by name (a run of questions outside any group is no group)."""
    before = {s.id: s for s in old.sections if s.grouped}
    after = {s.id: s for s in new.sections if s.grouped}
    changed = []
    for name, group in after.items():
        previous = before.get(name)
        if previous is None:
            continue
        changes = []
        if previous.title != group.title:
            changes.append(GroupAspect.LABEL)
        if _rule(previous.relevant) != _rule(group.relevant, names):
            changes.append(GroupAspect.RELEVANT)
        if changes:
            changed.append(ChangedGroup(group, previous, tuple(changes)))
    return GroupChanges(
        added=tuple(g for name, g in after.items() if name not in before),
        removed=tuple(g for name, g in before.items() if name not in after),
        changed=tuple(changed),
    )


_IN_WORDS = {
    Aspect.RELEVANT: describe.asked_text,
    Aspect.REQUIRED: describe.requirement_text,
    Aspect.CONSTRAINT: describe.accepts_text,
    Aspect.CHOICE_FILTER: describe.offered_text,
    Aspect.CALCULATION: describe.worked_out_text,
}
"""The rules a preview says before and after in words (:mod:`forms.describe`)."""


def in_words(
    item: ChangedQuestion, aspect: Aspect, old: Questionnaire, new: Questionnaire, locale: str
) -> tuple[str, str] | None:
    """A changed rule of ``item`` as it read in ``old`` (with ``old``'s labels) and reads in
    ``new``: ``(「計画」が「あり」のときに回答, 「計画」が「なし」以外のときに回答)``; ``None`` for
    a change not a rule, or when the words are the same (a rule rewritten to mean the same)."""
    describer = _IN_WORDS.get(aspect)
    if describer is None or item.previous is None:
        return None
    before = describer(item.previous, old, locale)
    after = describer(item.question, new, locale)
    return (before, after) if before != after else None


def group_in_words(
    item: ChangedGroup, old: Questionnaire, new: Questionnaire, locale: str
) -> tuple[str, str]:
    """A group's ``relevant`` as it read in ``old`` (with ``old``'s labels) and reads in
    ``new``: ``(常に回答, 「事業の実施」が「はい」のときに回答)``."""
    return (
        describe.group_asked_text(item.previous, old, locale),
        describe.group_asked_text(item.group, new, locale),
    )


def _settings(old: Questionnaire, new: Questionnaire) -> tuple[SettingChange, ...]:
    pairs = (
        (Setting.HEADLINE, old.headline, new.headline),
        (Setting.LISTED_CHOICE, old.listed_choice, new.listed_choice),
        (Setting.HEADLINE_TITLE, old.headline_heading, new.headline_heading),
    )
    return tuple(SettingChange(s, a, b) for s, a, b in pairs if a != b)


def _moved(
    old: Questionnaire, new: Questionnaire, previous: Question, question: Question
) -> tuple[Change, ...]:
    """A question now in another group than before (groups matched by name, as
    :func:`_groups` matches them): its group's ``relevant`` now decides whether it is asked."""
    before, after = old.section_of(previous.id), new.section_of(question.id)
    before_name = before.id if before is not None else ""
    after_name = after.id if after is not None else ""
    if before_name == after_name:
        return ()
    return (Change(Aspect.GROUP, f"{before_name or '—'} → {after_name or '—'}"),)


def moved_groups(
    old: Questionnaire, new: Questionnaire, item: ChangedQuestion
) -> tuple[Section | None, Section | None]:
    """The groups a moved question was in (in ``old``) and is in (in ``new``), ``None`` for no
    group: what the preview names (「グループ「…」から「…」へ移動」)."""
    before = old.section_of(item.previous.id) if item.previous is not None else None
    after = new.section_of(item.question.id)
    return (
        before if before is not None and before.grouped else None,
        after if after is not None and after.grouped else None,
    )


def _rule(expr: Expr | bool | None, names: Mapping[str, str | None] | None = None) -> str:
    """A rule as text to compare; with ``names`` (a newer version's question → its name in the
    older one), each ``${name}`` of the newer rule written by the older name, so a rule rewritten
    only because a question it names was renamed reads as it did (no change)."""
    if expr is None or isinstance(expr, bool):
        return str(expr)
    return unparse(_in_old_names(expr, names) if names else expr)


_NEW_QUESTION = "\u0000"
"""Marks a name a newer version reuses for a new question: never equal to an older rule's."""


def _in_old_names(expr: Expr, names: Mapping[str, str | None]) -> Expr:
    """``expr`` with each ``${name}`` of a question of the newer version written by its name in
    the older one (a question new under a reused name is no older question's)."""
    if isinstance(expr, Ref):
        if expr.name not in names:
            return expr
        old_name = names[expr.name]
        return Ref(old_name if old_name is not None else expr.name + _NEW_QUESTION)
    if isinstance(expr, Call):
        return Call(expr.name, tuple(_in_old_names(a, names) for a in expr.args))
    if isinstance(expr, Negative):
        return Negative(_in_old_names(expr.operand, names))
    if isinstance(expr, Binary):
        return Binary(expr.op, _in_old_names(expr.left, names), _in_old_names(expr.right, names))
    return expr


def _changes(
    old: Question, new: Question, names: Mapping[str, str | None] | None = None
) -> tuple[Change, ...]:
    changes: list[Change] = []
    if old.label != new.label:
        changes.append(Change(Aspect.LABEL))
    if (old_type := _type_name(old)) != (new_type := _type_name(new)):
        changes.append(Change(Aspect.KIND, f"{old_type} → {new_type}"))
    old_codes, new_codes = old.codes, new.codes
    if added := [c for c in new_codes if c not in old_codes]:
        changes.append(Change(Aspect.CHOICES_ADDED, ", ".join(added)))
    if removed := [c for c in old_codes if c not in new_codes]:
        changes.append(Change(Aspect.CHOICES_REMOVED, ", ".join(removed)))
    relabelled = [
        c.code for c in new.choices if (o := old.choice(c.code)) is not None and o.label != c.label
    ]
    if relabelled:
        changes.append(Change(Aspect.CHOICE_LABELS, ", ".join(relabelled)))
    rules = (
        (Aspect.REQUIRED, old.required, new.required),
        (Aspect.RELEVANT, old.relevant, new.relevant),
        (Aspect.CONSTRAINT, old.constraint, new.constraint),
        (Aspect.CHOICE_FILTER, old.choice_filter, new.choice_filter),
    )
    changes += [Change(aspect) for aspect, a, b in rules if _rule(a) != _rule(b, names)]
    if _rule(old.calculation) != _rule(new.calculation, names):
        changes.append(Change(Aspect.CALCULATION))
    if old.default != new.default:
        changes.append(Change(Aspect.DEFAULT))
    if old.personal != new.personal:
        changes.append(Change(Aspect.PERSONAL))
    if old.hint != new.hint or old.guidance != new.guidance:
        changes.append(Change(Aspect.HINT))
    if (old.constraint_message, old.required_message) != (
        new.constraint_message,
        new.required_message,
    ):
        changes.append(Change(Aspect.MESSAGES))
    if old.appearance != new.appearance:
        before, after = old.appearance or "—", new.appearance or "—"
        changes.append(Change(Aspect.APPEARANCE, f"{before} → {after}"))
    return tuple(changes)


def _type_name(question: Question) -> str:
    """The type as the file writes it: ``calculate`` for a value worked out (whatever the kind
    its ``calculation`` gives it), else its kind's (``integer``)."""
    return CALCULATE if question.is_calculated else TYPE_NAMES[question.kind]
