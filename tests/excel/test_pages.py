"""The Excel pages in the browser: upload, preview of the changes, confirm; errors per cell."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from html import unescape

import pytest
from flask.testing import FlaskClient

from tests.conftest import Api, csrf_of
from tests.excel.conftest import (
    CHIYODA,
    CHUO,
    XLSX,
    answer_cell,
    answers_of,
    download,
    fill,
)

_TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="token"')


def upload_url(round_id: int, code: str) -> str:
    return f"/rounds/{round_id}/responses/{code}/template/upload"


def confirm_url(round_id: int, code: str) -> str:
    return f"/rounds/{round_id}/responses/{code}/template/confirm"


def send(browser: FlaskClient, round_id: int, code: str, data: bytes) -> tuple[int, str]:
    """Open the upload page, choose ``data`` as the file and press the button."""
    page = browser.get(upload_url(round_id, code))
    assert page.status_code == 200
    got = browser.post(
        upload_url(round_id, code),
        data={
            "csrf_token": csrf_of(page.get_data(as_text=True)),
            "file": (io.BytesIO(data), "回答.xlsx"),
        },
        content_type="multipart/form-data",
    )
    return got.status_code, unescape(got.get_data(as_text=True))


def token_of(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "no confirmation token on the preview page"
    return match.group(1) or match.group(2)


def press_confirm(browser: FlaskClient, round_id: int, code: str, html: str, token: str = ""):
    return browser.post(
        confirm_url(round_id, code),
        data={"csrf_token": csrf_of(html), "token": token or token_of(html)},
    )


@pytest.fixture
def chiyoda_browser(browser_as: Callable[..., FlaskClient]) -> FlaskClient:
    return browser_as("respondent", municipality=CHIYODA)


def test_preview_shows_changes_and_saves_only_after_confirming(
    round_id, chiyoda: Api, chiyoda_browser: FlaskClient
):
    assert chiyoda.save(round_id, CHIYODA, {"comments": "前からある下書き"}).status_code == 200
    page = chiyoda_browser.get(upload_url(round_id, CHIYODA))
    html = page.get_data(as_text=True)
    assert "Excelで回答" in html
    xlsx = chiyoda_browser.get(f"/rounds/{round_id}/responses/{CHIYODA}/template.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.mimetype == XLSX
    assert "attachment" in xlsx.headers["Content-Disposition"]

    filled = fill(
        bytes(xlsx.data),
        {"plan_status": "①策定済み", "plan_date": "令和元年５月１日", "comments": None},
    )
    status, preview = send(chiyoda_browser, round_id, CHIYODA, filled)
    assert status == 200, preview[:2000]
    assert "計画の策定状況" in preview
    assert "①策定済み" in preview
    assert "令和元年5月1日" in preview
    assert "前からある下書き" in preview
    assert "（未回答）" in preview
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {"comments": "前からある下書き"}

    done = press_confirm(chiyoda_browser, round_id, CHIYODA, preview)
    assert done.status_code == 302
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {
        "plan_status": "formulated",
        "plan_date": "2019-05-01",
    }
    revisions = chiyoda.get(f"/rounds/{round_id}/responses/{CHIYODA}/revisions").get_json()
    assert revisions[-1]["source"] == "excel"


def test_a_changed_token_saves_nothing(round_id, chiyoda: Api, chiyoda_browser: FlaskClient):
    filled = fill(download(chiyoda, round_id, CHIYODA), {"comments": "確認前"})
    status, preview = send(chiyoda_browser, round_id, CHIYODA, filled)
    assert status == 200
    token = token_of(preview)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    refused = press_confirm(chiyoda_browser, round_id, CHIYODA, preview, forged)
    assert refused.status_code == 400
    assert "もう一度ファイルをアップロード" in refused.get_data(as_text=True)
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {}


def test_a_token_is_bound_to_the_user_who_previewed(
    round_id, chiyoda: Api, chiyoda_browser: FlaskClient, browser_as
):
    filled = fill(download(chiyoda, round_id, CHIYODA), {"comments": "他人の確認画面"})
    _, preview = send(chiyoda_browser, round_id, CHIYODA, filled)
    colleague = browser_as("respondent", municipality=CHIYODA)
    page = colleague.get(upload_url(round_id, CHIYODA)).get_data(as_text=True)
    refused = colleague.post(
        confirm_url(round_id, CHIYODA),
        data={"csrf_token": csrf_of(page), "token": token_of(preview)},
    )
    assert refused.status_code == 400
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {}


def test_bad_cells_are_listed_in_japanese_and_the_draft_stays(
    round_id, chiyoda: Api, chiyoda_browser: FlaskClient
):
    chiyoda.save(round_id, CHIYODA, {"comments": "残るべき内容"})
    blank = download(chiyoda, round_id, CHIYODA)
    bad = fill(blank, {"plan_status": "策定したかも", "contact_phone": "03-5321"})
    status, html = send(chiyoda_browser, round_id, CHIYODA, bad)
    assert status == 422
    assert answer_cell(blank, "plan_status") in html
    assert answer_cell(blank, "contact_phone") in html
    assert "選択肢にない値です" in html
    assert "電話番号" in html
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {"comments": "残るべき内容"}


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024, 415, ".xls"),
        (b"just text, not a workbook", 415, ".xlsx"),
    ],
)
def test_hostile_file_on_the_page_is_refused_clearly(
    round_id, chiyoda_browser: FlaskClient, payload, status, words
):
    got_status, html = send(chiyoda_browser, round_id, CHIYODA, payload)
    assert got_status == status
    assert words in html
    assert chiyoda_browser.get(upload_url(round_id, CHIYODA)).status_code == 200


def test_25_megabytes_on_the_page_lead_back_to_the_form_with_the_limit(
    round_id, chiyoda_browser: FlaskClient
):
    page = chiyoda_browser.get(upload_url(round_id, CHIYODA)).get_data(as_text=True)
    boundary = "page-boundary-31c"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{csrf_of(page)}\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="big.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + os.urandom(25 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    got = chiyoda_browser.post(
        upload_url(round_id, CHIYODA),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert got.status_code == 303
    assert got.headers["Location"] == upload_url(round_id, CHIYODA)
    form = chiyoda_browser.get(got.headers["Location"])
    assert form.status_code == 200
    shown = form.get_data(as_text=True)
    assert "ファイルが大きすぎます（5 MB まで）。" in shown
    assert 'type="file"' in shown


def test_upload_without_csrf_token_is_refused(round_id, chiyoda: Api, chiyoda_browser):
    filled = fill(download(chiyoda, round_id, CHIYODA), {"comments": "CSRFなし"})
    got = chiyoda_browser.post(
        upload_url(round_id, CHIYODA),
        data={"file": (io.BytesIO(filled), "回答.xlsx")},
        content_type="multipart/form-data",
    )
    assert got.status_code == 400
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {}


def test_missing_file_is_a_form_error(round_id, chiyoda_browser: FlaskClient):
    page = chiyoda_browser.get(upload_url(round_id, CHIYODA)).get_data(as_text=True)
    got = chiyoda_browser.post(
        upload_url(round_id, CHIYODA),
        data={"csrf_token": csrf_of(page)},
        content_type="multipart/form-data",
    )
    assert got.status_code == 422
    assert "ファイルを選択してください" in got.get_data(as_text=True)


def test_save_between_preview_and_confirm_is_a_conflict(
    round_id, chiyoda: Api, chiyoda_browser: FlaskClient
):
    filled = fill(download(chiyoda, round_id, CHIYODA), {"comments": "Excelの内容"})
    _, preview = send(chiyoda_browser, round_id, CHIYODA, filled)
    assert chiyoda.save(round_id, CHIYODA, {"comments": "画面で先に保存"}).status_code == 200
    got = press_confirm(chiyoda_browser, round_id, CHIYODA, preview)
    assert got.status_code == 409
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"] == {"comments": "画面で先に保存"}


def test_stale_template_is_previewed_with_a_warning(
    round_id, chiyoda: Api, chiyoda_browser: FlaskClient
):
    filled = fill(download(chiyoda, round_id, CHIYODA), {"plan_status": "⑥現時点で策定予定なし"})
    chiyoda.save(round_id, CHIYODA, {"comments": "後から画面で"})
    status, preview = send(chiyoda_browser, round_id, CHIYODA, filled)
    assert status == 200
    assert "ダウンロードした後に" in preview
    assert "後から画面で" in preview


def test_unchanged_upload_says_so(round_id, chiyoda: Api, chiyoda_browser: FlaskClient):
    chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan"})
    status, html = send(chiyoda_browser, round_id, CHIYODA, download(chiyoda, round_id, CHIYODA))
    assert status == 200
    assert "現在の回答と同じ" in html
    assert 'name="token"' not in html


def test_staff_uploads_on_behalf(round_id, chiyoda: Api, staff: Api, browser_as):
    browser = browser_as("staff")
    filled = fill(
        download(staff, round_id, CHUO),
        {"plan_status": "②パブリックコメント手続中（終了している場合を含む）"},
    )
    status, preview = send(browser, round_id, CHUO, filled)
    assert status == 200
    assert "代理入力" in preview
    done = press_confirm(browser, round_id, CHUO, preview)
    assert done.status_code == 302
    body = answers_of(staff, round_id, CHUO)
    assert body["answers"] == {"plan_status": "public_comment"}
    assert body["updated_on_behalf"] is True
    shown = browser.get(done.headers["Location"]).get_data(as_text=True)
    assert "中央区のExcelの内容を代理入力として一時保存しました。" in shown  # for staff (item 6)


def test_the_clerk_reads_that_the_upload_is_not_submitted(
    round_id, chiyoda: Api, staff: Api, chiyoda_browser: FlaskClient
):
    filled = fill(download(chiyoda, round_id, CHIYODA), {"plan_status": "⑥現時点で策定予定なし"})
    status, preview = send(chiyoda_browser, round_id, CHIYODA, filled)
    assert status == 200, preview
    done = press_confirm(chiyoda_browser, round_id, CHIYODA, preview)
    shown = chiyoda_browser.get(done.headers["Location"]).get_data(as_text=True)
    assert "Excelの内容を一時保存しました。提出はまだ済んでいません。" in shown


def test_respondent_cannot_open_another_municipalitys_pages(round_id, chiyoda_browser):
    assert chiyoda_browser.get(upload_url(round_id, CHUO)).status_code == 403
    xlsx = chiyoda_browser.get(f"/rounds/{round_id}/responses/{CHUO}/template.xlsx")
    assert xlsx.status_code == 403


def test_signed_out_visitor_is_sent_to_login(round_id, client):
    got = client.get(upload_url(round_id, CHIYODA))
    assert got.status_code == 302
    assert "/login" in got.headers["Location"]


def test_another_municipalitys_file_on_the_page(round_id, staff: Api, chiyoda_browser):
    status, html = send(chiyoda_browser, round_id, CHIYODA, download(staff, round_id, CHUO))
    assert status == 422
    assert "別の自治体（中央区・131024）" in html
    assert 'id="cell-errors"' not in html


def mistaken_round_template(app, chiyoda: Api, **mistake) -> tuple[int, bytes]:
    """千代田区 downloads and fills the template of a round that staff then take back, and staff
    open the round that replaces it (the same questionnaire): the file and the new round's id."""
    from hub.db import db
    from hub.models import Round
    from hub.services import rounds
    from tests.conftest import make_round

    with app.app_context():
        mistaken = make_round(**mistake).id
    filled = fill(download(chiyoda, mistaken, CHIYODA), {"plan_status": "①策定済み"})
    with app.app_context():
        rounds.remove_round(db.session.get_one(Round, mistaken), user=None)
        db.session.commit()
        return make_round().id, filled


def test_a_template_of_a_round_taken_back_is_read_for_the_round_that_replaced_it(
    app, chiyoda: Api, chiyoda_browser: FlaskClient
):
    """Typed into the template of a round opened by mistake: nothing is typed again. The
    preview says which round the file was for and which it is read for, before anything is
    saved."""
    replacing, filled = mistaken_round_template(app, chiyoda)
    status, preview = send(chiyoda_browser, replacing, CHIYODA, filled)
    assert status == 200, preview[:2000]
    assert "取り消された調査回" in preview
    assert f"この調査回（調査回番号 {replacing}）の回答として読み込みました" in preview
    assert "基準日が変わっています" not in preview
    assert "①策定済み" in preview
    assert press_confirm(chiyoda_browser, replacing, CHIYODA, preview).status_code == 302
    assert answers_of(chiyoda, replacing, CHIYODA)["answers"]["plan_status"] == "formulated"


def test_the_api_reads_a_template_of_a_round_taken_back_and_says_so_in_its_notices(
    app, chiyoda: Api
):
    from tests.excel.conftest import post_file

    replacing, filled = mistaken_round_template(app, chiyoda)
    saved = post_file(chiyoda, replacing, CHIYODA, filled)
    assert saved.status_code == 200, saved.get_data(as_text=True)[:500]
    [notice] = saved.get_json()["notices"]
    assert "取り消された調査回" in notice
    assert answers_of(chiyoda, replacing, CHIYODA)["answers"]["plan_status"] == "formulated"


def test_a_template_of_a_round_taken_back_for_its_wrong_reference_date_says_so(
    app, chiyoda: Api, chiyoda_browser: FlaskClient
):
    from datetime import date

    replacing, filled = mistaken_round_template(app, chiyoda, reference_date=date(2020, 4, 1))
    status, preview = send(chiyoda_browser, replacing, CHIYODA, filled)
    assert status == 200, preview[:2000]
    assert "基準日が変わっています（令和2年4月1日 → 令和3年4月1日）" in preview


def test_a_template_of_a_round_taken_back_on_another_questionnaire_version_is_refused(
    app, chiyoda: Api, chiyoda_browser: FlaskClient
):
    from exports.template import META_SHEET
    from tests.excel.conftest import open_xlsx, save

    replacing, filled = mistaken_round_template(app, chiyoda)
    workbook = open_xlsx(filled)
    for key, value in workbook[META_SHEET].iter_rows(max_col=2):
        if key.value == "questionnaire_version":
            value.value = "99"
    status, page = send(chiyoda_browser, replacing, CHIYODA, save(workbook))
    assert status == 422
    assert "このファイルは別の調査回" in page
    assert "plan_status" not in answers_of(chiyoda, replacing, CHIYODA)["answers"]
