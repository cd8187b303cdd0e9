"""``hub municipalities``: import a prefecture's list, retire and bring back municipalities
(合併・廃止), list them. What each does: ``hub/services/municipalities.py``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from hub.cli import app_context, friendly, lang_option, language, unit_of_work
from hub.cli import words as _


def register(cli: click.Group) -> None:
    cli.add_command(municipalities)


@click.group()
def municipalities() -> None:
    """Reference data: the municipalities (区市町村)."""


@municipalities.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--retire-missing",
    is_flag=True,
    help="ファイルにある都道府県の団体のうち、ファイルにない団体を廃止にする",
)
@click.option(
    "--dry-run", is_flag=True, help="変わる内容を団体ごとに表示するだけで、何も変更しない"
)
@click.option(
    "--prefecture",
    "prefecture_texts",
    multiple=True,
    metavar="CODE_OR_NAME",
    help="この都道府県の団体だけを取り込む（13、東京都 または Tokyo。繰り返して複数）",
)
@friendly
def municipalities_import(
    file: Path, retire_missing: bool, dry_run: bool, prefecture_texts: tuple[str, ...]
) -> None:
    """Add or update municipalities from a CSV, a tab-separated text (.txt as Excel saves it, in
    Shift_JIS or UTF-16) or an xlsx shaped like tokyo_municipalities.csv (or headed
    団体コード,団体名,ふりがな,英語名,地域,種別; 5-digit codes get their check digit), or from
    総務省's 全国地方公共団体コード list as downloaded; a retired municipality the file lists is
    brought back."""
    from hub.services.municipalities import (
        ChangeKind,
        apply_plan,
        plan_import,
        read_municipality_list,
    )

    prefectures = _prefectures(prefecture_texts)
    rows = read_municipality_list(file.read_bytes(), prefectures=prefectures)
    with app_context() if dry_run else unit_of_work():
        plan = plan_import(rows, retire_missing=retire_missing)
        if not dry_run:
            apply_plan(plan, user=None)
    for change in plan.changes:
        if dry_run or change.kind in (ChangeKind.RETIRED, ChangeKind.REACTIVATED):
            fields = "; ".join(f"{f.column}: {f.before} → {f.after}" for f in change.fields)
            kind = _change_word(change.kind)
            click.echo("\t".join(filter(None, (kind, change.code, change.name, fields))))
    counts = [
        _("追加 %(n)s", n=plan.count(ChangeKind.ADDED)),
        _("更新 %(n)s", n=plan.count(ChangeKind.UPDATED)),
        _("変更なし %(n)s", n=plan.unchanged),
    ]
    if plan.count(ChangeKind.REACTIVATED):
        counts.append(_("再開 %(n)s", n=plan.count(ChangeKind.REACTIVATED)))
    if plan.count(ChangeKind.RETIRED):
        counts.append(_("廃止 %(n)s", n=plan.count(ChangeKind.RETIRED)))
    click.echo(_list_of(counts))
    if dry_run:
        click.echo(_("確認のみ: 何も変更していません。"))


def _change_word(kind: str) -> str:
    """What a change does to a municipality, in the command's language (``added``, … as words)."""
    words = {
        "added": _("追加"),
        "updated": _("更新"),
        "reactivated": _("再開"),
        "retired": _("廃止"),
        "redated": _("廃止日を変更"),
    }
    return words.get(kind, kind)


def _list_of(parts: list[str]) -> str:
    """Counts side by side: 「追加 2、更新 0」, "2 added, 0 updated"."""
    return (", " if language() == "en" else "、").join(parts)


def _prefectures(texts: tuple[str, ...]) -> tuple[str, ...]:
    from hub.errors import Invalid
    from hub.models import prefecture_code

    codes = [(text, prefecture_code(text)) for text in texts]
    unknown = [text for text, code in codes if code is None]
    if unknown:
        raise Invalid(
            {
                "prefecture": [
                    _("都道府県のコードか名称ではありません: %(texts)s", texts=", ".join(unknown))
                ]
            },
            message=_("入力内容に誤りがあります。"),
        )
    return tuple(code for _, code in codes if code is not None)


@municipalities.command("retire")
@click.argument("codes", nargs=-1, required=True)
@click.option(
    "--on",
    "on_text",
    default="",
    help=(
        "廃止の日（例: 2027-04-01、令和9年4月1日。既定は今日）。その前の年度の集計には数えます。"
        "すでに廃止した団体は、廃止日をこの日に直します"
    ),
)
@friendly
def municipalities_retire(codes: tuple[str, ...], on_text: str) -> None:
    """Retire municipalities (合併・廃止): new rounds and referrals leave them out; what was
    recorded for them stays, the years before the day still count them, and cases and hearings
    dated before it may name them. With
    ``--on``, one already retired gets that day (``redated``)."""
    _set_active(codes, active=False, on=_day(on_text))


def _day(text: str) -> date | None:
    from forms.normalize import InvalidValue
    from forms.tokyo import parse_day
    from hub.errors import Invalid

    if not text:
        return None
    try:
        return parse_day(text)
    except InvalidValue as exc:
        raise Invalid({"on": [str(exc)]}) from None


@municipalities.command("reactivate")
@click.argument("codes", nargs=-1, required=True)
@friendly
def municipalities_reactivate(codes: tuple[str, ...]) -> None:
    """Bring retired municipalities back."""
    _set_active(codes, active=True)


def _set_active(codes: tuple[str, ...], *, active: bool, on: date | None = None) -> None:
    from hub.services.municipalities import municipality_typed, set_active, set_retired_on

    kind = "reactivated" if active else "retired"
    with unit_of_work():
        wanted = list(dict.fromkeys(municipality_typed(code) for code in codes))
        changed = [(m.code, m.name) for m in set_active(wanted, active=active, user=None, on=on)]
        redated = [] if active or on is None else set_retired_on(wanted, on, user=None)
        redated_rows = [(m.code, m.name, m.retired_on) for m in redated]
    for code, name in changed:
        click.echo(f"{_change_word(kind)}\t{code}\t{name}")
    for code, name, day in redated_rows:
        click.echo(f"{_change_word('redated')}\t{code}\t{name}\t{day}")
    counts = [_("再開 %(n)s", n=len(changed)) if active else _("廃止 %(n)s", n=len(changed))]
    if redated_rows:
        counts.append(_("廃止日を変更 %(n)s", n=len(redated_rows)))
    already = len(wanted) - len(changed) - len(redated_rows)
    counts.append(_("変更不要 %(n)s", n=already))
    click.echo(_list_of(counts))


@municipalities.command("list")
@click.option(
    "--status",
    type=click.Choice(["active", "retired", "all"]),
    default="active",
    show_default=True,
)
@click.option("--search", default="", help="コードの先頭、名称・かなの一部")
@lang_option
@friendly
def municipalities_list(status: str, search: str) -> None:
    """One municipality a line: code, name, region, type, 有効/廃止予定/廃止 and the day it was
    retired (tab-separated; names and words in English with ``--lang en``)."""
    from flask_babel import gettext as _

    from forms import tokyo
    from hub.db import db
    from hub.models.municipality import REGION_LABELS, TYPE_LABELS
    from hub.services.municipalities import listed

    lang = language()
    with app_context():
        today = tokyo.today()
        for m in db.session.scalars(listed(search=search, status=status)):
            state = _("有効") if m.active else _("廃止予定") if m.existed_on(today) else _("廃止")
            day = m.retired_on.isoformat() if m.retired_on else ""
            name = m.name_en if lang == "en" and m.name_en else m.name
            region = REGION_LABELS[m.region].get(lang) if m.region in REGION_LABELS else m.region
            kind = TYPE_LABELS[m.type].get(lang) if m.type in TYPE_LABELS else m.type
            click.echo("\t".join((m.code, name, region, kind, state, day)).rstrip("\t"))
