"""``POST /api/v1/consultations`` and ``GET /api/v1/consultations/summary``, as each role sees it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from exports.suppression import SMALL
from forms.consultation import AGE_GROUP, CRIME_TYPE, LOCAL_WINDOWS, REFERRED_TO
from hub.db import db
from hub.models import Consultation, ConsultationReferral
from hub.services.consultations import import_cases
from tests.conftest import Api
from tests.consultations.cases import (
    R2_AGES,
    R2_CRIMES,
    R2_LOCAL_WINDOW,
    R2_REFERRED,
    Case,
    csv_bytes,
)
from tests.consultations.disclosure import determined, solvable

CHIYODA, CHUO, HACHIOJI = "131016", "131024", "132012"
SUMMARY_KEYS = {
    "fiscal_year",
    "total",
    "by_age_group",
    "crime_related",
    "by_crime_type",
    "referred",
    "by_referral",
    "local_window_share",
}
COUNT_MAPS = ("by_age_group", "by_crime_type", "by_referral")

ApiAs = Callable[..., Api]


def _import(app: Flask, data: bytes) -> None:
    with app.app_context():
        import_cases(data, user=None, filename="test.csv")
        db.session.commit()


# ------------------------------------------------------------------------------------- POST


def test_staff_records_a_case_typed_the_way_people_type_it(api_as: ApiAs) -> None:
    staff = api_as("staff")
    response = staff.post(
        "/consultations",
        {
            "received_on": "令和2年5月19日",
            "channel": "電話",
            "age_group": "７０代",
            "caller": "family",
            "crime_related": "はい",
            "crime_type": "万引き",
            "referred_to": "地域包括支援センター;municipal_window",
            "municipality": "千代田区",
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    body.pop("id")
    assert body == {
        "received_on": "2020-05-19",
        "fiscal_year": 2020,
        "channel": "phone",
        "age_group": "70s",
        "caller": "family",
        "crime_related": True,
        "crime_type": "shoplifting",
        "referred_to": ["community_support_center", "municipal_window"],
        "municipality": CHIYODA,
    }
    march = staff.post(
        "/consultations",
        {
            "received_on": "R3.3.31",
            "channel": "visit",
            "age_group": "unknown",
            "caller": "self",
            "referred_to": [],
        },
    )
    assert march.status_code == 201
    assert march.get_json()["fiscal_year"] == 2020, "March belongs to the fiscal year before"
    assert march.get_json()["crime_related"] is False


def test_a_bad_case_gets_422_with_every_field_and_saves_nothing(api_as: ApiAs, app: Flask) -> None:
    staff = api_as("staff")
    response = staff.post(
        "/consultations",
        {
            "received_on": "令和1年4月30日",
            "channel": '=HYPERLINK("http://x")',
            "crime_related": True,
            "referred_to": ["police"],
            "municipality": "999999",
            "name": "山田 太郎",
        },
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {
        "received_on",
        "channel",
        "age_group",
        "caller",
        "crime_type",
        "referred_to",
        "municipality",
        "name",
    }
    assert "令和元年は5月1日から" in errors["received_on"][0]
    assert errors["name"] == ["この項目はありません。"], "no names are stored, not even by mistake"
    with app.app_context():
        assert db.session.query(Consultation).count() == 0


@pytest.mark.parametrize("payload", [[], "text", 12, None])
def test_a_body_that_is_not_an_object_is_refused_cleanly(api_as: ApiAs, payload: Any) -> None:
    response = api_as("staff").post("/consultations", payload)
    assert response.status_code in (400, 415, 422)
    assert response.is_json


def test_only_staff_record_cases(api_as: ApiAs, client: Any) -> None:
    case = {"received_on": "2020-06-01", "channel": "phone", "age_group": "20s", "caller": "self"}
    assert (
        api_as("respondent", municipality=CHIYODA).post("/consultations", case).status_code == 403
    )
    assert api_as("counterpart", recipient="moj").post("/consultations", case).status_code == 403
    assert api_as("admin").post("/consultations", case).status_code == 403
    assert client.post("/api/v1/consultations", json=case).status_code == 401


# ---------------------------------------------------------------------------------- summary


def test_the_r2_list_gives_the_documents_numbers_to_staff_and_to_counterparts(
    app: Flask, api_as: ApiAs, r2: list[Case], names: dict[str, str]
) -> None:
    _import(app, csv_bytes(r2, names))
    for role, extra in (("staff", {}), ("counterpart", {"recipient": "moj"})):
        body = api_as(role, **extra).get("/consultations/summary?fiscal_year=2020").get_json()
        assert set(body) == SUMMARY_KEYS, role
        assert (body["fiscal_year"], body["total"], body["crime_related"], body["referred"]) == (
            2020,
            239,
            199,
            151,
        )
        assert body["by_age_group"] == {code: R2_AGES.get(code, 0) for code in AGE_GROUP.codes}
        assert body["by_crime_type"] == R2_CRIMES
        assert sum(body["by_referral"][c] for c in LOCAL_WINDOWS) == 64  # 4 cases went to both
        assert body["local_window_share"] == round(R2_LOCAL_WINDOW / R2_REFERRED, 3) == 0.397


def test_a_respondent_also_gets_their_own_residents_suppressed_consistently(
    app: Flask, api_as: ApiAs, r2: list[Case], names: dict[str, str]
) -> None:
    _import(app, csv_bytes(r2, names))
    mine = [c for c in r2 if c.municipality == CHIYODA]
    body = (
        api_as("respondent", municipality=CHIYODA)
        .get("/consultations/summary?fiscal_year=2020")
        .get_json()
    )
    assert set(body) == {*SUMMARY_KEYS, "municipality"}
    own = body["municipality"]
    assert (own["code"], own["name"]) == (CHIYODA, "千代田区")
    assert set(own) == {*SUMMARY_KEYS, "code", "name"}
    assert own["total"] in (None, len(mine))
    assert_no_disclosure(body, r2, CHIYODA)
    staff = api_as("staff").get("/consultations/summary?fiscal_year=2020").get_json()
    assert "municipality" not in staff


def test_small_counts_are_true_for_staff_and_null_for_everyone_else(
    app: Flask, api_as: ApiAs
) -> None:
    staff = api_as("staff")
    for age, crime in (
        ("20s", "drugs"),
        ("20s", "fraud"),
        ("30s", None),
        ("40s", None),
        ("40s", None),
        ("40s", None),
        ("50s", None),
        ("50s", None),
        ("50s", None),
    ):
        payload = {
            "received_on": "2021-05-01",
            "channel": "phone",
            "age_group": age,
            "caller": "self",
            "crime_related": crime is not None,
            "crime_type": crime,
            "municipality": CHUO,
        }
        assert staff.post("/consultations", payload).status_code == 201
    true = staff.get("/consultations/summary?fiscal_year=2021").get_json()
    assert true["by_age_group"]["20s"] == 2
    assert true["crime_related"] == 2
    assert true["by_crime_type"]["drugs"] == 1
    for role, extra in (
        ("counterpart", {"recipient": "tokyo-probation"}),
        ("respondent", {"municipality": CHUO}),
    ):
        body = api_as(role, **extra).get("/consultations/summary?fiscal_year=2021").get_json()
        assert body["total"] == 9
        assert body["by_age_group"]["20s"] is None
        assert body["by_age_group"]["30s"] is None
        assert body["by_crime_type"]["drugs"] is None
        assert body["crime_related"] is None, "2 crime-related cases"
        assert body["by_age_group"]["under_20"] == 0


def test_summary_defaults_to_this_fiscal_year_and_refuses_a_bad_one(api_as: ApiAs) -> None:
    staff = api_as("staff")
    body = staff.get("/consultations/summary").get_json()
    today = date.today()
    assert body["fiscal_year"] in (today.year, today.year - 1)
    assert body["total"] == 0
    assert body["local_window_share"] is None
    for bad in ("２０２０x", "abc", "99999", "-1"):
        response = staff.get(f"/consultations/summary?fiscal_year={bad}")
        assert response.status_code == 422, bad
    assert api_as("admin").get("/consultations/summary").status_code == 403


# ------------------------------------------------------------------ no disclosure, any data


def _cells(body: dict[str, Any], prefix: str = "") -> dict[str, int | None]:
    cells: dict[str, int | None] = {
        prefix + k: body[k] for k in ("total", "crime_related", "referred")
    }
    for key in COUNT_MAPS:
        cells |= {f"{prefix}{key}.{code}": n for code, n in body[key].items()}
    return cells


def _true(cases: list[Case], prefix: str = "") -> dict[str, int]:
    ages = Counter(c.age_group for c in cases)
    crimes = Counter(c.crime_type for c in cases if c.crime_type)
    sent = Counter(code for c in cases for code in c.referred_to)
    total, crime = len(cases), sum(1 for c in cases if c.crime_related)
    referred = sum(1 for c in cases if c.referred_to)
    true = {
        prefix + "total": total,
        prefix + "crime_related": crime,
        prefix + "referred": referred,
        prefix + "not_crime": total - crime,
        prefix + "not_referred": total - referred,
    }
    true |= {f"{prefix}by_age_group.{a}": ages[a] for a in AGE_GROUP.codes}
    true |= {f"{prefix}by_crime_type.{t}": crimes[t] for t in CRIME_TYPE.codes}
    true |= {f"{prefix}by_referral.{r}": sent[r] for r in REFERRED_TO.codes}
    return true


def _relations(prefix: str = "") -> list[tuple[str, list[str]]]:
    """What any reader knows: each case has one age and at most one crime type."""
    p = prefix
    return [
        (p + "total", [f"{p}by_age_group.{a}" for a in AGE_GROUP.codes]),
        (p + "total", [p + "crime_related", p + "not_crime"]),
        (p + "crime_related", [f"{p}by_crime_type.{t}" for t in CRIME_TYPE.codes]),
        (p + "total", [p + "referred", p + "not_referred"]),
    ]


def assert_no_disclosure(body: dict[str, Any], cases: list[Case], home: str | None) -> None:
    """No count of 1 or 2 in the body, and none recomputable by subtraction or by any linear
    combination of the published counts, regional and own together; the share pins no small
    count either."""
    published = _cells(body)
    true = _true(cases)
    relations = _relations()
    implicit = ["not_crime", "not_referred"]
    if home is not None:
        own_cases = [c for c in cases if c.municipality == home]
        published |= _cells(body["municipality"], "own:")
        true |= _true(own_cases, "own:")
        relations += _relations("own:")
        implicit += ["own:not_crime", "own:not_referred"]
        for cell in [c for c in true if not c.startswith("own:")]:
            true["rest:" + cell] = true[cell] - true["own:" + cell]
            relations.append((cell, ["own:" + cell, "rest:" + cell]))
            implicit.append("rest:" + cell)
    assert not [c for c, v in published.items() if v in SMALL], published
    for cell, value in published.items():
        assert value is None or value == true[cell], cell
    unknown = [c for c, v in published.items() if v is None] + implicit
    found = set(solvable(published, relations, true))
    exact = determined(unknown, relations)
    assert isinstance(exact, set)
    for cell in found | exact:
        assert cell in implicit, f"hidden {cell} = {true[cell]} can be recomputed"
        assert true[cell] not in SMALL, f"{cell} = {true[cell]} can be recomputed"
    for scope, prefix in ((body, ""), (body.get("municipality"), "own:")):
        if scope is not None:
            _check_share(
                scope, cases if not prefix else [c for c in cases if c.municipality == home]
            )


def _check_share(body: dict[str, Any], cases: list[Case]) -> None:
    share, referred = body["local_window_share"], body["referred"]
    if share is None or referred is None:
        return
    candidates = {
        n
        for n in range(referred + 1)
        for d in (1, 2, 3)
        if (2 * n * 10**d + referred) // (2 * referred) / 10**d == share
    }
    local = sum(1 for c in cases if LOCAL_WINDOWS & set(c.referred_to))
    assert local in candidates
    if len(candidates) == 1:
        assert local not in SMALL
        assert referred - local not in SMALL
        both = sum(1 for c in cases if set(c.referred_to) >= LOCAL_WINDOWS)
        sent = body["by_referral"]
        if None not in (sent["community_support_center"], sent["municipal_window"]):
            assert both not in SMALL, "cases sent to both local windows"


@pytest.fixture
def readers(api_as: ApiAs) -> dict[str, Api]:
    """One token per role, made once for all the examples of a property test."""
    return {
        "staff": api_as("staff"),
        "counterpart": api_as("counterpart", recipient="moj"),
        "respondent": api_as("respondent", municipality=CHIYODA),
    }


HOMES = [CHIYODA, CHUO, HACHIOJI, None]
random_cases = st.lists(
    st.builds(
        Case,
        received_on=st.just(date(2020, 7, 1)),
        channel=st.just("phone"),
        age_group=st.sampled_from(AGE_GROUP.codes[:5]),
        caller=st.just("self"),
        crime_type=st.one_of(st.none(), st.sampled_from(CRIME_TYPE.codes[:4])),
        referred_to=st.lists(st.sampled_from(REFERRED_TO.codes[:4]), max_size=2, unique=True).map(
            tuple
        ),
        municipality=st.sampled_from(HOMES),
    ),
    max_size=30,
)


@given(random_cases)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_respondents_and_counterparts_never_receive_a_small_or_recomputable_count(
    app: Flask, readers: dict[str, Api], cases: list[Case]
) -> None:
    tokens = readers
    try:
        with app.app_context():
            db.session.add_all(
                Consultation(
                    received_on=c.received_on,
                    fiscal_year=2020,
                    channel=c.channel,
                    age_group=c.age_group,
                    caller=c.caller,
                    crime_related=c.crime_related,
                    crime_type=c.crime_type,
                    municipality_code=c.municipality,
                    referrals=[ConsultationReferral(code=r) for r in c.referred_to],
                )
                for c in cases
            )
            db.session.commit()
        for api, home in ((tokens["counterpart"], None), (tokens["respondent"], CHIYODA)):
            response = api.get("/consultations/summary?fiscal_year=2020")
            assert response.status_code == 200
            body = response.get_json()
            assert_no_disclosure(body, cases, home)
            event("suppressed" if None in _cells(body).values() else "nothing suppressed")
        staff = tokens["staff"].get("/consultations/summary?fiscal_year=2020").get_json()
        assert staff["total"] == len(cases)
        assert staff["by_age_group"] == {
            a: sum(1 for c in cases if c.age_group == a) for a in AGE_GROUP.codes
        }
    finally:
        with app.app_context(), db.unit_of_work() as session:
            session.query(Consultation).delete()
