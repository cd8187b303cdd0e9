"""A statistics page's year as a file, Excel or CSV, for the desk's statistics and the referrals'.

Each page builds its tables once, for the page and for the files (``hub.consult.views._shown_to``,
``hub.referrals.views._shown_to``), and describes its file here (:class:`StatisticsFile`). One
function, :func:`_content`, decides what a file holds whatever its format: the heading (the year's
title and the sheet's name), the row saying whom it was made for (staff's exact counts marked as
not for sharing) and when, Tokyo time, and the page's tables as the page shows them (a hidden
count ``＊``, a share of nothing ``-``, a share ``39.7%``). The xlsx is one sheet rendered by
``exports.xlsx.render_xlsx`` like the workbook; the CSV (``exports.text.document_csv``, UTF-8
with a BOM, or Shift_JIS on request) the same lines one below the other, each table under its
title after a blank row. Every download is audited (who, which year, the reader's municipality;
never a count) under the page's action, ``_csv`` added for the CSV, and served ``no-store``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import Response, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from exports.tables import Table
from exports.text import CP932, UTF8, UnwritableCharacter, document_csv
from exports.xlsx import Document, render_xlsx
from forms.tokyo import format_datetime
from hub.db import db, utcnow
from hub.files import csv_response, xlsx_response
from hub.models import Municipality, Role, User
from hub.services import audit
from hub.web.display import locale_code, place

FORMATS = ("xlsx", "csv")
CSV_ENCODINGS = {"utf-8": UTF8, "cp932": CP932}
"""``?encoding=`` of a CSV download: UTF-8 with a BOM (the default), or Shift_JIS (cp932)."""


def audience(user: User, *, suppressed: bool, municipality: Municipality | None) -> str:
    """Whom a downloaded file was made for, in the page's language: staff's exact counts are
    not to be shared; a suppressed file names the reader's municipality, or the kind of reader."""
    if not suppressed:
        return _("都職員用（秘匿処理なし・外部に共有しないでください）")
    if municipality is not None:
        return _("%(name)s向け（秘匿処理済み）", name=place(municipality))
    if user.role == Role.COUNTERPART:
        return _("国の関係機関向け（秘匿処理済み）")
    return _("区市町村向け（秘匿処理済み）")


@dataclass(frozen=True)
class StatisticsFile:
    """What a statistics page puts in its file, whatever the format."""

    fiscal_year: int
    title: str
    sheet: str
    tables: Sequence[Table]
    """Exactly as the page shows them to the reader."""
    suppressed: bool
    municipality: Municipality | None
    """The reader's own municipality, whom the file is made for."""
    action: str
    """The audit action of the xlsx; the CSV's is ``action + "_csv"``."""
    name: str
    """The file's name in the page's language, without its extension."""
    fallback: str
    """An ASCII name, without its extension."""
    page: str
    """The page's endpoint, where a refused CSV leads back to."""


@dataclass(frozen=True)
class _Content:
    heading: str
    subtitle: str
    created: datetime
    tables: Sequence[Table]


def _content(user: User, spec: StatisticsFile) -> _Content:
    """What the file holds, for every format: the one place that decides it."""
    created = utcnow()
    subtitle = _(
        "%(audience)s　作成: %(when)s（日本時間）",
        audience=audience(user, suppressed=spec.suppressed, municipality=spec.municipality),
        when=format_datetime(created, locale_code()),
    )
    return _Content(f"{spec.title}　{spec.sheet}", subtitle, created, list(spec.tables))


def _audit(user: User, spec: StatisticsFile, action: str) -> None:
    audit.record(
        action,
        user=user,
        target=f"fiscal_year/{spec.fiscal_year}",
        municipality_code=spec.municipality.code if spec.municipality is not None else None,
        fiscal_year=spec.fiscal_year,
    )
    db.session.commit()


def statistics_file(user: User, spec: StatisticsFile) -> Response:
    """The tables as one xlsx sheet named ``spec.sheet``, under the title and the audience row;
    the download audited as ``spec.action`` (target ``fiscal_year/<year>``) and committed."""
    content = _content(user, spec)
    document = Document(
        title=spec.title,
        subtitle=content.subtitle,
        created=content.created,
        subject=spec.title,
    )
    data = render_xlsx([(spec.sheet, list(content.tables))], document=document)
    _audit(user, spec, spec.action)
    return xlsx_response(data, filename=f"{spec.name}.xlsx", fallback=f"{spec.fallback}.xlsx")


def statistics_csv(user: User, spec: StatisticsFile, encoding: str | None) -> ResponseReturnValue:
    """The same content as :func:`statistics_file` as one CSV (``encoding``: ``utf-8``, the
    default, or ``cp932``), audited as ``spec.action + "_csv"``. A character Shift_JIS cannot
    hold sends the reader back to the page, saying which and where, with nothing recorded."""
    codec = CSV_ENCODINGS.get((encoding or "utf-8").strip().lower(), UTF8)
    content = _content(user, spec)
    try:
        data = document_csv([content.heading, content.subtitle], content.tables, codec)
    except UnwritableCharacter as exc:
        flash(
            _(
                "%(line)s 行目の文字「%(character)s」（U+%(code)s）は Shift_JIS で書けないため、"
                "CSV（Shift_JIS）を作れませんでした。UTF-8 の CSV をお使いください。",
                line=exc.line,
                character=exc.character,
                code=f"{ord(exc.character):04X}",
            ),
            "error",
        )
        return redirect(url_for(spec.page, fiscal_year=spec.fiscal_year))
    _audit(user, spec, f"{spec.action}_csv")
    charset = "shift_jis" if codec == CP932 else "utf-8"
    return csv_response(
        data, charset=charset, filename=f"{spec.name}.csv", fallback=f"{spec.fallback}.csv"
    )
