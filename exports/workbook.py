"""The consolidated workbook of a round: one builder for the download button, the API, the CLI
and the scheduled exports, so that each of them gets the same sheets.

Besides the round's own sheets it holds the consultation desk's and the hearings' sheets of the
round's 基準日 when there are any: true counts for staff, small cells suppressed and no hearing
notes otherwise. Callers may add sheets of their own with ``extra_sheets``: each a sheet name and
the :class:`~exports.tables.Table` objects to lay out on it. The order of the sheets is
:func:`exports.assembly.round_sheets`'s, the same as in a delivery: extra sheets come after the
round's and the desk's sheets and before 定義, which stays last.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import IO

from exports import collector
from exports.assembly import ExtraSheets, round_sheets
from exports.tables import Sheet, as_of
from exports.xlsx import Document, write_xlsx
from forms.tokyo import format_datetime
from hub.db import utcnow
from hub.models import Round


def workbook_sheets(
    round_: Round,
    *,
    for_staff: bool = True,
    detail: bool = True,
    consultations: bool = True,
    extra_sheets: ExtraSheets = (),
) -> list[Sheet]:
    """The round's sheets, then the consultation and hearing sheets (unless ``consultations`` is
    false) and ``extra_sheets``, then 定義."""
    return round_sheets(
        round_,
        detail=detail,
        personal=for_staff,
        desk=consultations,
        extra_sheets=extra_sheets,
    )


def workbook_document(round_: Round, *, generated_at: datetime | None = None) -> Document:
    """Heading and properties: the survey title, 「令和3年4月1日現在」 and the generation time."""
    created = generated_at or utcnow()
    title = round_.questionnaire.title.ja
    return Document(
        title=title,
        subtitle=f"{as_of(round_)}　　作成: {format_datetime(created)}（日本時間）",
        created=created,
        subject=round_.title,
    )


def workbook_filename(round_: Round) -> str:
    """「区市町村における…調査_令和3年4月1日現在.xlsx」: the name people see when downloading."""
    return f"{round_.questionnaire.title.ja}_{as_of(round_)}.xlsx"


def write_workbook(
    round_: Round,
    target: str | Path | IO[bytes],
    *,
    for_staff: bool = True,
    detail: bool = True,
    consultations: bool = True,
    extra_sheets: ExtraSheets = (),
    generated_at: datetime | None = None,
) -> None:
    """Stream the workbook into ``target`` (a path or a binary file object), with the cyclic
    collector held off (:mod:`exports.collector`)."""
    with collector.held_off():
        sheets = workbook_sheets(
            round_,
            for_staff=for_staff,
            detail=detail,
            consultations=consultations,
            extra_sheets=extra_sheets,
        )
        write_xlsx(sheets, target, document=workbook_document(round_, generated_at=generated_at))


def build_workbook(
    round_: Round,
    *,
    for_staff: bool = True,
    detail: bool = True,
    consultations: bool = True,
    extra_sheets: ExtraSheets = (),
    generated_at: datetime | None = None,
) -> bytes:
    """The consolidated workbook as bytes: what the download button, the API and ``hub workbook``
    all serve.

    ``for_staff=False`` leaves out personal data (respondents' contact fields, editors' names)
    and suppresses the consultation desk's small counts and the hearings' notes;
    ``detail=False`` leaves out the per-municipality sheets (提出状況, 回答一覧);
    ``consultations=False`` leaves out the consultation desk's and hearings' sheets.
    """
    buffer = io.BytesIO()
    write_workbook(
        round_,
        buffer,
        for_staff=for_staff,
        detail=detail,
        consultations=consultations,
        extra_sheets=extra_sheets,
        generated_at=generated_at,
    )
    return buffer.getvalue()
