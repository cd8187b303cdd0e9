"""Demo accounts, a demo round, consultation cases and hearings for ``make run`` on a fresh
machine (each created once, when missing)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from forms import tokyo
from forms.consultation import fiscal_year_bounds, fiscal_year_label, fiscal_year_of
from hub.db import db
from hub.models import Consultation, Hearing, Municipality, Round
from hub.models.user import ROLE_LABELS
from hub.services.demo_consultations import add_demo_cases, add_demo_hearings
from hub.services.rounds import open_round
from hub.services.users import create_user, find_by_email

DEMO_ACCOUNTS: tuple[tuple[str, str, str | None, str | None, str, str, str], ...] = (
    # email, role, municipality, recipient, name, organisation, phone
    (
        "staff@demo.saihan-hub.jp",
        "staff",
        None,
        None,
        "都庁 一郎",
        "東京都 総務局 再犯防止推進担当",
        "03-5321-1111",
    ),
    (
        "chiyoda@demo.saihan-hub.jp",
        "respondent",
        "131016",
        None,
        "千代田 花子",
        "千代田区 保健福祉部 福祉総務課",
        "03-3264-2111",
    ),
    (
        "hachioji@demo.saihan-hub.jp",
        "respondent",
        "132012",
        None,
        "八王子 次郎",
        "八王子市 福祉部 地域福祉推進課",
        "042-626-3111",
    ),
    ("admin@demo.saihan-hub.jp", "admin", None, None, "管理 三郎", "東京都 デジタルサービス局", ""),
    ("moj@demo.saihan-hub.jp", "counterpart", None, "moj", "法務 四郎", "法務省 保護局", ""),
    (
        "probation@demo.saihan-hub.jp",
        "counterpart",
        None,
        "tokyo-probation",
        "保護 五郎",
        "東京保護観察所",
        "",
    ),
    (
        "hachioji-window@demo.saihan-hub.jp",
        "window",
        "132012",
        None,
        "八王子 窓口",
        "八王子市 福祉部 生活福祉課 相談窓口",
        "",
    ),
)


DEMO_CLOSING_TIME = time(17, 0)
"""Rounds close at the end of the office day, as a real round would (not at the minute of
``make run``)."""


def demo_deadline(today: date) -> datetime:
    """Thirty days from ``today``, at 17:00 in Tokyo."""
    return datetime.combine(today + timedelta(days=30), DEMO_CLOSING_TIME, tzinfo=tokyo.TOKYO)


def _fiscal_year_start(today: date) -> date:
    return fiscal_year_bounds(fiscal_year_of(today))[0]


def _locale() -> str:
    """``ja`` or ``en``: the language the command prints in (its app context's locale)."""
    locale = get_locale()
    return locale.language if locale is not None else "ja"


def _account_line(
    email: str, password: str, role: str, municipality: str | None, recipient: str | None
) -> str:
    """``  chiyoda@… <password>  回答者（区市町村）: 千代田区`` — the role as the pages name it, and
    the municipality (in the command's language) or the recipient the account is bound to."""
    locale = _locale()
    label = ROLE_LABELS[role].get(locale)
    place = recipient
    if municipality is not None:
        found = db.session.get(Municipality, municipality)
        place = found.name_for(english=locale == "en") if found is not None else municipality
    said = f"{label}: {place}" if place else label
    return f"  {email:<36} {password:<17} {said}"


def ensure_demo(instance_dir: Path) -> list[str]:
    """Create what is missing; return the lines to print (passwords only when just created), in
    the language of the app context (``hub --lang en demo``: English)."""
    locale = _locale()
    lines: list[str] = []
    for email, role, municipality, recipient, name, organisation, phone in DEMO_ACCOUNTS:
        if find_by_email(email) is not None:
            continue
        password = secrets.token_urlsafe(12)
        create_user(
            email,
            role=role,
            password=password,
            municipality_code=municipality,
            recipient_name=recipient,
            display_name=name,
            organisation=organisation,
            phone=phone,
        )
        lines.append(_account_line(email, password, role, municipality, recipient))
    if lines:
        path = instance_dir / "demo-accounts.txt"
        # Where the file really is: HUB_INSTANCE_DIR moves it out of instance/.
        lines.insert(
            0,
            _("デモ用アカウント（この一度だけ表示します。%(path)s にも保存しました）:", path=path),
        )
        with path.open("a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        path.chmod(0o600)
    if db.session.scalar(select(Round.id).limit(1)) is None:
        today = tokyo.today()
        opened = open_round(
            "torikumi",
            reference_date=_fiscal_year_start(today),
            deadline=demo_deadline(today),
        )
        lines.append(
            _(
                "デモ調査回を開始しました: %(title)s (id %(id)s)",
                title=opened.title_in(locale),
                id=opened.id,
            )
        )
    lines.extend(_ensure_consultation_desk(tokyo.today(), locale))
    return lines


def _ensure_consultation_desk(today: date, locale: str) -> list[str]:
    """A whole fiscal year of cases (the last complete one) and this year's hearings."""
    lines = []
    if db.session.scalar(select(Consultation.id).limit(1)) is None:
        year = fiscal_year_of(today) - 1
        added = add_demo_cases(year)
        lines.append(
            ngettext(
                "デモ用の相談記録を追加しました: %(year)s %(count)s件",
                "デモ用の相談記録を追加しました: %(year)s %(count)s件",
                added,
                year=fiscal_year_label(year, locale),
                count=added,
            )
        )
    if db.session.scalar(select(Hearing.id).limit(1)) is None:
        heard = add_demo_hearings(today)
        lines.append(
            ngettext(
                "デモ用の聞き取りを追加しました: %(year)s %(count)s区市町村",
                "デモ用の聞き取りを追加しました: %(year)s %(count)s区市町村",
                heard,
                year=fiscal_year_label(fiscal_year_of(today), locale),
                count=heard,
            )
        )
    return lines
