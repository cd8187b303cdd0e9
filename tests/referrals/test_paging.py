"""Long referral lists come a page at a time, and nothing is left out: the referrer's list and
the window's finished referrals on the pages (50 a page, the page number read as people type it),
and the API's list (``page``/``page_size``, the total in ``X-Pagination``). Before, every list
stopped silently at its newest 500."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from lxml import html

from hub.api.referrals import API_PAGE_SIZE
from hub.services.referrals import queries
from tests.referrals.conftest import Cast
from tests.web.conftest import Web, page, text_of

PER_PAGE = queries.PER_PAGE


def numbers_in_table(doc: html.HtmlElement) -> list[str]:
    return [row.xpath("string(th)").strip() for row in doc.xpath("//tbody/tr")]


def pager_links(doc: html.HtmlElement) -> dict[str, str]:
    return {a.get("rel"): a.get("href") for a in doc.xpath("//nav[@aria-label='ページ']//a")}


def test_the_referrers_list_shows_fifty_a_page_newest_first(
    desk: Web, refer: Callable[..., int]
) -> None:
    ids = [refer() for _ in range(PER_PAGE + 2)]
    newest_first = [f"No.{i}" for i in reversed(ids)]

    first = page(desk.get("/referrals"))
    assert numbers_in_table(first) == newest_first[:PER_PAGE]
    assert f"{PER_PAGE + 2}件中 1〜{PER_PAGE}件目を表示しています。" in text_of(
        desk.get("/referrals")
    )
    assert pager_links(first) == {"next": "/referrals?page=2"}

    second = page(desk.get("/referrals?page=2"))
    assert numbers_in_table(second) == newest_first[PER_PAGE:]
    assert pager_links(second) == {"prev": "/referrals?page=1"}


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("２", 2),
        ("2", 2),
        ("99", 2),
        ("0", 1),
        ("-1", 1),
        ("abc", 1),
        ("", 1),
        ("9" * 40, 2),
        ("9" * 5000, 2),
    ],
)
def test_a_page_number_typed_oddly_shows_the_nearest_page(
    desk: Web, refer: Callable[..., int], typed: str, shown: int
) -> None:
    ids = [refer() for _ in range(PER_PAGE + 1)]
    answer = desk.get(f"/referrals?page={typed}")
    assert answer.status_code == 200
    expected = [f"No.{ids[0]}"] if shown == 2 else [f"No.{i}" for i in reversed(ids)][:PER_PAGE]
    assert numbers_in_table(page(answer)) == expected


def test_the_windows_finished_referrals_come_a_page_at_a_time_below_the_open_ones(
    window: Web, cast: Cast, refer: Callable[..., int]
) -> None:
    finished = [refer() for _ in range(PER_PAGE + 1)]
    for referral_id in finished:
        declined = cast.window.post(f"/referrals/{referral_id}/decline", {"reason": "管轄外"})
        assert declined.status_code == 200
    still_open = refer()

    first = page(window.get("/referrals"))
    assert numbers_in_table(first) == [f"No.{still_open}"]
    assert f"終了・つなぎ先変更待ち（{PER_PAGE + 1}件）" in first.text_content()
    listed = first.xpath("//h2[@id='done']/following-sibling::ul[1]/li/a/text()")
    assert listed == [f"No.{i}" for i in reversed(finished)][:PER_PAGE]
    assert pager_links(first) == {"next": "/referrals?page=2#done"}

    second = page(window.get("/referrals?page=2"))
    assert numbers_in_table(second) == [f"No.{still_open}"], "the open ones are always all shown"
    listed = second.xpath("//h2[@id='done']/following-sibling::ul[1]/li/a/text()")
    assert listed == [f"No.{finished[0]}"]


def test_the_api_lists_a_page_at_a_time_with_the_total_in_x_pagination(
    cast: Cast, refer: Callable[..., int]
) -> None:
    ids = [refer() for _ in range(5)]
    everything = cast.staff.get("/referrals")
    assert [r["id"] for r in everything.get_json()] == list(reversed(ids))
    assert json.loads(everything.headers["X-Pagination"])["total"] == 5

    second = cast.staff.get("/referrals?page=2&page_size=2")
    assert [r["id"] for r in second.get_json()] == [ids[2], ids[1]]
    assert json.loads(second.headers["X-Pagination"]) == {
        "total": 5,
        "total_pages": 3,
        "first_page": 1,
        "last_page": 3,
        "page": 2,
        "previous_page": 1,
        "next_page": 3,
    }
    declined_only = cast.window.get("/referrals?status=declined&page_size=2")
    assert declined_only.get_json() == []
    assert json.loads(declined_only.headers["X-Pagination"])["total"] == 0

    past_the_end = cast.staff.get("/referrals?page=9&page_size=2")
    assert past_the_end.status_code == 200
    assert past_the_end.get_json() == []

    for bad in ("page=0", "page=abc", "page_size=0", f"page_size={API_PAGE_SIZE + 1}"):
        refused = cast.staff.get(f"/referrals?{bad}")
        assert refused.status_code == 422, bad
        assert "Traceback" not in refused.get_data(as_text=True)


def test_the_openapi_document_describes_the_pages(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"] for p in document["paths"]["/api/v1/referrals"]["get"]["parameters"]}
    assert {"page", "page_size", "status"} <= parameters
