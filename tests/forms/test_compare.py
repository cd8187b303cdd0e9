"""What a new version of a questionnaire changes from an earlier one (forms.compare)."""

from __future__ import annotations

from dataclasses import replace

from forms.compare import (
    Aspect,
    Change,
    GroupAspect,
    Setting,
    SettingChange,
    compare,
    group_in_words,
)
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


GROUP_HEADER = ("type", "name", "label::ja", "label::en", "relevant")


def _grouped(version: int) -> bytes:
    """v1: 事業 asked always, a closing group; v2: 事業 retitled and asked only when the
    municipality runs a programme, the closing group gone, a 連携 group added under a rule."""
    from tests.forms.xlsform_files import xlsx

    rule = "${has_program} = 'yes'" if version == 2 else ""
    title = (
        ("就労支援の事業（令和７年度）", "Programme (FY2025)")
        if version == 2
        else ("就労支援の事業", "Programme")
    )
    survey = [
        GROUP_HEADER,
        ("select_one yes_no", "has_program", "事業を実施していますか", "Do you run one?", ""),
        ("begin_group", "program", *title, rule),
        ("integer", "participants", "参加者数", "Participants", ""),
        ("end_group", "", "", "", ""),
    ]
    if version == 1:
        survey += [
            ("begin_group", "closing", "最後に", "Finally", ""),
            ("text", "memo", "備考", "Notes", ""),
            ("end_group", "", "", "", ""),
        ]
    else:
        survey += [
            ("begin_group", "liaison", "連携", "Liaison", "${participants} >= 10"),
            ("text", "memo", "備考", "Notes", ""),
            ("end_group", "", "", "", ""),
        ]
    return xlsx(
        {
            "survey": survey,
            "choices": [
                ("list_name", "name", "label::ja", "label::en"),
                ("yes_no", "yes", "はい", "Yes"),
                ("yes_no", "no", "いいえ", "No"),
            ],
            "settings": [("form_id", "version"), ("groups", version)],
        }
    )  # fmt: skip


def test_a_group_s_new_rule_title_and_groups_added_or_removed_are_changes() -> None:
    """A ``begin_group`` row's ``relevant`` hides every question in it: a new one is a change
    though no question's own row changed; so are a group added, removed or retitled."""
    old = read_xlsform(_grouped(1), "groups.xlsx")
    new = read_xlsform(_grouped(2), "groups.xlsx")
    found = compare(old, new)
    assert not found.same
    (memo,) = found.changed  # its row is the same; the group around it is another
    assert memo.question.id == "memo"
    assert memo.changes == (Change(Aspect.GROUP, "closing → liaison"),)
    assert [g.id for g in found.groups.added] == ["liaison"]
    assert [g.id for g in found.groups.removed] == ["closing"]
    (program,) = found.groups.changed
    assert program.group.id == "program"
    assert program.changes == (GroupAspect.LABEL, GroupAspect.RELEVANT)
    assert group_in_words(program, old, new, "ja") == (
        "常に回答",
        "「事業を実施していますか」が「はい」のときに回答",
    )
    assert group_in_words(program, old, new, "en") == (
        "Always asked",
        "Answer when “Do you run one?” is “Yes”",
    )


def test_a_group_with_the_same_rule_and_title_is_no_change() -> None:
    old = read_xlsform(_grouped(2), "groups.xlsx")
    assert not compare(old, replace(old, version=3)).groups
    assert compare(old, replace(old, version=3)).same
    dropped = replace(
        old,
        version=3,
        sections=tuple(replace(s, relevant=None) if s.id == "liaison" else s for s in old.sections),
    )
    (liaison,) = compare(old, dropped).groups.changed
    assert liaison.changes == (GroupAspect.RELEVANT,)
    assert group_in_words(liaison, old, dropped, "ja") == (
        "「参加者数」が10以上のときに回答",
        "常に回答",
    )
