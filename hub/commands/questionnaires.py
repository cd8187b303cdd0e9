"""``hub questionnaire import|list|export``: stored questionnaire definitions (XLSForm files)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hub.cli import app_context, fail, friendly, lang_option, language, unit_of_work
from hub.cli import counted as ngettext
from hub.cli import words as _


def register(cli: click.Group) -> None:
    cli.add_command(questionnaire_group)


@click.group("questionnaire")
def questionnaire_group() -> None:
    """Questionnaire definitions (調査票, XLSForm files)."""


@questionnaire_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@friendly
def questionnaire_import(file: Path) -> None:
    """Check and store a definition as a new version; prints `<form_id> v<version>` (last line).

    A broken file is refused as a whole: exit 1, nothing stored, stderr exactly one line per
    problem (a checker counts them); the closing 「登録しませんでした（問題 N 件）」 goes to stdout."""
    from exports.definition_upload import LIMITS
    from forms.xlsform import DefinitionError
    from hub.services.questionnaires import AlreadyStored, read_upload, store

    if not file.is_file():
        fail(_("ファイルがありません: %(file)s", file=file))
    with file.open("rb") as source:  # never more than the limit (plus one byte to refuse it)
        data = source.read(LIMITS.max_bytes + 1)
    try:
        with unit_of_work():
            definition = read_upload(data, file.name, stored_ok=True)
            survey = store(definition, source_name=file.name, user=None)
            for notice in definition.notices():
                click.echo(f"hub: {notice}", err=True)
            click.echo(
                _("%(title)s（%(file)s）を登録しました。", title=survey.title, file=file.name)
            )
            click.echo(f"{survey.key} v{survey.version}")
    except AlreadyStored as same:
        click.echo(
            _(
                "%(title)s（%(file)s）は登録済みの第%(version)s版と同じ内容です。"
                "何も変更していません。",
                title=same.title,
                file=file.name,
                version=same.version,
            )
        )
        click.echo(f"{same.key} v{same.version}")
    except DefinitionError as exc:
        for problem in exc.problems:  # its place in the command's language, as its message
            click.echo(f"hub: {problem.worded(_)}", err=True)
        refused = ngettext(
            "%(file)s は登録しませんでした（問題 %(count)s 件）。",
            "%(file)s は登録しませんでした（問題 %(count)s 件）。",
            len(exc.problems),
            file=file.name,
        )
        click.echo(f"hub: {refused}")  # stdout: stderr holds the problems and nothing else
        sys.exit(1)


@questionnaire_group.command("list")
@lang_option
@friendly
def questionnaire_list() -> None:
    """Every stored questionnaire version: id, version, title, rounds opened on it
    (tab-separated; the title in English with ``--lang en``)."""
    from hub.services.questionnaires import rounds_by_survey, stored_versions

    with app_context():
        rounds = rounds_by_survey()
        for survey in stored_versions():
            used = len(rounds.get(survey.id, []))
            title = (
                survey.title
                if language() == "ja"
                else survey.questionnaire.title.get("en") or survey.title
            )
            rounds_used = _("調査回 %(n)s", n=used)
            click.echo(f"{survey.key}\tv{survey.version}\t{title}\t{rounds_used}")


@questionnaire_group.command("export")
@click.argument("questionnaire_id", metavar="ID")
@click.option("--version", type=click.IntRange(min=1), default=None, help="default: the latest")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=True, path_type=Path),
    help="the .xlsx file to write",
)
@friendly
def questionnaire_export(questionnaire_id: str, version: int | None, output: Path) -> None:
    """Write a stored questionnaire as an XLSForm file (it imports back unchanged)."""
    from hub.commands.workbook import _check_target, write_atomically
    from hub.services.questionnaires import export

    _check_target(output)
    with app_context():
        survey, data = export(questionnaire_id, version)
    write_atomically(output, data)
    click.echo(f"{survey.key} v{survey.version} → {output}")
