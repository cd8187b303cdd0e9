"""``hub questionnaire import|list|export`` and ``hub round open ID --version N``."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from forms import registry
from forms.xlsform import read_xlsform
from hub.db import db
from hub.models import Round, Survey
from tests.conftest import HubRunner
from tests.forms.xlsform_files import YES_NO, form
from tests.questionnaires.files import broken, kenshu_v1, kenshu_v2


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def surveys(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Survey)) or 0


def test_import_prints_id_and_version_last_and_lists_it(app, runner: HubRunner, tmp_path):
    got = runner("questionnaire", "import", str(write(tmp_path, "kenshu.xlsx", kenshu_v1())))
    assert got.exit_code == 0, got.output
    assert got.output.splitlines()[-1] == "kenshu v1"

    listed = runner("questionnaire", "list")
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert "kenshu\tv1\t研修会参加状況調査\t調査回 0" in lines
    assert any(line.startswith("torikumi\tv1\t") for line in lines)


def test_a_broken_file_names_each_problem_and_stores_nothing(app, runner, tmp_path):
    before = surveys(app)
    got = runner("questionnaire", "import", str(write(tmp_path, "broken.xlsx", broken())))
    assert got.exit_code == 1
    lines = got.output.splitlines()
    assert "hub: surveyシート 3行目 name列: 名前「memo」は2行目でも使われています。" in lines
    assert any("4行目 relevant列" in line and "nothere" in line for line in lines)
    assert any("5行目 type列" in line and "missing_list" in line for line in lines)
    assert surveys(app) == before


def test_a_broken_file_writes_one_stderr_line_per_problem_and_nothing_else(app, runner, tmp_path):
    """INTERFACES.md: "a broken file: exit 1, one line per problem naming sheet, row and cause" —
    an outside checker counts stderr's lines; the closing summary is stdout's last line."""
    got = runner("questionnaire", "import", str(write(tmp_path, "broken.xlsx", broken())))
    assert got.exit_code == 1
    problems = got.stderr.splitlines()
    assert len(problems) == 3, problems  # broken(): a repeated name, an unknown ${}, a list
    for line in problems:
        assert re.match(r"^hub: survey\S* ?[0-9]+行目 \S+列: \S", line), line
    assert got.stdout.splitlines()[-1] == "hub: broken.xlsx は登録しませんでした（問題 3 件）。"


def test_a_version_not_higher_than_the_stored_one_is_refused(app, runner, tmp_path):
    path = write(tmp_path, "kenshu.xlsx", kenshu_v1())
    assert runner("questionnaire", "import", str(path)).exit_code == 0
    again = runner("questionnaire", "import", str(path))
    assert again.exit_code == 0, "the same file again is stored already: nothing to do"
    assert again.output.splitlines()[-1] == "kenshu v1"
    changed = runner(
        "questionnaire", "import", str(write(tmp_path, "k1b.xlsx", kenshu_v2(version=1)))
    )
    assert changed.exit_code == 1
    assert "settingsシート 2行目 version列" in changed.output
    assert "第1版" in changed.output
    assert (
        runner("questionnaire", "import", str(write(tmp_path, "k2.xlsx", kenshu_v2()))).exit_code
        == 0
    )
    assert surveys(app) == 3  # torikumi, kenshu v1, v2


def test_a_hostile_file_is_refused_by_the_upload_defences(app, runner, tmp_path):
    fake = write(tmp_path, "macro.xlsx", b"PK\x03\x04 not really a zip")
    got = runner("questionnaire", "import", str(fake))
    assert got.exit_code == 1
    assert "hub:" in got.output
    assert "Traceback" not in got.output


def test_export_round_trips_and_torikumi_imports_back_under_another_id(app, runner, tmp_path):
    out = tmp_path / "torikumi.xlsx"
    got = runner("questionnaire", "export", "torikumi", "-o", str(out))
    assert got.exit_code == 0, got.output
    exported = read_xlsform(out.read_bytes(), out.name)
    assert exported.fingerprint() == registry.latest("torikumi").fingerprint()
    before = surveys(app)
    again = runner("questionnaire", "import", str(out))
    assert again.exit_code == 0, again.output
    assert "登録済みの第1版と同じ内容です。何も変更していません。" in again.output
    assert again.output.splitlines()[-1] == "torikumi v1"
    assert surveys(app) == before

    changed = load_workbook(io.BytesIO(out.read_bytes()))
    survey_sheet = changed["survey"]
    label = next(n for n, c in enumerate(survey_sheet[1], 1) if str(c.value).startswith("label"))
    survey_sheet.cell(row=2, column=label, value="書き換えたラベル")
    edited = tmp_path / "torikumi_edited.xlsx"
    changed.save(edited)
    refused = runner("questionnaire", "import", str(edited))
    assert refused.exit_code == 1
    assert "登録済みの版（第1版）より大きい version" in refused.output

    workbook = load_workbook(io.BytesIO(out.read_bytes()))
    settings = workbook["settings"]
    headers = [c.value for c in settings[1]]
    settings.cell(row=2, column=headers.index("form_id") + 1, value="torikumi_copy")
    copy = tmp_path / "torikumi_copy.xlsx"
    workbook.save(copy)
    imported = runner("questionnaire", "import", str(copy))
    assert imported.exit_code == 0, imported.output
    assert imported.output.splitlines()[-1] == "torikumi_copy v1"

    back = tmp_path / "back.xlsx"
    assert runner("questionnaire", "export", "torikumi_copy", "-o", str(back)).exit_code == 0
    again = read_xlsform(back.read_bytes(), back.name)
    assert again.sections == exported.sections
    assert again.title == exported.title


def test_export_of_an_unknown_version_is_one_line(app, runner, tmp_path):
    got = runner(
        "questionnaire", "export", "torikumi", "--version", "7", "-o", str(tmp_path / "x.xlsx")
    )
    assert got.exit_code == 1
    assert got.output.strip() == "hub: 調査票 torikumi の第7版はありません。"
    nothing = runner("questionnaire", "export", "nope", "-o", str(tmp_path / "x.xlsx"))
    assert nothing.exit_code == 1
    assert "登録済み: torikumi" in nothing.output


def test_round_open_takes_a_version_and_keeps_it(app, runner, tmp_path):
    runner("questionnaire", "import", str(write(tmp_path, "k1.xlsx", kenshu_v1())))
    runner("questionnaire", "import", str(write(tmp_path, "k2.xlsx", kenshu_v2())))
    args = ("--reference-date", "令和7年4月1日", "--deadline", "2099-05-31T17:00")
    old = runner("round", "open", "kenshu", "--version", "1", *args)
    new = runner("round", "open", "kenshu", *args)
    assert old.exit_code == 0, old.output
    assert new.exit_code == 0, new.output
    with app.app_context():
        first = db.session.get(Round, int(old.output.splitlines()[-1]))
        latest = db.session.get(Round, int(new.output.splitlines()[-1]))
        assert first is not None
        assert latest is not None
        assert (first.survey.key, first.survey.version) == ("kenshu", 1)
        assert (latest.survey.version, latest.questionnaire.version) == (2, 2)
        assert first.questionnaire.get("people") is not None
    missing = runner("round", "open", "kenshu", "--version", "9", *args)
    assert missing.exit_code == 1
    assert "第9版はありません" in missing.output


def test_an_oversized_file_is_refused_without_reading_it_all(app, runner, tmp_path):
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"\0" * (3 * 1024 * 1024))
    got = runner("questionnaire", "import", str(big))
    assert got.exit_code == 1
    assert "hub:" in got.output
    assert "Traceback" not in got.output


def test_a_file_that_is_no_workbook_is_told_how_to_save_one(app, runner, tmp_path):
    """The container check is shared with the template upload; its words fit a definition too."""
    got = runner(
        "questionnaire", "import", str(write(tmp_path, "kenshu.xlsx", b"form_id,version\n"))
    )
    assert got.exit_code == 1
    assert "Excel ファイル（.xlsx）ではありません" in got.output
    assert "「Excel ブック（.xlsx）」形式で保存" in got.output
    assert "テンプレート" not in got.output


def test_metadata_rows_of_a_kobo_form_are_read_past_and_said(app, runner, tmp_path):
    from tests.forms.test_metadata_rows import KOBO_HEAD
    from tests.forms.xlsform_files import form

    data = form([*KOBO_HEAD[:2], ("integer", "count", "件数")])
    got = runner("questionnaire", "import", str(write(tmp_path, "kobo.xlsx", data)))
    assert got.exit_code == 0, got.output
    assert got.stdout.strip().splitlines()[-1] == "kenshu v1"
    assert got.stderr.splitlines() == [
        "hub: survey シートの次の行は、端末や回答時刻の記録（メタデータ）のため読み飛ばしました: "
        "2行目 start、3行目 end。ハブは、誰がいつ保存・提出したかを自動で記録します。"
    ], "the page's notice, word for word"


def test_a_form_id_differing_only_in_case_from_a_stored_one_is_refused(app, runner, tmp_path):
    """``TORIKUMI`` beside the stored ``torikumi``: ids are compared exactly, so the second is
    refused naming the first rather than stored as another questionnaire."""
    from tests.forms.xlsform_files import form

    data = form([("integer", "n", "件数")], settings=(("form_id", "version"), ("TORIKUMI", 9)))
    refused = runner("questionnaire", "import", str(write(tmp_path, "upper.xlsx", data)))
    assert refused.exit_code == 1
    assert "settingsシート 2行目 form_id列" in refused.output
    assert "登録済みの「torikumi」と大文字・小文字だけが違います" in refused.output
    assert surveys(app) == 1


def test_excel_habits_in_a_file_are_refused_saying_the_rules_spelling(app, runner, tmp_path):
    """One who writes Excel formulas writes the rules so: ``AND``, ``AND(…, …)``, ``IF(…)``,
    ``TRUE``, and はい or ○ in ``required``. Each was refused as a question named ${AND}, an
    unknown function or a character a rule cannot hold (「は」は式に使えない文字です)."""
    data = form(
        [
            ("integer", "men", "男性", "はい", None),
            ("integer", "women", "女性", "○", None),
            ("text", "a", "A", None, "${men} > 1 AND ${women} < 5"),
            ("text", "b", "B", None, "AND(${men} > 1, ${women} < 5)"),
            ("text", "c", "C", None, "IF(${men} > 1, true(), false())"),
            ("text", "d", "D", None, "TRUE"),
            ("text", "e", "E", "任意", None),
        ],
        YES_NO,
        survey_header=("type", "name", "label", "required", "relevant"),
    )
    before = surveys(app)
    got = runner("questionnaire", "import", str(write(tmp_path, "shien.xlsx", data)))
    assert got.exit_code == 1
    assert got.stderr.splitlines() == [
        "hub: surveyシート 2行目 required列: 「はい」は required に書けません。「yes」と半角で"
        "書いてください（必須は yes、必須でなければ空欄か no、条件つきの必須は式）。",
        "hub: surveyシート 3行目 required列: 「○」は required に書けません。「yes」と半角で"
        "書いてください（必須は yes、必須でなければ空欄か no、条件つきの必須は式）。",
        "hub: surveyシート 4行目 relevant列: 12文字目: 「AND」は小文字で「and」と書いてください。",
        "hub: surveyシート 5行目 relevant列: 1文字目: 「AND(…)」（Excel の関数）は使えません。"
        "条件は「${a} > 1 and ${b} < 5」のように and でつないで書いてください。",
        "hub: surveyシート 6行目 relevant列: 1文字目: 「IF」は小文字で「if」と書いてください。",
        "hub: surveyシート 7行目 relevant列: 1文字目: 「TRUE」は「true()」と書いてください。",
        "hub: surveyシート 8行目 required列: 「任意」は required に書けません。「no」と半角で"
        "書いてください（必須は yes、必須でなければ空欄か no、条件つきの必須は式）。",
    ], got.stderr
    assert surveys(app) == before
    english = runner("--lang", "en", "questionnaire", "import", str(tmp_path / "shien.xlsx"))
    assert 'Write "AND" in lower case: "and".' in english.stderr
    assert '"はい" cannot be written in required. Write "yes"' in english.stderr
