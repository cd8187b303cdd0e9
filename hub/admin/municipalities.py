"""The administrator's 区市町村 page: the municipalities (search, active or retired, 50 a page),
a prefecture's list (or 総務省's national one, for a chosen prefecture) imported after a preview
of what changes, and one municipality retired (合併・廃止) on a day — or given another day — or
brought back. What each change means: ``hub/services/municipalities.py``.

The preview carries the uploaded file back in the confirming form (base64), with the plan's
fingerprint: the import applies the list again and goes ahead only when it would change exactly
what the preview showed."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField

from forms import tokyo
from forms.normalize import InvalidValue, parse_date
from hub.admin.views import bp
from hub.auth.gate import require_actor
from hub.auth.policy import allow
from hub.db import db
from hub.errors import HubError, Invalid
from hub.models import PREFECTURES, Municipality
from hub.services import municipalities
from hub.services.municipalities import ChangeKind, ImportPlan
from hub.web.carried import carries, refill_form
from hub.web.display import place, wareki

PREFECTURE_CODES = frozenset(f"{number:02d}" for number in range(1, len(PREFECTURES) + 1))

MAX_LIST_BYTES = 360_000
"""A national list (1,741 municipalities) is 100–200 KB. The preview carries the file back in
base64, which must stay under Werkzeug's limit on a form's fields (500 KB)."""


class ImportForm(FlaskForm):
    file = FileField(
        _l("区市町村の一覧（CSV または Excel）"),
        validators=[FileRequired(_l("ファイルを選択してください。"))],
    )
    prefecture = SelectField(
        _l("取り込む都道府県"),
        choices=[SelectChoice("", _l("ファイルにあるすべての都道府県"))]
        + [
            SelectChoice(code, LazyString(municipalities.prefecture_label, code))
            for code in sorted(PREFECTURE_CODES)
        ],
        default="",
        description=_l("全国の一覧から一つの都道府県の団体だけを取り込むときに選びます。"),
    )
    retire_missing = BooleanField(_l("ファイルにない団体を廃止にする"))


class ConfirmForm(FlaskForm):
    payload = HiddenField()
    prefecture = HiddenField()
    retire_missing = HiddenField()
    fingerprint = HiddenField()


@dataclass(frozen=True)
class Choices:
    """What the administrator chose with the file: one prefecture (``""``: all) and whether to
    retire the municipalities the file leaves out."""

    prefecture: str
    retire_missing: bool


@bp.get("/municipalities")
@allow("municipalities.manage")
def municipalities_index() -> ResponseReturnValue:
    """The page; the query's ``prefecture`` and ``retire_missing`` choose them again in the
    import form (an upload refused as too large comes back so, :data:`KEPT_ON_TOO_LARGE`)."""
    prefecture = request.args.get("prefecture", "")
    chosen = {
        "prefecture": prefecture if prefecture in PREFECTURE_CODES else "",
        "retire_missing": bool(request.args.get("retire_missing")),
    }
    return _index_page(refill_form(ImportForm(formdata=None, data=chosen)))


def _index_page(
    form: ImportForm, *, errors: Mapping[str, list[str]] | None = None, status: int = 200
) -> ResponseReturnValue:
    search = request.args.get("q", "").strip()
    wanted = request.args.get("status", "active")
    status_filter = wanted if wanted in municipalities.STATUSES else "active"
    page = municipalities.municipalities_page(
        request.args.get("page", ""), search=search, status=status_filter
    )
    args = {k: v for k, v in (("q", search), ("status", status_filter)) if v and v != "active"}
    return (
        render_template(
            "admin/municipalities.html",
            page=page,
            search=search,
            status=status_filter,
            args=args,
            form=form,
            problems=_problems(errors or {}),
            today=tokyo.today(),
        ),
        status,
    )


def _problems(errors: Mapping[str, list[str]]) -> list[str]:
    """A refused list's problems, each once, its line first (「3行目: …」)."""
    return [
        f"{where}: {message}" if where != "file" else message
        for where, messages in errors.items()
        for message in messages
    ]


@bp.post("/municipalities/import")
@allow("municipalities.manage")
@carries(page="admin.municipalities_index")
def municipalities_preview() -> ResponseReturnValue:
    """The uploaded list read and compared with what is stored; nothing is changed yet."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _index_page(form, status=422)
    data = form.file.data.stream.read(MAX_LIST_BYTES + 1)
    if len(data) > MAX_LIST_BYTES:
        too_big = _(
            "ファイルが大きすぎます（%(kb)s KB まで。全国の約1,800団体の一覧は 100〜200 KB です）。",
            kb=MAX_LIST_BYTES // 1000,
        )
        return _index_page(form, errors={"file": [too_big]}, status=422)
    chosen = Choices(form.prefecture.data or "", bool(form.retire_missing.data))
    try:
        plan = _plan(data, chosen)
    except Invalid as exc:
        return _index_page(form, errors=exc.errors, status=422)
    except HubError as exc:  # a workbook refused as such (.xls, damaged, a zip bomb)
        return _index_page(form, errors={"file": [exc.message]}, status=exc.status)
    return _preview_page(plan, data, chosen)


KEPT_ON_TOO_LARGE = ("prefecture", "retire_missing")
"""What an upload over the app's limit keeps (``hub.web.post_only.handle_too_large``): the
administrator chooses only the file again, as after any other refusal."""
municipalities_preview.kept_on_too_large = KEPT_ON_TOO_LARGE  # type: ignore[attr-defined]


def _plan(data: bytes, chosen: Choices) -> ImportPlan:
    prefectures = (chosen.prefecture,) if chosen.prefecture else ()
    rows = municipalities.read_municipality_list(data, prefectures=prefectures)
    return municipalities.plan_import(rows, retire_missing=chosen.retire_missing)


def _preview_page(
    plan: ImportPlan, data: bytes, chosen: Choices, *, changed: bool = False
) -> ResponseReturnValue:
    confirm = ConfirmForm(
        formdata=None,
        data={
            "payload": base64.b64encode(data).decode("ascii"),
            "prefecture": chosen.prefecture,
            "retire_missing": "1" if chosen.retire_missing else "",
            "fingerprint": plan.fingerprint,
        },
    )
    page = render_template(
        "admin/municipalities_preview.html",
        plan=plan,
        kinds=ChangeKind,
        confirm=confirm,
        retire_missing=chosen.retire_missing,
        new_prefectures=[
            municipalities.prefecture_label(code) for code in municipalities.new_prefectures(plan)
        ],
        prefectures=[municipalities.prefecture_label(code) for code in plan.prefectures],
        changed=changed,
    )
    return page, 409 if changed else 200


@bp.post("/municipalities/import/confirm")
@allow("municipalities.manage")
def municipalities_import() -> ResponseReturnValue:
    form = ConfirmForm()
    chosen = Choices(
        form.prefecture.data if (form.prefecture.data or "") in PREFECTURE_CODES else "",
        form.retire_missing.data == "1",
    )
    try:
        data = base64.b64decode(form.payload.data or "", validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if not form.validate_on_submit() or not data:
        flash(_("取り込む内容が読み取れませんでした。ファイルをもう一度選んでください。"), "error")
        return redirect(url_for("admin.municipalities_index"))
    try:
        plan = _plan(data, chosen)
    except Invalid:
        flash(_("取り込む内容が読み取れませんでした。ファイルをもう一度選んでください。"), "error")
        return redirect(url_for("admin.municipalities_index"))
    if plan.fingerprint != form.fingerprint.data:
        if not plan.changes:  # applied already: a second click, another tab, a colleague
            flash(_outcome(plan), "info")
            return redirect(url_for("admin.municipalities_index"))
        return _preview_page(plan, data, chosen, changed=True)
    municipalities.apply_plan(plan, user=require_actor())
    db.session.commit()
    flash(_outcome(plan), "success")
    return redirect(url_for("admin.municipalities_index"))


def _outcome(plan: ImportPlan) -> str:
    if not plan.changes:
        return _("一覧と登録内容は同じでした。何も変更していません。")
    return _(
        "区市町村の一覧を取り込みました（追加 %(added)s、更新 %(updated)s、再開 %(reactivated)s、"
        "廃止 %(retired)s、変更なし %(unchanged)s）。",
        added=plan.count(ChangeKind.ADDED),
        updated=plan.count(ChangeKind.UPDATED),
        reactivated=plan.count(ChangeKind.REACTIVATED),
        retired=plan.count(ChangeKind.RETIRED),
        unchanged=plan.unchanged,
    )


class RetireForm(FlaskForm):
    on = StringField(
        _l("廃止日"),
        description=_l(
            "団体がなくなった日（合併なら新しい団体が始まる日）。2027-04-01、令和9年4月1日、"
            "R9.4.1 のどの形でも入力できます。この日より前の年度の集計には数え、この日より前に"
            "受け付けた相談や聞き取りには選べます。"
        ),
    )


@bp.route("/municipalities/<code>/retire", methods=["GET", "POST"])
@allow("municipalities.manage")
def municipality_retire(code: str) -> ResponseReturnValue:
    """Retire one municipality on a day, or change the day of one already retired: a page that
    says what retiring does, with the day (today unless typed)."""
    municipality = municipalities.get(code)
    form = RetireForm()
    if request.method == "GET":
        form.on.data = wareki(municipality.retired_on or tokyo.today())
        return _retire_page(municipality, form)
    try:
        day = parse_date(form.on.data or "")
    except InvalidValue as exc:
        return _retire_page(municipality, form, errors={"on": [str(exc)]}, status=422)
    if municipality.active:
        municipalities.set_active([municipality.code], active=False, user=require_actor(), on=day)
        message = _(
            "%(name)s（%(code)s）を%(day)s付けで廃止にしました。これまでの回答や記録は残り、"
            "新しい調査回とつなぎの対象から外れます。",
            name=place(municipality),
            code=municipality.code,
            day=wareki(day),
        )
    else:
        municipalities.set_retired_on([municipality.code], day, user=require_actor())
        message = _(
            "%(name)s（%(code)s）の廃止日を%(day)sにしました。",
            name=place(municipality),
            code=municipality.code,
            day=wareki(day),
        )
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.municipalities_index", q=municipality.code, status="all"))


def _retire_page(
    municipality: Municipality,
    form: RetireForm,
    *,
    errors: Mapping[str, list[str]] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return (
        render_template(
            "admin/municipality_retire.html",
            municipality=municipality,
            work=municipalities.open_work(municipality.code),
            form=form,
            errors=errors or {},
        ),
        status,
    )


@bp.post("/municipalities/<code>/reactivate")
@allow("municipalities.manage")
def municipality_reactivate(code: str) -> ResponseReturnValue:
    municipality = municipalities.get(code)
    municipalities.set_active([municipality.code], active=True, user=require_actor())
    db.session.commit()
    flash(
        _(
            "%(name)s（%(code)s）を再開しました。新しい調査回から回答を依頼します。",
            name=place(municipality),
            code=municipality.code,
        ),
        "success",
    )
    return redirect(url_for("admin.municipalities_index", q=municipality.code, status="all"))
