"""What a new version of a questionnaire changes from an earlier one (forms.compare)."""

from __future__ import annotations

from dataclasses import replace

from forms.compare import Aspect, Change, Setting, SettingChange, compare
from forms.model import Kind, Label
from forms.xlsform import read_xlsform
from tests.questionnaires.authored import shuro_shien
from tests.questionnaires.files import kenshu_v1, kenshu_v2


def test_added_renamed_and_changed_questions_are_named_with_what_changed() -> None:
    old = read_xlsform(kenshu_v1(), "kenshu.xlsx")
    new = read_xlsform(kenshu_v2(max_people=300, without_choice="housing"), "kenshu.xlsx")
    found = compare(old, new)
    assert found.old_version == 1
    assert [q.id for q in found.added] == ["liaison_meetings"]
    assert found.removed == ()
    changed = {c.question.id: c for c in found.changed}
    assert set(changed) == {"participants", "topics"}
    assert changed["participants"].renamed_from == "people"
    assert changed["participants"].changes == (
        Change(Aspect.CONSTRAINT),
        Change(Aspect.MESSAGES),  # 1人以上500人以下 → 300人以下
    )
    assert changed["topics"].changes == (
        Change(Aspect.CHOICES_ADDED, "welfare"),
        Change(Aspect.CHOICES_REMOVED, "housing"),
    )


def test_a_question_gone_is_removed_and_a_new_type_is_said_in_the_file_s_words() -> None:
    old = read_xlsform(kenshu_v1(), "kenshu.xlsx")
    memo = old.question("memo")
    section = old.sections[-1]
    items = tuple(
        replace(q, kind=Kind.DECIMAL, constraint=None) if q.id == "memo" else q
        for q in section.items
        if q.id != "contact_name"
    )
    new = replace(old, version=2, sections=(*old.sections[:-1], replace(section, items=items)))
    found = compare(old, new)
    assert [q.id for q in found.removed] == ["contact_name"]
    (changed,) = found.changed
    assert changed.question.id == memo.id
    assert changed.changes == (
        Change(Aspect.KIND, "text → decimal"),
        Change(Aspect.CONSTRAINT),
    )


def test_the_same_definition_has_no_changes() -> None:
    old = read_xlsform(kenshu_v1(), "kenshu.xlsx")
    assert compare(old, replace(old, version=2)).same


def test_messages_and_appearance_are_changes_too() -> None:
    """A new error text or a select shown as a list is what respondents see differ."""
    old = read_xlsform(kenshu_v1(), "kenshu.xlsx")
    topics = old.question("topics")
    people = old.question("people")
    changed_to = {
        topics.id: replace(topics, appearance="minimal"),
        people.id: replace(
            people, constraint_message=Label("0以上で入力してください", "Zero or more")
        ),
    }
    sections = tuple(
        replace(s, items=tuple(changed_to.get(q.id, q) for q in s.items)) for s in old.sections
    )
    new = replace(old, version=2, sections=sections)
    changed = {c.question.id: c.changes for c in compare(old, new).changed}
    assert changed == {
        topics.id: (Change(Aspect.APPEARANCE, f"{topics.appearance or '—'} → minimal"),),
        people.id: (Change(Aspect.MESSAGES),),
    }


def test_a_new_summary_heading_is_a_change_said_before_and_after() -> None:
    """集計's first table headed by the question's label in 第1版 and by ``headline_title`` in
    第2版: the preview said 「同じです」 and the heading changed unseen in the next workbook."""
    old = read_xlsform(shuro_shien(), "shuro.xlsx")
    new = read_xlsform(shuro_shien(version=2, headline_title="就労支援の取組の有無"), "s.xlsx")
    found = compare(old, new)
    assert not found.same
    assert found.settings == (
        SettingChange(
            Setting.HEADLINE_TITLE, "就労支援の取組を実施していますか", "就労支援の取組の有無"
        ),
    )
    assert compare(new, replace(new, version=3)).same
    same_words = replace(new, headline_title=old.question("has_program").label.inline())
    assert compare(old, same_words).same, "what 集計 prints is compared, not the column"
