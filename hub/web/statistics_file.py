"""A statistics page's year as an Excel file, for the desk's statistics and the referrals' alike.

Each page builds its tables once, for the page and for the file (``hub.consult.views._shown_to``,
``hub.referrals.views._shown_to``), and hands them here: one sheet rendered by
``exports.xlsx.render_xlsx`` like the workbook, titled with the year, the second row saying whom
it was made for (staff's exact counts marked as not for sharing) and when, Tokyo time; the
download is audited (who, which year, the reader's municipality; never a count) and served
``no-store``.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response
from flask_babel import gettext as _

from exports.tables import Table
from exports.xlsx import Document, render_xlsx
from forms.tokyo import format_datetime
from hub.db import db, utcnow
from hub.files import xlsx_response
from hub.models import Municipality, Role, User
from hub.services import audit
from hub.web.display import locale_code, place


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


def statistics_file(
    user: User,
    *,
    fiscal_year: int,
    title: str,
    sheet: str,
    tables: Sequence[Table],
    suppressed: bool,
    municipality: Municipality | None,
    action: str,
    filename: str,
    fallback: str,
) -> Response:
    """``tables`` (exactly as the page shows them to ``user``) as one sheet named ``sheet``,
    under ``title`` and the audience row; the download recorded in the audit log as
    ``action`` (target ``fiscal_year/<year>``, the reader's municipality) and committed."""
    created = utcnow()
    document = Document(
        title=title,
        subtitle=_(
            "%(audience)s　作成: %(when)s（日本時間）",
            audience=audience(user, suppressed=suppressed, municipality=municipality),
            when=format_datetime(created, locale_code()),
        ),
        created=created,
        subject=title,
    )
    data = render_xlsx([(sheet, list(tables))], document=document)
    audit.record(
        action,
        user=user,
        target=f"fiscal_year/{fiscal_year}",
        municipality_code=municipality.code if municipality is not None else None,
        fiscal_year=fiscal_year,
    )
    db.session.commit()
    return xlsx_response(data, filename=filename, fallback=fallback)
