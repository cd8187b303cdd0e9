"""The menu says where a page is: the link to the page itself is ``aria-current="page"``; a page
below a menu entry (a round's board, a referral's case, a step's page after an error) marks
that entry's section with ``aria-current="true"``, so the clerk still sees which tab they are
in."""

from __future__ import annotations

from hub.web.nav import current_marks
from tests.conftest import make_round
from tests.web.conftest import page

MENU = ["/staff/", "/staff/rounds/new", "/consultations", "/consultations/statistics", "/audit/"]


def test_the_page_itself_is_the_current_page() -> None:
    assert current_marks(MENU, "/consultations") == {"/consultations": "page"}
    assert current_marks(MENU, "/staff/") == {"/staff/": "page"}


def test_a_page_below_an_entry_marks_the_longest_entry_holding_it() -> None:
    assert current_marks(MENU, "/staff/rounds/3") == {"/staff/": "true"}
    assert current_marks(MENU, "/consultations/statistics/print") == {
        "/consultations/statistics": "true"
    }
    assert current_marks(MENU, "/consultations/12/edit") == {"/consultations": "true"}
    assert current_marks(MENU, "/consultationsx") == {}, "a path that only starts like an entry"
    assert current_marks(["/"], "/staff/") == {}, "the site's root holds no section"


def test_a_rounds_board_is_in_the_rounds_tab(web, app) -> None:
    with app.app_context():
        round_id = make_round().id
    staff = web("staff")
    doc = page(staff.get(f"/staff/rounds/{round_id}"))
    assert doc.xpath("//nav[@class='site-nav']//a[@aria-current]/@href") == ["/staff/"]
    assert doc.xpath("//nav[@class='site-nav']//a[@aria-current]/@aria-current") == ["true"]


def test_the_excel_pages_say_where_they_are(web, app) -> None:
    """The upload page sits under the clerk's survey list and web form, or — for staff entering
    on a municipality's behalf — under the round's board and that municipality's response."""
    with app.app_context():
        round_id = make_round().id
    respondent = web("respondent", municipality="131016")
    url = f"/rounds/{round_id}/responses/131016/template/upload"
    crumbs = page(respondent.get(url)).xpath("//nav[@class='breadcrumbs']//a/@href")
    assert crumbs == ["/respond/", f"/respond/rounds/{round_id}/131016"]
    staff = page(web("staff").get(url)).xpath("//nav[@class='breadcrumbs']//a/@href")
    assert staff == [
        "/staff/",
        f"/staff/rounds/{round_id}",
        f"/staff/rounds/{round_id}/responses/131016",
    ]
