"""Views of referrals. Each parses its input, calls one service, commits and renders.

A referral the user may not see answers 404 (``hub.auth.policy.see_referral``). The case page
opens the person's data, so every view of it is logged in the access log it also shows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from exports.referral_counts import ReferralCounts
from exports.referral_counts import summary as referral_summary
from exports.referral_tables import referral_tables
from exports.tables import Table
from forms import tokyo
from hub.auth.gate import require_actor
from hub.auth.policy import (
    allow,
    ensure_may_refer,
    handle_referral,
    is_receiving_window,
    is_referrer,
    own_referral,
    referrer_of,
    sees_true_counts,
)
from hub.consult import charts
from hub.db import db
from hub.errors import Conflict, HubError, Invalid
from hub.models import (
    CONTACT_METHODS,
    NEEDS,
    OUTCOMES,
    REFERRAL_STATUS_LABELS,
    Municipality,
    Referral,
    Role,
    User,
)
from hub.services.referrals import intake, lifecycle, notify, queries
from hub.web.carried import carries, typed_values
from hub.web.display import locale_code, place
from hub.web.fiscal import fiscal_year_arg, fiscal_year_text, year_choices, year_notices
from hub.web.statistics_file import StatisticsFile, statistics_csv, statistics_file

bp = Blueprint("referrals", __name__)

SUBMISSION = "submission"
"""The referral form's own key (hidden): the same form sent twice makes one referral."""

FIRST_YEAR = 2024


def _labels() -> dict[str, dict[str, str]]:
    locale = locale_code()
    return {
        "status": {k: v.get(locale) for k, v in REFERRAL_STATUS_LABELS.items()},
        "needs": {k: v.get(locale) for k, v in NEEDS.items()},
        "outcomes": {k: v.get(locale) for k, v in OUTCOMES.items()},
        "methods": {k: v.get(locale) for k, v in CONTACT_METHODS.items()},
        "actions": {
            "sent": _("依頼"),
            "accepted": pgettext("referral timeline", "受理"),
            "declined": _("受理できず"),
            "rerouted": _("つなぎ先を変更"),
            "consent_reconfirmed": _("新しいつなぎ先への本人の同意を確認"),
            "contact": _("連絡"),
            "closed": pgettext("referral timeline", "終了"),
            "consent_withdrawn": _("同意撤回（本人情報を消去）"),
            "erased": _("保存期間の経過により本人情報を消去"),
        },
        "age_groups": {
            code: (code[:-1] + _("代") if not code.endswith("+") else code[:-2] + _("代以上"))
            for code in intake.AGE_GROUPS
        },
        "via": {"web": _("画面"), "api": "API", "cli": _("コマンド")},
        "fields": {
            "person.name": _("氏名"),
            "person.kana": _("ふりがな"),
            "person.birth_year": _("生年"),
            "person.age_group": _("年代"),
            "person.phone": _("電話"),
            "person.address": _("住所"),
            "summary": _("概要"),
            "needs_other": _("その他の内容"),
            "consent.scope": _("同意の範囲"),
        },
        "steps": {
            "reason": _("受理できない理由"),
            "on": _("連絡日"),
            "method": _("方法"),
            "note": _("メモ"),
            "next_follow_up": _("次回フォロー日"),
            "outcome": _("結果"),
            "municipality": _("新しいつなぎ先"),
            "consent.scope": _("新しいつなぎ先について本人が同意した範囲"),
            "consent.confirmed": _("新しいつなぎ先への同意の確認"),
            "confirm": _("同意撤回の確認"),
        },
        # the fields of the case page's steps by their error keys: their labels, the error
        # summary's links and the list of what was typed when a step is refused
    }


def _municipalities() -> list[Municipality]:
    return list(
        db.session.scalars(
            select(Municipality)
            .where(Municipality.existed_on(tokyo.today()))
            .order_by(Municipality.code)
        )
    )


# ------------------------------------------------------------------------------ lists


@bp.get("/referrals")
@allow("referrals.list")
def index() -> ResponseReturnValue:
    """The window's inbox (open referrals by due date, then the rest); the referrer's list."""
    user = require_actor()
    wanted_page = request.args.get("page", "")
    if user.role == Role.WINDOW:
        return render_template(
            "referrals/inbox.html",
            inbox=queries.inbox(user),
            done=queries.finished(user, wanted_page),
            labels=_labels(),
            overdue=queries.is_overdue,
            late=queries.is_late,
            acceptance_due=queries.acceptance_due,
        )
    return render_template(
        "referrals/list.html",
        referrals=queries.listing(user, wanted_page),
        labels=_labels(),
        may_refer=referrer_of(user) is not None,
        overdue=queries.is_overdue,
        late=queries.is_late,
    )


# ------------------------------------------------------------------------------ the form


def _form_data() -> dict[str, Any]:
    """The referral form's fields as the API's body, so that one service reads both."""
    form = request.form
    return {
        "municipality": form.get("municipality", ""),
        "person": {
            key: form.get(f"person-{key}", "")
            for key in intake.PERSON_FIELDS
            if form.get(f"person-{key}", "")
        },
        "needs": form.getlist("needs"),
        "needs_other": form.get("needs_other", ""),
        "summary": form.get("summary", ""),
        "consent": {
            key: form.get(f"consent-{key}", "")
            for key in ("obtained_on", "obtained_by", "scope")
            if form.get(f"consent-{key}", "")
        },
        intake.ADDRESS_OUTSIDE: form.get(intake.ADDRESS_OUTSIDE) == "yes",
    }


@bp.route("/referrals/new", methods=["GET", "POST"])
@allow("referrals.refer")
@carries(sensitive=True)
def new() -> ResponseReturnValue:
    """The referral form (都's desk, 東京保護観察所). A bad field re-shows everything typed."""
    user = require_actor()
    referrer = ensure_may_refer(user)
    if request.method == "GET":
        return _form_page(typed_values(), {})
    data = _form_data()
    key = request.form.get(SUBMISSION) or None
    earlier = lifecycle.sent_before(key, user=user)
    if earlier is not None:
        return _sent_already(earlier)
    try:
        referral = lifecycle.create(data, referrer=referrer, user=user, submission_key=key)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _form_page(request.form, exc.errors, status=422)
    except IntegrityError:
        db.session.rollback()  # the same form's other send was stored first
        earlier = lifecycle.sent_before(key, user=user)
        if earlier is None:
            raise
        return _sent_already(earlier)
    notify.new_referral(referral)
    flash(_("つなぎ依頼（No.%(id)s）を送りました。", id=referral.id), "success")
    return redirect(url_for("referrals.case", referral_id=referral.id))


def _sent_already(referral: Referral) -> ResponseReturnValue:
    """The same form sent a second time (a second click on a slow line, a resend): its referral, with nothing stored again and no second mail to the window."""
    flash(
        _(
            "このつなぎ依頼は送信済みです（No.%(id)s）。同じ依頼が二重にならないよう、"
            "今回の送信では何も保存していません。別の依頼として送るときは、"
            "「つなぎ依頼を作る」から新しく入力してください。",
            id=referral.id,
        ),
        "info",
    )
    return redirect(url_for("referrals.case", referral_id=referral.id))


def _form_page(values: Any, errors: dict[str, list[str]], status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "referrals/new.html",
            values=values,
            submission=values.get(SUBMISSION) or lifecycle.new_submission_key(),
            chosen_needs=values.getlist("needs") if hasattr(values, "getlist") else [],
            errors=errors,
            municipalities=_municipalities(),
            labels=_labels(),
            age_groups=intake.AGE_GROUPS,
            summary_max=intake.SUMMARY_MAX,
        ),
        status,
    )


# ------------------------------------------------------------------------------ one case


@bp.get("/referrals/<int:referral_id>")
@allow("referrals.read")
def case(referral_id: int) -> ResponseReturnValue:
    """The case: the person (this read is logged), consent, needs, timeline and access log."""
    return _case_page(queries.get(require_actor(), referral_id), {})


def _case_page(
    referral: Referral,
    errors: dict[str, list[str]],
    status: int = 200,
    problem: str = "",
) -> ResponseReturnValue:
    """The case page; after a POST it keeps what was typed: in its fields, and — when a state
    clash (``problem``) means the form is no longer offered — listed under the message."""
    user = require_actor()
    detail = queries.detail_json(referral, user=user, via="web")
    db.session.commit()
    return (
        render_template(
            "referrals/case.html",
            referral=referral,
            detail=detail,
            timeline=queries.timeline(referral, user),
            reads=queries.access_log_page(
                referral, request.args.get("page") if request.method == "GET" else None
            ),
            window=is_receiving_window(user, referral),
            referrer=is_referrer(user, referral),
            overdue=queries.is_overdue(referral),
            late=queries.is_late(referral),
            acceptance_due=queries.acceptance_due(referral),
            labels=_labels(),
            municipalities=_municipalities(),
            errors=errors,
            problem=problem,
            typed=_typed() if problem else [],
            values=typed_values(),
            today=tokyo.today(),
        ),
        status,
    )


def _typed() -> list[tuple[str, str]]:
    """What the posted form held, as ``(field, text)`` in words (choices by their labels): the
    step was refused because the referral changed meanwhile, and the page may no longer show the
    form it was typed into, so it is shown to be copied rather than lost."""
    form, labels = request.form, _labels()
    chosen: dict[str, Callable[[str], str]] = {
        "method": lambda code: labels["methods"].get(code, code),
        "outcome": lambda code: labels["outcomes"].get(code, code),
        "municipality": lambda code: place(db.session.get(Municipality, code)) or code,
    }
    ticks = ("consent.confirmed", "confirm")  # a tick is no text to keep
    names = {key: name for key, name in labels["steps"].items() if key not in ticks}
    return [
        (name, chosen.get(key, str)(form[field]))
        for key, name in names.items()
        if form.get(field := key.replace(".", "-"), "").strip()
    ]


def _act(
    referral_id: int,
    find: Callable[[Any, Referral | None], Referral],
    step: Callable[[Referral], Any],
    done: str,
    after: Callable[[Referral], Any] | None = None,
) -> ResponseReturnValue:
    """Run one step on a referral the user may act on (404 otherwise) and commit, then ``after``
    (a mail); a bad field re-shows the case with what was typed (422), and so does a step the
    referral's state no longer allows — taken from a page opened before another step — with the
    state in words (409)."""
    user = require_actor()
    referral = find(user, db.session.get(Referral, referral_id))
    try:
        step(referral)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _case_page(db.session.get_one(Referral, referral_id), exc.errors, status=422)
    except Conflict as exc:
        db.session.rollback()
        return _case_page(
            db.session.get_one(Referral, referral_id), {}, status=409, problem=exc.message
        )
    except HubError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("referrals.case", referral_id=referral_id))
    if after is not None:
        after(referral)
    flash(done, "success")
    return redirect(url_for("referrals.case", referral_id=referral_id))


@bp.post("/referrals/<int:referral_id>/accept")
@allow("referrals.handle")
def accept(referral_id: int) -> ResponseReturnValue:
    user = require_actor()
    return _act(
        referral_id,
        handle_referral,
        lambda r: lifecycle.accept(r, user=user),
        _("受理しました。連絡したら記録してください。"),
    )


@bp.post("/referrals/<int:referral_id>/decline")
@allow("referrals.handle")
@carries(page="referrals.case", sensitive=True)
def decline(referral_id: int) -> ResponseReturnValue:
    user = require_actor()
    return _act(
        referral_id,
        handle_referral,
        lambda r: lifecycle.decline(r, {"reason": request.form.get("reason", "")}, user=user),
        _("受理できない旨を依頼元に伝えました。"),
    )


@bp.post("/referrals/<int:referral_id>/contact")
@allow("referrals.handle")
@carries(page="referrals.case", sensitive=True)
def contact(referral_id: int) -> ResponseReturnValue:
    user = require_actor()
    body = {
        key: request.form.get(key) or None for key in ("on", "method", "note", "next_follow_up")
    }
    return _act(
        referral_id,
        handle_referral,
        lambda r: lifecycle.add_contact(r, body, user=user),
        _("連絡を記録しました。"),
    )


@bp.post("/referrals/<int:referral_id>/close")
@allow("referrals.handle")
@carries(page="referrals.case", sensitive=True)
def close(referral_id: int) -> ResponseReturnValue:
    user = require_actor()
    return _act(
        referral_id,
        handle_referral,
        lambda r: lifecycle.close(r, {"outcome": request.form.get("outcome")}, user=user),
        _("終了しました。結果は依頼元にも表示されます。"),
    )


@bp.post("/referrals/<int:referral_id>/reroute")
@allow("referrals.refer")
@carries(page="referrals.case", sensitive=True)
def reroute(referral_id: int) -> ResponseReturnValue:
    """A new municipality, with the scope of consent for it and the tick that the person agreed
    (the API's body: ``consent: {scope, confirmed}``). Posted past the session's end, the
    municipality and the scope come back on the case after signing in again (the tick is asked
    again, as after any refusal)."""
    user = require_actor()
    form = request.form
    body = {
        "municipality": form.get("municipality"),
        "consent": {
            "scope": form.get("consent-scope", ""),
            "confirmed": form.get("consent-confirmed") == "yes",
        },
    }
    return _act(
        referral_id,
        own_referral,
        lambda r: lifecycle.reroute(r, body, user=user),
        _("つなぎ先を変更して送りました。"),
        after=notify.new_referral,
    )


@bp.post("/referrals/<int:referral_id>/withdraw-consent")
@allow("referrals.refer")
def withdraw_consent(referral_id: int) -> ResponseReturnValue:
    user = require_actor()
    if request.form.get("confirm") != "yes":
        return _case_page(
            own_referral(user, db.session.get(Referral, referral_id)),
            {"confirm": [_("同意撤回を確認するチェックを入れてください。")]},
            status=422,
        )
    return _act(
        referral_id,
        own_referral,
        lambda r: lifecycle.withdraw_consent(r, user=user),
        _("同意の撤回を記録し、本人の情報を消去しました。件数は統計に残ります。"),
    )


# ------------------------------------------------------------------------------ statistics


def _places(codes: Any) -> dict[str, str]:
    """The municipalities ``codes`` names, in the page's language."""
    found = db.session.scalars(select(Municipality).where(Municipality.code.in_(list(codes))))
    return {m.code: place(m) for m in found}


@dataclass(frozen=True)
class _Shown:
    """What the statistics page shows one reader, in the page's language: built once here, for
    the page and for its download alike."""

    year: int
    counts: ReferralCounts
    tables: list[Table]
    municipality: Municipality | None
    """The reader's own municipality (a window's, a respondent's), whom a file is made for."""


def _shown_to(user: User, year: int, locale: str) -> _Shown:
    """The year's referral statistics as ``user`` may see them: exact for staff, suppressed for
    everyone else (a window's own municipality no differently from the others)."""
    counts = referral_summary(year, suppressed=not sees_true_counts(user))
    own = user.municipality_code
    return _Shown(
        year=year,
        counts=counts,
        tables=referral_tables(counts, locale, names=_places(counts.by_municipality)),
        municipality=db.session.get(Municipality, own) if own else None,
    )


def _statistics_year(with_referrals: Collection[int] | None = None) -> int:
    """``?fiscal_year=`` (``with_referrals``: the years with referrals, when already read)."""
    years = queries.referral_years() if with_referrals is None else with_referrals
    return fiscal_year_arg(FIRST_YEAR, default=queries.latest_referral_year, with_data=years)


@bp.get("/referrals/statistics")
@allow("referrals.summary")
def statistics() -> ResponseReturnValue:
    """Referrals of a fiscal year by municipality, need and outcome; suppressed for non-staff."""
    with_referrals = queries.referral_years()
    year = _statistics_year(with_referrals)
    shown = _shown_to(require_actor(), year, locale_code())
    counts = shown.counts
    labels = _labels()
    return render_template(
        "referrals/statistics.html",
        year=year,
        years=year_choices(FIRST_YEAR, year, with_referrals),
        notices=year_notices(
            year,
            has_data=counts.total != 0,
            nothing=_(
                "%(year)sのつなぎはありません。",
                year=fiscal_year_text(year),
            ),
        ),
        counts=counts,
        tables=shown.tables,
        need_chart=charts.bars(
            [(labels["needs"][c], v) for c, v in counts.by_need.items()],
            title=_("必要な支援（複数回答）"),
        ),
        outcome_chart=charts.bars(
            [(labels["outcomes"][c], v) for c, v in counts.by_outcome.items()],
            title=_("終了時の結果"),
        ),
    )


@bp.get("/referrals/statistics.xlsx")
@allow("referrals.summary")
def statistics_download() -> ResponseReturnValue:
    """The statistics page of the fiscal year as an Excel file: the same tables for the same
    reader (suppressed cells as ＊), titled with the year and whom it was made for; audited."""
    user = require_actor()
    return statistics_file(user, _statistics_file(user))


@bp.get("/referrals/statistics.csv")
@allow("referrals.summary")
def statistics_csv_download() -> ResponseReturnValue:
    """The same file as CSV (UTF-8 with a BOM; ``?encoding=cp932``: Shift_JIS); audited."""
    user = require_actor()
    return statistics_csv(user, _statistics_file(user), request.args.get("encoding"))


def _statistics_file(user: User) -> StatisticsFile:
    """The year's file for ``user``, whatever its format: the page's tables as they see them."""
    year = _statistics_year()
    shown = _shown_to(user, year, locale_code())
    return StatisticsFile(
        fiscal_year=year,
        title=_("%(year)s つなぎの実績", year=fiscal_year_text(year)),
        sheet=_("つなぎの統計"),
        tables=shown.tables,
        suppressed=shown.counts.suppressed,
        municipality=shown.municipality,
        action="referral.statistics_download",
        name=_("つなぎの実績_%(year)s", year=fiscal_year_text(year)),
        fallback=f"referral-statistics-{year}",
        page="referrals.statistics",
    )
