"""A case typed wrong is corrected, and one entered by mistake removed, on its own page: the form
shows what the case holds, a correction or removal is audited, and one made meanwhile by someone
else is never silently overwritten."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from sqlalchemy import select

from hub.db import db
from hub.models import AuditEvent, Consultation
from hub.services.consultations import record_case
from tests.conftest import csrf_of

Browser = Callable[..., FlaskClient]
CHIYODA = "131016"
TYPED = {
    "received_on": "令和２年６月１日",
    "channel": "phone",
    "age_group": "30s",
    "caller": "family",
    "crime_related": "y",
    "crime_type": "shoplifting",
    "referred_to": ["community_support_center"],
    "municipality": CHIYODA,
}


def a_case(app: Flask) -> int:
    with app.app_context():
        case = record_case({**TYPED, "crime_related": True}, user=None)
        db.session.commit()
        return case.id


def shown_form(client: FlaskClient, url: str) -> tuple[dict[str, object], str]:
    """What the correction page's form would send as it stands, and its CSRF token."""
    return shown_form_of(client.get(url).get_data(as_text=True))


def test_a_case_typed_wrong_is_corrected_and_audited(app: Flask, browser: Browser) -> None:
    case_id = a_case(app)
    staff = browser("staff")
    listed = staff.get("/consultations?fiscal_year=2020").get_data(as_text=True)
    assert f'href="/consultations/{case_id}"' in listed
    url = f"/consultations/{case_id}"
    values, _token = shown_form(staff, url)
    assert values["received_on"] == "令和2年6月1日"
    assert (values["age_group"], values["municipality"]) == ("30s", CHIYODA)
    assert values["referred_to"] == ["community_support_center"]
    done = staff.post(url, data={**values, "age_group": "40s"})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/consultations?fiscal_year=2020")
    with app.app_context():
        case = db.session.get_one(Consultation, case_id)
        assert (case.age_group, case.received_on.isoformat()) == ("40s", "2020-06-01")
        assert case.referred_to == ["community_support_center"]
        (details,) = db.session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "consultation.correct")
        )
        assert details["fields"] == ["age_group"]


def test_a_wrong_correction_keeps_what_was_typed_and_changes_nothing(
    app: Flask, browser: Browser
) -> None:
    case_id = a_case(app)
    staff = browser("staff")
    url = f"/consultations/{case_id}"
    values, _token = shown_form(staff, url)
    refused = staff.post(
        url, data={**values, "received_on": "令和２年１３月１日", "caller": "self"}
    )
    assert refused.status_code == 422
    again, _token = shown_form_of(refused.get_data(as_text=True))
    assert (again["received_on"], again["caller"]) == ("令和２年１３月１日", "self")
    with app.app_context():
        assert db.session.get_one(Consultation, case_id).caller == "family"


def shown_form_of(text: str) -> tuple[dict[str, object], str]:
    doc = html.fromstring(text)
    (form,) = doc.xpath("//form[.//input[@name='seen'] and not(contains(@action, 'remove'))]")
    values: dict[str, object] = {"referred_to": []}
    for name, value in form.form_values():
        if name == "referred_to":
            values[name].append(value)  # type: ignore[union-attr]
        else:
            values[name] = value
    return values, csrf_of(text)


def test_a_correction_made_meanwhile_is_not_overwritten(app: Flask, browser: Browser) -> None:
    """Two desk workers open the same case; the first corrects the age group, the second (whose
    page still shows the old one) the caller: the second is refused with what was typed kept."""
    case_id = a_case(app)
    first, second = browser("staff"), browser("staff")
    url = f"/consultations/{case_id}"
    first_values, _ = shown_form(first, url)
    second_values, _ = shown_form(second, url)
    assert first.post(url, data={**first_values, "age_group": "40s"}).status_code == 302
    late = second.post(url, data={**second_values, "caller": "self"})
    assert late.status_code == 409
    assert "別の人が修正しました" in late.get_data(as_text=True)
    kept, _ = shown_form_of(late.get_data(as_text=True))
    assert kept["caller"] == "self"
    removed = second.post(
        f"{url}/remove",
        data={"seen": second_values["seen"], "csrf_token": second_values["csrf_token"]},
    )
    assert removed.status_code == 302, "refused, back to the case"
    with app.app_context():
        case = db.session.get_one(Consultation, case_id)
        assert (case.age_group, case.caller) == ("40s", "family")


def test_a_case_entered_twice_is_removed_and_the_audit_log_keeps_it(
    app: Flask, browser: Browser
) -> None:
    case_id = a_case(app)
    staff = browser("staff")
    url = f"/consultations/{case_id}"
    values, _ = shown_form(staff, url)
    done = staff.post(
        f"{url}/remove", data={"seen": values["seen"], "csrf_token": values["csrf_token"]}
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/consultations?fiscal_year=2020")
    assert staff.get(url).status_code == 404
    with app.app_context():
        assert db.session.get(Consultation, case_id) is None
        (details,) = db.session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "consultation.remove")
        )
        assert details["case"]["age_group"] == "30s"
        assert details["fiscal_year"] == 2020


def test_only_staff_correct_or_remove_cases(app: Flask, browser: Browser) -> None:
    case_id = a_case(app)
    clerk = browser("respondent", municipality=CHIYODA)
    assert clerk.get(f"/consultations/{case_id}").status_code == 403
    token = csrf_of(clerk.get("/respond/").get_data(as_text=True))
    refused = clerk.post(f"/consultations/{case_id}/remove", data={"csrf_token": token})
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.get(Consultation, case_id) is not None


def test_a_case_removed_twice_leads_back_to_the_list_saying_so(
    app: Flask, browser: Browser
) -> None:
    case_id = a_case(app)
    staff = browser("staff")
    url = f"/consultations/{case_id}"
    values, _ = shown_form(staff, url)
    data = {"seen": values["seen"], "csrf_token": values["csrf_token"]}
    assert staff.post(f"{url}/remove", data=data).status_code == 302
    again = staff.post(f"{url}/remove", data=data)  # a double click, or a colleague first
    assert again.status_code == 302, "not a 404 page"
    assert again.headers["Location"].endswith("/consultations")
    page = staff.get(again.headers["Location"]).get_data(as_text=True)
    assert "この相談記録は、すでに削除されています。" in page


def test_a_correction_of_a_case_removed_meanwhile_gives_the_typing_back_as_a_new_case(
    app: Flask, browser: Browser
) -> None:
    case_id = a_case(app)
    first, second = browser("staff"), browser("staff")
    url = f"/consultations/{case_id}"
    first_values, _ = shown_form(first, url)
    second_values, _ = shown_form(second, url)
    removed = first.post(
        f"{url}/remove",
        data={"seen": first_values["seen"], "csrf_token": first_values["csrf_token"]},
    )
    assert removed.status_code == 302
    late = second.post(url, data={**second_values, "age_group": "60s"})
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "画面を開いた後に別の人が削除しました。修正は保存していません。" in page
    (form,) = html.fromstring(page).xpath("//form[.//input[@name='received_on']]")
    assert form.get("action") == "/consultations/new"
    kept: dict[str, object] = {"referred_to": []}
    for name, value in form.form_values():
        if name == "referred_to":
            kept[name].append(value)  # type: ignore[union-attr]
        else:
            kept[name] = value
    assert (kept["age_group"], kept["received_on"], kept["caller"]) == (
        "60s",
        "令和2年6月1日",
        "family",
    )
    assert "seen" not in kept
    with app.app_context():
        assert db.session.scalars(select(Consultation)).all() == [], "nothing added unasked"
    added = second.post("/consultations/new", data=kept)
    assert added.status_code == 302
    with app.app_context():
        (case,) = db.session.scalars(select(Consultation)).all()
        assert case.age_group == "60s"
