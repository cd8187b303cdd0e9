"""Views of the consultation desk. Each parses its input, calls one service and renders.

Staff record cases (one by one or by importing a list) and hearings; staff, respondents and
counterparts read the statistics page, suppressed for everyone but staff by the one rule.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from exports import consultation_counts as counts
from exports import consultation_tables as tables
from exports import hearings as heard
from exports.tables import Table
from forms.consultation import (
    AGE_GROUP,
    CALLER,
    CHANNEL,
    CRIME_TYPE,
    FIRST_YEAR,
    HEADER_ALIASES,
    HEARING,
    MUNICIPALITY,
    REFERRED_TO,
    REQUIRED_COLUMNS,
    TOPICS,
    choice_label,
    day_text,
    fiscal_year_bounds,
    fiscal_year_of,
)
from forms.webform import form_class, initial_data
from hub.auth.gate import require_actor
from hub.auth.policy import allow, sees_true_counts
from hub.consult import charts
from hub.db import db
from hub.errors import Conflict, HubError, Invalid
from hub.models import Consultation, Municipality, Role, User
from hub.services import consultations
from hub.services import hearings as hearing_service
from hub.web.carried import carries, refill_form, refilled
from hub.web.display import joined, line_ranges, locale_code, place, quoted_list
from hub.web.fiscal import fiscal_year_arg, fiscal_year_text, year_choices, year_notices
from hub.web.statistics_file import StatisticsFile, statistics_csv, statistics_file

bp = Blueprint("consult", __name__)


def _fiscal_year_arg(
    *, latest_with_cases: bool = False, with_cases: Collection[int] | None = None
) -> int:
    """``?fiscal_year=``; when absent or unreadable the current fiscal year or, with
    ``latest_with_cases``, the latest fiscal year up to it that has cases (the current one when
    it has any). ``with_cases``: the years with cases, when the caller has read them."""
    return fiscal_year_arg(
        FIRST_YEAR,
        default=consultations.latest_case_year if latest_with_cases else None,
        with_data=consultations.case_years() if with_cases is None else with_cases,
    )


def _year_choices(
    selected: int, with_cases: Collection[int] | None = None
) -> list[tuple[int, str]]:
    """Every year from the desk's first to the current one, and every year with cases."""
    years = consultations.case_years() if with_cases is None else with_cases
    return year_choices(FIRST_YEAR, selected, years)


# ------------------------------------------------------------------------------ statistics


@dataclass(frozen=True)
class _Shown:
    """What the statistics page shows one reader, in the page's language: the tables are built
    once here, for the page and for its download alike."""

    year: int
    stats: counts.Statistics
    own_municipality: Municipality | None
    stat_tables: list[Table]
    three_years: Table
    own_tables: list[Table]
    residence: Table | None

    def tables(self) -> list[Table]:
        """Every table, in the page's order."""
        return [
            *self.stat_tables,
            self.three_years,
            *self.own_tables,
            *([self.residence] if self.residence is not None else []),
        ]


def _shown_to(user: User, year: int, locale: str) -> _Shown:
    """The year's statistics as ``user`` may see them: suppressed for all but staff; a
    respondent's own residents (their municipality only); staff's table by municipality."""
    suppressed = not sees_true_counts(user)
    own = None
    own_municipality = None
    if user.role == Role.RESPONDENT and user.municipality_code:
        own_municipality = db.session.get(Municipality, user.municipality_code)
        stats, own = counts.statistics_with_own(year, user.municipality_code, suppressed=suppressed)
    else:
        stats = counts.statistics(year, suppressed=suppressed)
    return _Shown(
        year=year,
        stats=stats,
        own_municipality=own_municipality,
        stat_tables=tables.statistics_tables(stats, locale=locale),
        three_years=tables.three_year_table(year, suppressed=suppressed, locale=locale),
        own_tables=tables.statistics_tables(
            own, heading=_own_heading(own_municipality, year), regions=False, locale=locale
        )
        if own
        else [],
        residence=None if suppressed else tables.residence_table(year, locale),
    )


@bp.get("/consultations/statistics")
@allow("consultations.summary")
def statistics() -> ResponseReturnValue:
    """The shared statistics: regional tables, charts, three years; a respondent also sees their
    own residents' counts; staff also the table by municipality (true counts)."""
    with_cases = consultations.case_years()
    year = _fiscal_year_arg(latest_with_cases=True, with_cases=with_cases)
    locale = locale_code()
    shown = _shown_to(require_actor(), year, locale)
    stats = shown.stats
    return render_template(
        "consult/statistics.html",
        year=year,
        year_label=fiscal_year_text(year),
        years=_year_choices(year, with_cases),
        notices=year_notices(
            year,
            has_data=stats.total != 0,
            nothing=_(
                "%(year)sの相談の記録はありません。",
                year=fiscal_year_text(year),
            ),
        ),
        stats=stats,
        own_municipality=shown.own_municipality,
        stat_tables=shown.stat_tables,
        own_tables=shown.own_tables,
        three_years=shown.three_years,
        residence=shown.residence,
        age_chart=_age_chart(stats, locale),
        crime_chart=_bar_chart(
            CRIME_TYPE, stats.by_crime_type, _("相談にかかる犯罪の種類"), locale
        ),
        referral_chart=_bar_chart(
            REFERRED_TO, stats.by_referral, _("紹介した支援機関等（複数回答）"), locale
        ),
    )


@bp.get("/consultations/statistics.xlsx")
@allow("consultations.summary")
def statistics_download() -> ResponseReturnValue:
    """The statistics page of the fiscal year as an Excel file: the same tables for the same
    reader (suppressed cells as ＊), titled with the year and whom it was made for; audited."""
    user = require_actor()
    return statistics_file(user, _statistics_file(user))


@bp.get("/consultations/statistics.csv")
@allow("consultations.summary")
def statistics_csv_download() -> ResponseReturnValue:
    """The same file as CSV (UTF-8 with a BOM; ``?encoding=cp932``: Shift_JIS); audited."""
    user = require_actor()
    return statistics_csv(user, _statistics_file(user), request.args.get("encoding"))


def _statistics_file(user: User) -> StatisticsFile:
    """The year's file for ``user``, whatever its format: the page's tables as they see them."""
    year = _fiscal_year_arg(latest_with_cases=True)
    shown = _shown_to(user, year, locale_code())
    return StatisticsFile(
        fiscal_year=year,
        title=_("%(year)s 犯罪お悩みなんでも相談の実績", year=fiscal_year_text(year)),
        sheet=_("相談窓口の統計"),
        tables=shown.tables(),
        suppressed=shown.stats.suppressed,
        municipality=shown.own_municipality,
        action="consultation.statistics_download",
        name=_("犯罪お悩みなんでも相談の実績_%(year)s", year=fiscal_year_text(year)),
        fallback=f"consultation-statistics-{year}",
        page="consult.statistics",
    )


def _own_heading(municipality: Municipality | None, year: int) -> str:
    name = place(municipality)
    return _("%(year)s %(name)sに住む方からの相談", year=fiscal_year_text(year), name=name)


def _age_chart(stats: counts.Statistics, locale: str) -> charts.Pie:
    items = [(choice_label(AGE_GROUP, c, locale), v) for c, v in stats.by_age_group.items()]
    return charts.pie(
        items,
        stats.total,
        title=_("相談対象者の年代（N=%(n)s）", n=_shown(stats.total)),
        hidden_label=_("＊ 秘匿した区分の計"),
    )


def _bar_chart(
    question: Any, values: dict[str, int | None], title: str, locale: str
) -> charts.Bars:
    items = [(choice_label(question, c, locale), v) for c, v in values.items()]
    return charts.bars(items, title=title)


def _shown(value: int | None) -> str:
    return str(tables.shown(value))


# ------------------------------------------------------------------------------------ cases


@bp.get("/consultations")
@allow("consultations.write")
def cases() -> ResponseReturnValue:
    """The fiscal year's recorded cases (no names are ever stored), newest first."""
    year = _fiscal_year_arg(latest_with_cases=True)
    return render_template(
        "consult/cases.html",
        year=year,
        years=_year_choices(year),
        cases=consultations.cases_page(year, request.args.get("page", "")),
        labels=_case_labels(locale_code()),
        municipalities=consultations.municipality_names(),
    )


def _case_labels(locale: str) -> dict[str, Any]:
    return {
        q.id: {c.code: c.display(locale) for c in q.choices}
        for q in (CHANNEL, AGE_GROUP, CALLER, CRIME_TYPE, REFERRED_TO)
    }


@bp.route("/consultations/new", methods=["GET", "POST"])
@allow("consultations.write")
@carries()
def new_case() -> ResponseReturnValue:
    """Enter one case; a bad field re-shows the form with everything typed and the error."""
    found = consultations.residences()
    questionnaire = consultations.case_questionnaire(found)
    form = form_class(questionnaire, locale_code())()
    if request.method == "GET":
        return _case_page(refill_form(form), questionnaire, found, {})
    try:
        case = consultations.record_case(
            form.answers(relevant_only=True), user=require_actor(), source="web"
        )
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _case_page(form, questionnaire, found, exc.errors, status=422)
    flash(
        _(
            "相談記録を登録しました（受付日 %(date)s・%(year)s）。続けて入力できます。",
            date=case.received_on.isoformat(),
            year=fiscal_year_text(case.fiscal_year),
        ),
        "success",
    )
    return redirect(url_for("consult.new_case"))


@bp.route("/consultations/<int:case_id>", methods=["GET", "POST"])
@allow("consultations.write")
@carries()
def correct_case(case_id: int) -> ResponseReturnValue:
    """Correct one case: the form as the case holds it; a bad field, or a change someone else
    saved meanwhile, re-shows it with everything typed and why. A case someone else removed
    meanwhile gives the typing back as a new case's form, saying so (nothing is added unless
    the clerk registers it)."""
    if request.method == "POST" and db.session.get(Consultation, case_id) is None:
        return _removed_meanwhile()
    case = consultations.get_case(case_id)
    found = consultations.residences()
    questionnaire = consultations.case_questionnaire(found)
    form_type = form_class(questionnaire, locale_code())
    if request.method == "GET":
        shown = initial_data(questionnaire, consultations.case_answers(case), 0, locale_code())
        form = refill_form(form_type(formdata=None, data=shown))
        # typing given back keeps the case as it was when it began: a change saved meanwhile
        # is still caught
        seen = refilled("seen")
        return _case_page(form, questionnaire, found, {}, case=case, seen=seen)
    form = form_type()
    seen = request.form.get("seen", "")
    try:
        changed = consultations.correct_case(
            case, form.answers(relevant_only=True), seen=seen, user=require_actor()
        )
        db.session.commit()
    except (Invalid, Conflict) as exc:
        db.session.rollback()
        errors = exc.errors if isinstance(exc, Invalid) else {"case": [exc.message]}
        return _case_page(
            form, questionnaire, found, errors, case=case, seen=seen, status=exc.status
        )
    if changed:
        flash(
            _("相談記録を修正しました（受付日 %(date)s）。", date=case.received_on.isoformat()),
            "success",
        )
    else:
        flash(_("変更はありませんでした。"), "info")
    return redirect(url_for("consult.cases", fiscal_year=case.fiscal_year))


@bp.post("/consultations/<int:case_id>/remove")
@allow("consultations.write")
def remove_case(case_id: int) -> ResponseReturnValue:
    """Remove a case entered by mistake (the page asks to confirm first); one removed meanwhile
    (a second click, a colleague first) leads back to the list with a word on why."""
    if db.session.get(Consultation, case_id) is None:
        flash(_("この相談記録は、すでに削除されています。"), "info")
        return redirect(url_for("consult.cases"))
    case = consultations.get_case(case_id)
    year, day = case.fiscal_year, case.received_on
    try:
        consultations.remove_case(case, seen=request.form.get("seen", ""), user=require_actor())
        db.session.commit()
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("consult.correct_case", case_id=case_id))
    flash(_("相談記録を削除しました（受付日 %(date)s）。", date=day.isoformat()), "success")
    return redirect(url_for("consult.cases", fiscal_year=year))


def _removed_meanwhile() -> ResponseReturnValue:
    """A correction of a case removed since its page was opened: what was typed, as a new
    case's form posting to the new case's page, and why."""
    found = consultations.residences()
    questionnaire = consultations.case_questionnaire(found)
    form = form_class(questionnaire, locale_code())()
    said = _(
        "この相談記録は、画面を開いた後に別の人が削除しました。修正は保存していません。"
        "別の相談として登録するときは、内容を確かめて「登録する」を押してください。"
    )
    return _case_page(
        form,
        questionnaire,
        found,
        {"case": [said]},
        status=409,
        action=url_for("consult.new_case"),
    )


def _case_page(
    form: Any,
    questionnaire: Any,
    found: consultations.Residences,
    errors: dict[str, list[str]],
    *,
    case: Consultation | None = None,
    seen: str | None = None,
    status: int = 200,
    action: str | None = None,
) -> ResponseReturnValue:
    """The case form: a new case, or ``case`` to correct (``seen``: the fingerprint the page
    was opened with, kept across a refused save)."""
    if case is not None and seen is None:
        seen = consultations.case_fingerprint(case)
    return (
        render_template(
            "consult/new_case.html",
            form=form,
            questionnaire=questionnaire,
            residences=found,
            errors=errors,
            case=case,
            seen=seen,
            action=action,
        ),
        status,
    )


@bp.route("/consultations/import", methods=["GET", "POST"])
@allow("consultations.write")
def import_cases() -> ResponseReturnValue:
    """Import a case list; any bad row refuses the whole file and every bad row is listed. Rows
    that repeat a stored case or an earlier row are left out and listed, with the choice to add
    them (the same file chosen again); the new rows are added at once either way."""
    if request.method == "GET":
        return _import_page()
    upload = request.files.get("file")
    confirmed = _confirmed_rows(request.form)
    if upload is None or not upload.filename:
        return _import_page(
            message=_("ファイルを選んでください。"), confirming=confirmed, status=422
        )
    try:
        result = consultations.import_cases(
            upload.read(),
            user=require_actor(),
            filename=upload.filename or "",
            add_repeats=confirmed is not None,
            lines=confirmed.lines if confirmed else None,
            digest=confirmed.digest if confirmed else None,
        )
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _import_page(
            message=exc.message, errors=exc.errors, confirming=confirmed, refused=True, status=422
        )
    except HubError as exc:
        db.session.rollback()
        return _import_page(
            message=exc.message, confirming=confirmed, refused=True, status=exc.status
        )
    flash(_imported_message(result), "success")
    if result.serial_days:
        lines = line_ranges(day.line for day in result.serial_days)
        flash(consultations.serial_days_note(result.serial_days, lines), "info")
    if result.ignored_columns:
        flash(
            _(
                "次の列は相談記録の項目ではないため取り込んでいません: %(columns)s",
                columns=joined(result.ignored_columns),
            ),
            "info",
        )
    if result.unread_note:
        flash(_unread_stored_empty(result.unread_note), "info")
    if result.left_out:
        return _import_page(result=result, filename=upload.filename or "")
    return redirect(url_for("consult.cases", fiscal_year=result.fiscal_year))


def _unread_stored_empty(note: str) -> str:
    """What an import that read some columns as nothing stored: those items empty."""
    return _(
        "%(note)s 今回の取り込みでは、列がない項目を空欄として登録しました。",
        note=note,
    )


LEFT_OUT_SHOWN = 100
"""Left-out rows listed one by one (the same file imported twice leaves every row out); the rest
are named by their row numbers, folded into runs."""


@dataclass(frozen=True)
class _Confirmed:
    """The left-out rows the clerk chose to add after all, and the file they belong to."""

    digest: str
    lines: frozenset[int]


def _confirmed_rows(form: Any) -> _Confirmed | None:
    digest = (form.get("repeat_digest") or "").strip()
    if not digest:
        return None
    parts = (form.get("repeat_lines") or "").split(",")
    lines = frozenset(int(p) for p in parts if p.strip().isdigit() and len(p.strip()) <= 7)
    return _Confirmed(digest=digest[:64], lines=lines)


def _imported_message(result: consultations.ImportResult) -> str:
    if result.left_out and not result.added:  # the same file again: nothing new in it
        return ngettext(
            "ファイルの%(left)s件はどれも登録済みの記録と同じ内容のため、1件も追加していません。",
            "ファイルの%(left)s件はどれも登録済みの記録と同じ内容のため、1件も追加していません。",
            len(result.left_out),
            left=len(result.left_out),
        )
    if not result.left_out:
        return ngettext(
            "%(count)s件の相談記録を追加しました。",
            "%(count)s件の相談記録を追加しました。",
            result.added,
            count=result.added,
        )
    return ngettext(
        "%(count)s件の相談記録を追加しました。登録済みの記録と同じ内容の%(left)s件は追加していません。",
        "%(count)s件の相談記録を追加しました。登録済みの記録と同じ内容の%(left)s件は追加していません。",
        result.added,
        count=result.added,
        left=len(result.left_out),
    )


def _import_page(
    *,
    message: str = "",
    errors: dict[str, list[str]] | None = None,
    result: consultations.ImportResult | None = None,
    filename: str = "",
    confirming: _Confirmed | None = None,
    refused: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    """The import form; after an import that left rows out, those rows and the way to add them;
    after a refused confirmation, that way again (the rows by number). ``refused``: a chosen
    file was refused, which the browser no longer holds (the page asks for it again)."""
    questionnaire = consultations.case_questionnaire()
    return (
        render_template(
            "consult/import.html",
            message=message,
            errors=errors or {},
            refused=refused,
            result=result,
            filename=filename,
            confirming=confirming,
            year_label=fiscal_year_text(result.fiscal_year) if result else "",
            questions=[q for q in questionnaire.questions if q.id != MUNICIPALITY.id],
            required_columns=REQUIRED_COLUMNS,
            municipality_question=MUNICIPALITY,
            header_aliases={field: quoted_list(names) for field, names in HEADER_ALIASES.items()},
            left_out_shown=LEFT_OUT_SHOWN,
            desk_start=day_text(fiscal_year_bounds(FIRST_YEAR)[0]),
        ),
        status,
    )


# --------------------------------------------------------------------------------- hearings


@bp.route("/hearings", methods=["GET", "POST"])
@allow("hearings.manage")
@carries()
def hearings() -> ResponseReturnValue:
    """Record a hearing, and see "n/62 heard" with the municipalities not heard yet."""
    form = form_class(HEARING, locale_code())()
    code = (request.form.get("municipality") or "").strip()
    if request.method == "GET":
        chosen = refilled("municipality") or ""
        return _hearing_page(refill_form(form), _fiscal_year_arg(), chosen, {})
    try:
        hearing = hearing_service.record_hearing(code, form.answers(), user=require_actor())
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _hearing_page(form, _fiscal_year_arg(), code, exc.errors, status=422)
    year = fiscal_year_of(hearing.held_on)
    flash(_("聞き取りを記録しました。"), "success")
    return redirect(url_for("consult.hearings", fiscal_year=year))


@bp.post("/hearings/<int:hearing_id>/remove")
@allow("hearings.manage")
def remove_hearing(hearing_id: int) -> ResponseReturnValue:
    """Remove a hearing recorded by mistake (the page asks to confirm first); one removed
    meanwhile leads back to the list with a word on why."""
    removed = hearing_service.remove_hearing(hearing_id, user=require_actor())
    if removed is None:
        db.session.rollback()
        flash(_("この聞き取りの記録は、すでに削除されています。"), "info")
        return redirect(url_for("consult.hearings", fiscal_year=_fiscal_year_arg()))
    said = _(
        "聞き取りの記録を削除しました（%(day)s・%(name)s・%(department)s）。",
        day=day_text(removed.held_on),
        name=place(db.session.get(Municipality, removed.municipality_code)),
        department=removed.department,
    )
    year = fiscal_year_of(removed.held_on)
    db.session.commit()
    flash(said, "success")
    return redirect(url_for("consult.hearings", fiscal_year=year))


def _hearing_page(
    form: Any, year: int, code: str, errors: dict[str, list[str]], status: int = 200
) -> ResponseReturnValue:
    return (
        render_template(
            "consult/hearings.html",
            form=form,
            questionnaire=HEARING,
            year=year,
            year_label=fiscal_year_text(year),
            years=_year_choices(year),
            progress=heard.progress(year),
            records=heard.list_hearings(year),
            municipalities=consultations.residences(),
            chosen=code,
            errors=errors,
            topic_text=lambda codes: joined(choice_label(TOPICS, c, locale_code()) for c in codes),
        ),
        status,
    )
