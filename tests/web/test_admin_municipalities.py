"""The administrator's 区市町村 page: the list, a prefecture's CSV previewed then imported, and
one municipality retired and brought back; refusals say what is wrong and change nothing."""

from __future__ import annotations

import codecs
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from forms import tokyo
from forms.normalize import to_wareki
from hub.db import db
from hub.models import AuditEvent, Municipality
from tests.conftest import HubRunner, make_user
from tests.test_reference import HEADER, OSAKA, assert_one_line_error
from tests.web.conftest import Web, page, text_of

CHIYODA = "131016"


def csv_of(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def upload(admin: Web, data: bytes, *, retire_missing: bool = False):
    admin.get("/admin/municipalities")
    form = {"file": (io.BytesIO(data), "municipalities.csv")}
    if retire_missing:
        form["retire_missing"] = "y"
    return admin.post("/admin/municipalities/import", form, content_type="multipart/form-data")


def confirm(admin: Web, preview) -> object:
    """Press 「この内容で取り込む」 on the preview, posting its form as the browser would."""
    doc = page(preview)
    fields = {
        name: doc.xpath(
            f"//form[@action='/admin/municipalities/import/confirm']//input[@name='{name}']/@value"
        )
        for name in ("csrf_token", "payload", "prefecture", "retire_missing", "fingerprint")
    }
    data = {name: values[0] if values else "" for name, values in fields.items()}
    return admin.post("/admin/municipalities/import/confirm", data, csrf=False)


def active(code: str) -> bool:
    municipality = db.session.get(Municipality, code)
    assert municipality is not None
    return municipality.active


def test_the_list_pages_and_searches(app: Flask, web) -> None:
    admin = web("admin")
    listed = admin.get("/admin/municipalities")
    assert listed.status_code == 200
    rows = page(listed).xpath("//tr[@data-municipality]/@data-municipality")
    assert len(rows) == 50
    assert rows[0] == CHIYODA
    assert "62件中 1〜50件目" in text_of(listed)
    second = page(admin.get("/admin/municipalities?page=2")).xpath("//tr/@data-municipality")
    assert len(second) == 12
    found = page(admin.get("/admin/municipalities?q=ちよだ")).xpath("//tr/@data-municipality")
    assert found == [CHIYODA]
    nothing = admin.get("/admin/municipalities?status=retired")
    assert "該当する区市町村はありません" in text_of(nothing)


def test_preview_then_import_retires_what_the_file_leaves_out(app: Flask, web) -> None:
    admin = web("admin")
    confirm(admin, upload(admin, csv_of(HEADER, *OSAKA)))
    merged = csv_of(HEADER, *OSAKA[:3], "272051,吹田市,すいたし,Suita City,市部,市")
    preview = upload(admin, merged, retire_missing=True)
    assert preview.status_code == 200
    doc = page(preview)
    assert doc.xpath("//section[@data-changes='retired']//tr/@data-change") == ["272043"]
    updated = doc.xpath("//section[@data-changes='updated']//tr[@data-change='272051']")[0]
    assert "name_en: Suita → Suita City" in updated.text_content()
    assert "変更なし: 3団体" in text_of(preview)
    with app.app_context():
        assert active("272043"), "a preview changes nothing"
    done = confirm(admin, preview)
    assert done.status_code == 302
    after = admin.get(done.headers["Location"])
    assert "更新 1、再開 0、廃止 1、変更なし 3" in text_of(after)
    with app.app_context():
        assert not active("272043")
        assert active(CHIYODA)
        assert db.session.get(Municipality, "272051").name_en == "Suita City"  # type: ignore[union-attr]
        event = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "municipality.import")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None
        assert event.details["retired_codes"] == ["272043"]
        assert event.user_id is not None


def test_a_preview_made_stale_is_shown_again_not_applied(app: Flask, web) -> None:
    admin = web("admin")
    preview = upload(admin, csv_of(HEADER, *OSAKA))
    with app.app_context(), db.unit_of_work():
        db.session.add(
            Municipality(code="271004", prefecture_code="27", name="大阪市", region="政令市")
        )
    again = confirm(admin, preview)
    assert again.status_code == 409
    assert page(again).xpath("//*[@data-plan-changed]")
    assert page(again).xpath("//section[@data-changes='added']//tr/@data-change") == [
        "271403", "272035", "272043", "272051",
    ]  # fmt: skip
    with app.app_context():
        assert db.session.get(Municipality, "271403") is None


def test_bad_files_are_named_by_line_and_change_nothing(app: Flask, web) -> None:
    admin = web("admin")
    bad = upload(admin, csv_of(HEADER, OSAKA[0], "271005,大阪市,,,政令市,"))
    assert bad.status_code == 422
    text = text_of(bad)
    assert "3行目" in text
    assert "検査数字" in text
    assert "何も変更していません" in text
    assert page(bad).xpath("//*[@data-error-summary]")
    missing = admin.post("/admin/municipalities/import", {}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "ファイルを選択してください" in text_of(missing)
    binary = upload(admin, b"\x81\xff\xfe\x41" * 20)  # no NUL: a file with one is no text
    assert binary.status_code == 422
    assert "文字コード" in text_of(binary)
    forged = admin.post(
        "/admin/municipalities/import/confirm",
        {"payload": "not base64!", "fingerprint": "x", "retire_missing": ""},
    )
    assert forged.status_code == 302
    assert "読み取れませんでした" in text_of(admin.get(forged.headers["Location"]))
    with app.app_context():
        assert db.session.get(Municipality, "271004") is None


def test_an_old_excel_file_is_refused_on_the_page_with_the_form(app: Flask, web) -> None:
    """An .xls (Excel 97-2003) was answered by a bare error page: the form, the prefecture chosen
    and the way back were gone. The refusal is said at the file field, the page kept."""
    admin = web("admin")
    old_excel = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
    admin.get("/admin/municipalities")
    refused = admin.post(
        "/admin/municipalities/import",
        {"file": (io.BytesIO(old_excel), "list.xls"), "prefecture": "27", "retire_missing": "y"},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 415
    shown = page(refused)
    assert "Excel 97-2003 形式（.xls）" in text_of(refused)
    assert "何も変更していません" in text_of(refused)
    assert shown.xpath("//select[@name='prefecture']/option[@selected]/@value") == ["27"]
    assert shown.xpath("//input[@name='retire_missing']/@checked")


def test_a_preview_confirmed_twice_says_the_list_is_in_not_that_it_changed(app: Flask, web) -> None:
    """The second press of 「この内容で取り込む」 (a double click, another tab) said the stored list
    had changed since the preview and showed a preview with nothing to import; it says that
    the list and what is stored are the same."""
    admin = web("admin")
    preview = upload(admin, csv_of(HEADER, *OSAKA))
    assert confirm(admin, preview).status_code == 302
    again = confirm(admin, preview)
    assert again.status_code == 302
    shown = text_of(admin.get(again.headers["Location"]))
    assert "一覧と登録内容は同じでした。何も変更していません。" in shown
    assert "登録内容が変わったため" not in shown
    with app.app_context():
        imports = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "municipality.import")
        ).all()
        assert len(imports) == 1


def test_shift_jis_file_is_read(app: Flask, web) -> None:
    admin = web("admin")
    preview = upload(admin, csv_of(HEADER, *OSAKA, encoding="cp932"))
    assert "豊中市" in text_of(preview)
    assert confirm(admin, preview).status_code == 302
    with app.app_context():
        assert db.session.get(Municipality, "272035") is not None


def test_a_list_with_japanese_headers_and_five_digit_codes_is_previewed_with_six(
    app: Flask, web
) -> None:
    """団体コード,団体名,… in Shift_JIS, the codes without their check digit (27100): the preview
    shows the codes as the hub keeps them (271004), and importing it adds them."""
    admin = web("admin")
    five = [line[:5] + line[6:] for line in OSAKA]
    data = csv_of("団体コード,団体名,ふりがな,英語名,地域,種別", *five, encoding="cp932")
    preview = upload(admin, data)
    assert preview.status_code == 200, text_of(preview)
    assert page(preview).xpath("//section[@data-changes='added']//tr/@data-change") == [
        "271004", "271403", "272035", "272043", "272051",
    ]  # fmt: skip
    assert "271004" in text_of(preview)
    assert confirm(admin, preview).status_code == 302
    with app.app_context():
        sakai = db.session.get(Municipality, "271403")
        assert sakai is not None
        assert (sakai.name, sakai.kana, sakai.name_en) == ("堺市", "さかいし", "Sakai")


def retire(admin: Web, code: str, day: str | None = None):
    """Open 「廃止にする」 and press its button, with the day the page offers or ``day`` typed."""
    opened = admin.get(f"/admin/municipalities/{code}/retire")
    if opened.status_code != 200:
        return opened
    offered = page(opened).xpath("//input[@name='on']/@value")
    return admin.post(f"/admin/municipalities/{code}/retire", {"on": day or offered[0]})


def test_retire_and_reactivate_one(app: Flask, web) -> None:
    admin = web("admin")
    listed = admin.get("/admin/municipalities")
    link = page(listed).xpath(
        f"//tr[@data-municipality='{CHIYODA}']//a[contains(., '廃止にする')]/@href"
    )
    assert link == [f"/admin/municipalities/{CHIYODA}/retire"]
    opened = admin.get(link[0])
    assert "千代田区を廃止にする" in text_of(opened)
    assert "これまでの回答・記録・アカウントはそのまま残ります" in text_of(opened)
    offered = page(opened).xpath("//input[@name='on']/@value")
    assert offered == [to_wareki(tokyo.today())], "today, as people write it"
    with app.app_context():
        assert active(CHIYODA), "opening the page changes nothing"
    retired = retire(admin, CHIYODA)
    assert retired.status_code == 302
    shown = admin.get(retired.headers["Location"])
    assert f"千代田区（131016）を{to_wareki(tokyo.today())}付けで廃止にしました" in text_of(shown)
    assert page(shown).xpath(f"//tr[@data-municipality='{CHIYODA}']//*[contains(@class,'tag')]")
    day = page(shown).xpath(f"//tr[@data-municipality='{CHIYODA}']//*[@data-retired-on]")
    assert day[0].text_content().startswith("令和")
    with app.app_context():
        assert not active(CHIYODA)
    assert admin.post(f"/admin/municipalities/{CHIYODA}/reactivate").status_code == 302
    with app.app_context():
        assert active(CHIYODA)
    assert admin.get("/admin/municipalities/999999/retire").status_code == 404
    assert (
        admin.post("/admin/municipalities/999999/retire", {"on": "2027-04-01"}).status_code == 404
    )
    refused = admin.post(
        f"/admin/municipalities/{CHIYODA}/retire", {"on": "2027-04-01"}, csrf=False
    )
    assert refused.status_code == 400
    with app.app_context():
        assert active(CHIYODA)


def test_retire_on_a_day_typed_as_people_type_it_and_change_it_later(app: Flask, web) -> None:
    admin = web("admin")
    done = retire(admin, CHIYODA, "Ｒ９．４．１")
    assert done.status_code == 302
    assert "令和9年4月1日付けで廃止にしました" in text_of(admin.get(done.headers["Location"]))
    with app.app_context():
        assert db.session.get(Municipality, CHIYODA).retired_on == date(2027, 4, 1)
    opened = admin.get(f"/admin/municipalities/{CHIYODA}/retire")
    assert "千代田区の廃止日を直す" in text_of(opened)
    assert page(opened).xpath("//input[@name='on']/@value") == ["令和9年4月1日"]
    moved = retire(admin, CHIYODA, "2027-10-01")
    assert "千代田区（131016）の廃止日を令和9年10月1日にしました" in text_of(
        admin.get(moved.headers["Location"])
    )
    with app.app_context():
        chiyoda = db.session.get(Municipality, CHIYODA)
        assert (chiyoda.active, chiyoda.retired_on) == (False, date(2027, 10, 1))
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.action, e.details) for e in events[-2:]] == [
            ("municipality.retire", {"retired_on": "2027-04-01"}),
            ("municipality.redate", {"retired_on": "2027-10-01", "was": "2027-04-01"}),
        ]


def test_a_day_that_is_no_day_is_refused_and_kept_in_its_field(app: Flask, web) -> None:
    admin = web("admin")
    for typed in ("4月31日", "", "=1+1"):
        refused = (
            retire(admin, CHIYODA, typed)
            if typed
            else admin.post(f"/admin/municipalities/{CHIYODA}/retire", {"on": ""})
        )
        assert refused.status_code == 422, typed
        doc = page(refused)
        assert doc.xpath("//input[@name='on']/@value") == [typed]
        assert doc.xpath("//*[@data-error-summary]//a[@href='#on']"), typed
        assert doc.xpath("//input[@name='on']/@aria-invalid") == ["true"]
    with app.app_context():
        assert active(CHIYODA)
        assert not db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("municipality.%"))
        ).all()


def test_an_account_bound_to_a_retired_municipality_keeps_it_on_its_page(app: Flask, web) -> None:
    with app.app_context():
        user_id = make_user(role="respondent", municipality=CHIYODA).id
    admin = web("admin")
    retire(admin, CHIYODA)
    doc = page(admin.get(f"/admin/users/{user_id}"))
    selected = doc.xpath("//select[@name='municipality']/option[@selected]")
    assert [o.get("value") for o in selected] == [CHIYODA]
    assert selected[0].text_content() == f"{CHIYODA} 千代田区（{to_wareki(tokyo.today())}廃止）"


def test_a_municipality_retired_on_a_day_to_come_is_listed_and_offered_until_then(
    app: Flask, web
) -> None:
    """A merger decided for next April: until its day the municipality exists — listed under 有効
    as 廃止予定 with its day, with 「再開する」 and 「廃止日を直す」, and still a choice for a new
    account; from its day it is 廃止."""
    admin = web("admin")
    ahead = tokyo.today() + timedelta(days=120)
    assert retire(admin, CHIYODA, to_wareki(ahead)).status_code == 302
    row = page(admin.get(f"/admin/municipalities?q={CHIYODA}")).xpath(
        f"//tr[@data-municipality='{CHIYODA}']"
    )[0]
    assert "廃止予定" in row.text_content()
    assert row.xpath(".//*[@data-retired-on]/text()") == [to_wareki(ahead)]
    assert [
        b.text_content() for b in row.xpath(".//button | .//a[contains(@class, 'button')]")
    ] == [
        "再開する（千代田区）",
        "廃止日を直す（千代田区）",
    ]
    assert not page(admin.get(f"/admin/municipalities?q={CHIYODA}&status=retired")).xpath(
        "//tr[@data-municipality]"
    )
    options = page(admin.get("/admin/users/new")).xpath("//select[@name='municipality']/option")
    assert f"{CHIYODA} 千代田区（{to_wareki(ahead)}廃止）" in [o.text_content() for o in options]

    assert retire(admin, CHIYODA, to_wareki(tokyo.today())).status_code == 302  # the day moved
    gone = page(admin.get(f"/admin/municipalities?q={CHIYODA}&status=retired"))
    assert gone.xpath(f"//tr[@data-municipality='{CHIYODA}']//*[contains(@class, 'tag--overdue')]")
    options = page(admin.get("/admin/users/new")).xpath(
        "//select[@name='municipality']/option/@value"
    )
    assert CHIYODA not in options


def test_only_the_administrator_reaches_the_page(app: Flask, web) -> None:
    others = [
        web("staff"),
        web("respondent", municipality=CHIYODA),
        web("counterpart", recipient="moj"),
        web("window", municipality=CHIYODA),
    ]
    for other in others:
        assert other.get("/admin/municipalities").status_code == 403, other.user
        other.get("/")
        assert other.get(f"/admin/municipalities/{CHIYODA}/retire").status_code == 403
        retiring = other.post(f"/admin/municipalities/{CHIYODA}/retire", {"on": "2027-04-01"})
        assert retiring.status_code == 403
    with app.app_context():
        assert active(CHIYODA)


def test_the_case_list_names_a_retired_residence(app: Flask, web) -> None:
    from hub.services import municipalities
    from hub.services.consultations import record_case

    with app.app_context():
        record_case(
            {"received_on": "2021-06-11", "channel": "phone", "age_group": "30s", "caller": "self",
             "crime_related": False, "municipality": CHIYODA},
            user=None,
        )  # fmt: skip
        municipalities.set_active([CHIYODA], active=False, user=None)
        db.session.commit()
    listed = web("staff").get("/consultations?fiscal_year=2021")
    assert "千代田区" in text_of(listed)


def test_a_file_too_big_for_a_list_is_refused_by_its_size(app: Flask, web) -> None:
    from hub.admin.municipalities import MAX_LIST_BYTES

    admin = web("admin")
    padded = csv_of(HEADER, *OSAKA, *["#" * 99] * (MAX_LIST_BYTES // 100))
    answer = upload(admin, padded)
    assert answer.status_code == 422
    assert "ファイルが大きすぎます（360 KB まで" in text_of(answer)


def test_a_national_list_goes_through_preview_and_import(app: Flask, web) -> None:
    from bench.national import made_up_csv

    admin = web("admin")
    preview = upload(admin, made_up_csv(1741), retire_missing=True)
    assert preview.status_code == 200
    added = len(page(preview).xpath("//section[@data-changes='added']//tr[@data-change]"))
    assert added == 1741 - 62
    assert confirm(admin, preview).status_code == 302
    with app.app_context():
        assert db.session.query(Municipality).filter(Municipality.active.is_(True)).count() == 1741


def test_the_page_and_its_refusals_read_in_english(app, web) -> None:
    admin = web("admin")
    admin.get("/language/en")
    listed = text_of(admin.get("/admin/municipalities"))
    assert "Find a municipality" in listed
    assert "Import a list" in listed
    bad = upload(admin, csv_of(HEADER, OSAKA[0], "271005,大阪市,,,政令市,"))
    text = text_of(bad)
    assert "row 3: code 271005 has a wrong check digit (it should be 271004)" in text
    assert "Nothing has been changed." in text


def test_an_excel_list_is_previewed_and_imported(app: Flask, web) -> None:
    from tests.test_municipalities import xlsx_of

    admin = web("admin")
    rows = [["code", "name", "kana", "name_en", "region", "type"],
            [11002, "札幌市", "さっぽろし", "Sapporo", "政令市", "政令指定都市"]]  # fmt: skip
    preview = upload(admin, xlsx_of(rows))
    assert preview.status_code == 200, text_of(preview)
    assert page(preview).xpath("//section[@data-changes='added']//tr/@data-change") == ["011002"]
    assert confirm(admin, preview).status_code == 302
    with app.app_context():
        assert db.session.get(Municipality, "011002") is not None


def test_each_problem_of_a_refused_list_is_said_once(app: Flask, web) -> None:
    admin = web("admin")
    bad = upload(admin, csv_of(HEADER, "271005,大阪市,,,政令市,", "271404,堺市,,,政令市,"))
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert html.count("2行目: code 271005 の検査数字が正しくありません") == 1
    assert html.count("3行目: code 271404 の検査数字が正しくありません") == 1
    summary = page(bad).xpath("//*[@data-error-summary]")[0].text_content()
    assert "2件の問題があります" in summary


def test_the_admin_page_previews_the_soumu_file_as_downloaded(app: Flask, web) -> None:
    from tests.test_code_list import tokyo_rows, xlsx

    admin: Web = web("admin")
    shown = page(admin.get("/admin/municipalities"))
    assert "総務省" in shown.text_content()
    rows = [r if r[0] != "131016" else (*r[:2], "ちよだ区", *r[3:]) for r in tokyo_rows()]
    preview = admin.post(
        "/admin/municipalities/import",
        {"file": (io.BytesIO(xlsx(rows)), "000925835.xlsx")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200, text_of(preview)
    updated = page(preview).xpath("//section[@data-changes='updated']//tr[@data-change]")
    assert len(updated) == 1
    assert "千代田区 → ちよだ区" in " ".join(updated[0].text_content().split())


def test_a_national_file_warns_of_new_prefectures_and_one_can_be_chosen(app: Flask, web) -> None:
    from tests.test_code_list import OSAKA_ROWS, tokyo_rows, xlsx

    admin: Web = web("admin")
    admin.get("/admin/municipalities")
    data = xlsx([*tokyo_rows(), *OSAKA_ROWS[:2]])

    def preview(prefecture: str):
        form = {"file": (io.BytesIO(data), "code_all.xlsx"), "prefecture": prefecture}
        return admin.post("/admin/municipalities/import", form, content_type="multipart/form-data")

    everything = preview("")
    assert "まだ登録していない都道府県（大阪府）" in text_of(everything)
    tokyo = preview("13")
    assert not page(tokyo).xpath("//*[@data-new-prefectures]")
    assert "一覧と登録内容は同じです" in text_of(tokyo)
    osaka = preview("27")
    assert page(osaka).xpath("//section[@data-changes='added']//tr/@data-change") == ["272035"]
    assert confirm(admin, osaka).status_code == 302
    with app.app_context():
        assert db.session.get(Municipality, "272035") is not None
    forged = preview("99")
    assert forged.status_code == 422

    admin.get("/language/en")
    options = page(admin.get("/admin/municipalities")).xpath("//select[@name='prefecture']/option")
    assert [(o.get("value"), o.text_content()) for o in options[12:15]] == [
        ("12", "Chiba"),
        ("13", "Tokyo"),
        ("14", "Kanagawa"),
    ]
    in_english = text_of(preview(""))
    assert "Osaka" in in_english
    assert "大阪府" not in in_english


def test_an_upload_over_the_apps_limit_comes_back_with_the_prefecture_and_options(
    app: Flask, web
) -> None:
    """A file over 5 MB came back to the page with the limit said, but 「取り込む都道府県」 and
    「ファイルにない団体を廃止にする」 were reset (other refusals keep them): chosen again, as the
    browser sends them after the file."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    admin = web("admin")
    admin.get("/admin/municipalities")
    big = FileStorage(
        io.BytesIO(b"code,name\n" * (app.config["MAX_CONTENT_LENGTH"] // 10 + 100)),
        filename="national.csv",
        name="file",
    )
    boundary, body = encode_multipart(
        {"csrf_token": admin.csrf(), "file": big, "prefecture": "27", "retire_missing": "y"}
    )
    answer = admin.client.post(
        "/admin/municipalities/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/admin/municipalities?")
    shown = admin.get(answer.headers["Location"])
    assert "ファイルが大きすぎます（5 MB まで）。" in text_of(shown)
    doc = page(shown)
    assert doc.xpath("//select[@name='prefecture']/option[@selected]/@value") == ["27"]
    assert doc.xpath("//input[@name='retire_missing']/@checked")


def test_a_refused_lists_errors_speak_of_the_file_as_written(app: Flask, web) -> None:
    """Its columns by its own header, an unclosed 「"」 where it opens (it was 「2行目: 地域 が空
    です」), a list separated by semicolons read as it is."""
    admin = web("admin")
    headed = csv_of("団体コード,団体名,ふりがな,英語名,地域,種別", "271004,大阪市,,,,政令指定都市")
    assert "2行目: 地域 が空です" in text_of(upload(admin, headed))
    quoted = csv_of(
        "団体コード,団体名,ふりがな,英語名,地域,種別", '271004,"大阪市,,,政令市,', OSAKA[1]
    )
    refused = text_of(upload(admin, quoted))
    assert (
        '2行目の「"」が閉じられていないため、そこからファイルの終わりまでを1つの値として読みました'
        in refused
    )
    assert "地域 が空です" not in refused
    preview = upload(admin, csv_of(*[line.replace(",", ";") for line in [HEADER, *OSAKA]]))
    assert preview.status_code == 200
    assert "大阪市" in text_of(preview)
    assert "吹田市" in text_of(preview)


def tab_text(*lines: str, encoding: str) -> bytes:
    """Comma-separated ``lines`` as Excel saves them as text: tab-separated, CRLF; 「テキスト
    （タブ区切り）」 in Shift_JIS, 「Unicode テキスト」 in UTF-16 LE with its BOM."""
    text = "".join(line.replace(",", "\t") + "\r\n" for line in lines)
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding)


def upload_named(admin: Web, data: bytes, name: str):
    admin.get("/admin/municipalities")
    form = {"file": (io.BytesIO(data), name, "text/plain")}
    return admin.post("/admin/municipalities/import", form, content_type="multipart/form-data")


PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 256 >>\nstream\n"
    + bytes(range(256))
    + b"\nendstream\nendobj\n%%EOF\n"
)
"""A PDF renamed .txt: binary, as its streams are."""


@pytest.mark.parametrize("encoding", ["cp932", "utf-16"], ids=["shift_jis", "unicode"])
def test_the_page_offers_and_reads_a_tab_separated_text_file(
    app: Flask, web, encoding: str
) -> None:
    admin = web("admin")
    index = admin.get("/admin/municipalities")
    assert ".txt" in page(index).xpath("//input[@type='file']/@accept")[0].split(",")
    assert "タブ区切りのテキスト" in text_of(index)
    preview = upload_named(admin, tab_text(HEADER, *OSAKA, encoding=encoding), "一覧.txt")
    assert preview.status_code == 200, text_of(preview)
    assert page(preview).xpath("//section[@data-changes='added']//tr/@data-change") == [
        "271004",
        "271403",
        "272035",
        "272043",
        "272051",
    ]
    assert confirm(admin, preview).status_code == 302
    with app.app_context():
        toyonaka = db.session.get(Municipality, "272035")
        assert toyonaka is not None
        assert (toyonaka.name, toyonaka.kana) == ("豊中市", "とよなかし")


@pytest.mark.parametrize("encoding", ["cp932", "utf-16"], ids=["shift_jis", "unicode"])
def test_the_command_reads_a_tab_separated_text_file(
    app: Flask, runner: HubRunner, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "一覧.txt"
    path.write_bytes(tab_text(HEADER, *OSAKA, encoding=encoding))
    done = runner("municipalities", "import", str(path))
    assert done.exit_code == 0, done.stderr
    assert done.output.strip() == "追加 5、更新 0、変更なし 0"
    with app.app_context():
        sakai = db.session.get(Municipality, "271403")
        assert sakai is not None
        assert (sakai.name, sakai.name_en) == ("堺市", "Sakai")


def test_a_binary_file_named_txt_is_refused_saying_how_to_save_the_list(
    app: Flask, web, runner: HubRunner, tmp_path: Path
) -> None:
    admin = web("admin")
    refused = upload_named(admin, PDF, "一覧.txt")
    assert refused.status_code == 422
    assert "CSV やテキストのファイルとして読めません" in text_of(refused)
    assert "「テキスト（タブ区切り）」" in text_of(refused)
    old_excel = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
    refused = upload_named(admin, old_excel, "一覧.txt")
    assert refused.status_code == 415
    assert "Excel 97-2003 形式（.xls）" in text_of(refused)

    path = tmp_path / "一覧.txt"
    path.write_bytes(PDF)
    err = assert_one_line_error(runner("municipalities", "import", str(path)))
    assert "CSV やテキストのファイルとして読めません" in err
    with app.app_context():
        assert db.session.get(Municipality, "271004") is None


def test_the_english_page_says_a_text_file_works_and_why_one_is_refused(app: Flask, web) -> None:
    admin = web("admin")
    admin.get("/language/en")
    assert "tab-separated text" in text_of(admin.get("/admin/municipalities"))
    refused = upload_named(admin, PDF, "list.txt")
    assert refused.status_code == 422
    assert "cannot be read as CSV or text" in text_of(refused)
