"""After an upload is refused the browser no longer holds the chosen file: every upload page
says so beside the file field (tied to it by aria-describedby) and in the error summary, linked
to the field, and keeps what else was chosen on the page (the 区市町村 import's prefecture and
「廃止にする」). The Excel answer, the desk's case import (both its forms), the municipality list
and a questionnaire definition."""

from __future__ import annotations

import io

from flask import Flask

from tests.conftest import make_round
from tests.web.conftest import Web, page

AGAIN = "選んだファイルは外れています。もう一度選んでください。"
NOT_A_WORKBOOK = b"this is no workbook at all"


def asks_again(response, field_id: str) -> None:
    """The page asks for the file again beside field ``field_id`` and links to it from the
    error summary."""
    assert response.status_code in (409, 413, 415, 422), response.status_code
    doc = page(response)
    links = doc.xpath(f"//*[@data-error-summary]//a[@href='#{field_id}']")
    assert any(AGAIN in " ".join(a.text_content().split()) for a in links), [
        a.text_content() for a in links
    ]
    [control] = doc.xpath(f"//input[@type='file'][@id='{field_id}']")
    [note] = control.getparent().xpath(".//*[@data-choose-again]")
    assert AGAIN in note.text_content()
    assert note.get("id") in (control.get("aria-describedby") or "").split()
    assert control.get("aria-invalid") == "true"


def test_the_excel_answer_refused_asks_for_the_file_again(app: Flask, web) -> None:
    with app.app_context():
        round_id = make_round().id
    clerk = web("respondent", municipality="131016")
    url = f"/rounds/{round_id}/responses/131016/template/upload"
    clerk.get(url)
    refused = clerk.post(
        url, {"file": (io.BytesIO(NOT_A_WORKBOOK), "回答.xlsx")}, content_type="multipart/form-data"
    )
    asks_again(refused, "file")
    # no file chosen at all: nothing was let go, the message says to choose one
    clerk.get(url)
    missing = clerk.post(url, {}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert not page(missing).xpath("//*[@data-choose-again]")


def test_the_case_import_refused_asks_for_the_file_again_on_both_its_forms(web) -> None:
    staff: Web = web("staff")
    url = "/consultations/import"
    staff.get(url)
    bad = "受付日,相談方法\n2020-13-40,電話\n".encode()
    refused = staff.post(
        url, {"file": (io.BytesIO(bad), "相談.csv")}, content_type="multipart/form-data"
    )
    asks_again(refused, "file")
    # the form that adds the left-out rows after all: its own file field, the rows kept
    staff.get(url)
    confirming = staff.post(
        url,
        {
            "repeat_digest": "0" * 64,
            "repeat_lines": "2,3",
            "file": (io.BytesIO(bad), "相談.csv"),
        },
        content_type="multipart/form-data",
    )
    asks_again(confirming, "repeat-file")
    assert page(confirming).xpath("//input[@name='repeat_lines']/@value") == ["2,3"]


def test_the_municipality_list_refused_asks_for_the_file_again_and_keeps_the_choices(
    web,
) -> None:
    admin = web("admin")
    admin.get("/admin/municipalities")
    refused = admin.post(
        "/admin/municipalities/import",
        {
            "file": (io.BytesIO("code,name\n999999,どこでもない市\n".encode()), "list.csv"),
            "prefecture": "13",
            "retire_missing": "y",
        },
        content_type="multipart/form-data",
    )
    asks_again(refused, "file")
    doc = page(refused)
    assert doc.xpath("//select[@name='prefecture']/option[@selected]/@value") == ["13"]
    assert doc.xpath("//input[@name='retire_missing']/@checked")


def test_a_questionnaire_definition_refused_asks_for_the_file_again(web) -> None:
    staff = web("staff")
    url = "/staff/questionnaires/upload"
    staff.get(url)
    refused = staff.post(
        url,
        {"file": (io.BytesIO(NOT_A_WORKBOOK), "調査票.xlsx")},
        content_type="multipart/form-data",
    )
    asks_again(refused, "file")
