"""Every page of every role in English: walk each GET page of the URL map (the ids of the role
walk, tests/security/walk.py) as each role with English chosen, and fail on Japanese that is the
hub's own words — text, titles, labels, ``aria-label``s, placeholders, the values forms are
filled with — and on a page not marked ``<html lang="en">``.

What may stay Japanese is named precisely, never a whole page:
- data, as stored: the municipalities' names and kana, the recipients' names, questionnaire and
  round titles, the answers, a hearing's department and a referral's person and consent (read
  from the database and from the walk's own body, so a new datum is not let through by a guess);
- the Japanese the English catalogue writes on purpose: the 和暦 and full-width examples of what
  may be typed (``e.g. 2021-04-01 or 令和3年4月1日``), read from the .po's msgstrs;
- an element marked ``lang="ja"`` (the language switch's 日本語).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select

from forms import tokyo
from hub.db import db, utcnow
from hub.models import Municipality, Recipient, Role, User
from hub.models.consultation import Hearing
from hub.models.referral import Referral
from hub.models.survey import QuestionnaireDraft, Response, Round, Survey
from hub.services import deliveries, questionnaires, responses, rounds
from hub.services.referrals import lifecycle
from tests.conftest import complete_answers, make_user, response_of
from tests.forms.xlsform_files import xlsx
from tests.security.test_roles import actor, allowed
from tests.security.walk import (
    OWN,
    ROLES,
    World,
    build_world,
    is_api,
    permission,
    referral_body,
    routes,
    url_of,
)

CATALOG = Path(__file__).parents[2] / "hub" / "translations" / "en" / "LC_MESSAGES" / "messages.po"

_LETTER = (
    r"[\u3001\u3002\u3005\u300c-\u300f\u3040-\u30ff\u3400-\u9fff\uff08\uff09\uff1a\uff66-\uff9f]"
)
JAPANESE = re.compile(rf"{_LETTER}(?:[0-9\uff10-\uff19]*{_LETTER})*")
"""A run of kana, kanji and the Japanese punctuation that goes with them (、。「」『』（）：), with
the digits inside it: 令和8年12月1日 is one run, not 令和 … 年 … 月 … 日 that an example allows."""

SHOWN_ATTRIBUTES = (
    "title",
    "aria-label",
    "aria-description",
    "placeholder",
    "alt",
    # the words hub.js shows: a confirmation, the questions shown or hidden, the countdown
    "data-confirm",
    "data-more",
    "data-fewer",
    "data-minutes",
    "data-seconds",
)
"""Attributes a reader sees or hears (``value`` too, on the fields and buttons that show it)."""


def runs(texts: Iterable[Any]) -> set[str]:
    return {run for text in texts if text for run in JAPANESE.findall(str(text))}


def strings_in(value: Any) -> Iterable[str]:
    """Every string inside an answer or a body (dicts, lists, scalars)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


def data_runs(app: Flask) -> set[str]:
    """The Japanese the walk's world holds as data, as stored."""
    with app.app_context():
        session = db.session
        texts: list[Any] = [
            *session.scalars(select(Municipality.name)),
            *session.scalars(select(Municipality.kana)),
            *session.scalars(select(Recipient.title)),
            *session.scalars(select(Survey.title)),
            *session.scalars(select(QuestionnaireDraft.title)),
            *session.scalars(select(Round.title)),
            *session.scalars(select(Hearing.department)),
        ]
        for answers in session.scalars(select(Response.answers)):
            texts.extend(strings_in(answers))
    texts.extend(strings_in(referral_body(OWN)))
    texts.extend(TYPED)
    return runs(texts)


def catalogue_runs() -> set[str]:
    """The Japanese the English translations hold on purpose (examples of what may be typed)."""
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    return runs(
        form
        for message in catalog
        if message.id
        for form in (message.string if message.pluralizable else (message.string,))
    )


def shown_values(element: Any) -> Iterable[str]:
    for name in SHOWN_ATTRIBUTES:
        if element.get(name):
            yield element.get(name)
    kind = (element.get("type") or "text").lower()
    shows_value = element.tag == "button" or (
        element.tag == "input" and kind not in ("hidden", "checkbox", "radio")
    )
    if shows_value and element.get("value"):
        yield element.get("value")


def japanese_on(html: str, allowed_runs: set[str]) -> tuple[str | None, list[str]]:
    """The page's ``<html lang>`` and each piece of its own words that is Japanese, with the tag
    it sits in."""
    doc = lxml.html.fromstring(html)
    for node in doc.xpath("//script|//style|//body//*[@lang='ja']"):
        node.drop_tree()
    found = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        # a tail is the parent's text after the element; read here, the tag it follows shows
        texts = [element.text, *shown_values(element), element.tail]
        for text in texts:
            left = runs([text]) - allowed_runs
            if left:
                found.append(f"<{element.tag}> {' '.join(str(text).split())[:120]} {sorted(left)}")
    return doc.get("lang"), found


Check = Callable[[str], tuple[str | None, list[str]]]
"""What a walk looks for on a page: its ``<html lang>`` and the problems found."""


RETURN_REASON = "「連携している機関」の数を確かめてください。"
CONTACT_NOTE = "本人に電話で連絡"
TYPED = (RETURN_REASON, CONTACT_NOTE)
"""What the walk's people type on top of the role walk's world (data, allowed as typed)."""


@pytest.fixture
def world(app: Flask, shared_always: None) -> World:
    """The role walk's world, and what makes more of the pages speak: a response returned with a
    reason (history, the respondent's home), others submitted and accepted (the board's states,
    the summary), a delivery (the logs), a referral accepted with a contact (the case page)."""
    walked = build_world(app, delivery=False)  # its own delivery, below, is the logs' one
    round_id = walked.ids["round_id"]
    with app.app_context():
        staff = make_user(role=Role.STAFF)
        respondent = make_user(role=Role.RESPONDENT, municipality=OWN)
        window = make_user(role=Role.WINDOW, municipality=OWN)
        returned = response_of(round_id, OWN)
        responses.submit(returned, user=respondent)
        responses.return_response(returned, RETURN_REASON, user=staff)
        for code, accepted in (("131024", True), ("131032", False)):
            other = response_of(round_id, code)
            responses.save_draft(other, complete_answers(), version=other.version, user=staff)
            responses.submit(other, user=staff)
            if accepted:
                responses.accept(other, user=staff)
        referral = db.session.get(Referral, walked.ids["referral_id"])
        lifecycle.accept(referral, user=window)
        lifecycle.add_contact(
            referral,
            {
                "on": str(tokyo.today()),
                "method": "phone",
                "note": CONTACT_NOTE,
                "next_follow_up": None,
            },
            user=window,
        )
        db.session.commit()
        deliveries.deliver("moj", round_id, force=True)
        db.session.commit()
        walked.version = returned.version
    return walked


def walk_in(
    app: Flask, world: World, role: str, language: str, check: Check | None = None
) -> tuple[list[str], dict]:
    """The HTML pages ``role`` may open with GET (and the error page), in ``language``, and
    ``{page: problems}`` for those with any: the hub's own words in Japanese, or what ``check``
    finds."""
    web, _token = actor(app, role)
    assert web.get(f"/language/{language}").status_code == 302
    if check is None:
        allowed_runs = data_runs(app) | catalogue_runs()

        def check(html: str) -> tuple[str | None, list[str]]:
            return japanese_on(html, allowed_runs)

    ids = {**world.ids, "lang": language}
    urls = [
        url_of(rule, ids)
        for rule, method in routes(app)
        if method == "GET"
        and not is_api(rule)
        and rule.endpoint != "auth.logout"
        and allowed(role, permission(app, rule))
    ]
    urls.append("/no-such-page")  # the error page
    pages: list[str] = []
    problems: dict[str, list[str]] = {}
    for url in urls:
        answer = web.get(url, follow_redirects=True)
        if answer.mimetype != "text/html":
            continue
        page = f"{url} ({answer.status_code})"
        pages.append(page)
        lang, found = check(answer.get_data(as_text=True))
        if lang != language:
            found.insert(0, f'<html lang="{lang}">')
        if found:
            problems[page] = found
    return pages, problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_every_role_reads_in_english(app: Flask, world: World, role: str):
    pages, problems = walk_in(app, world, role, "en")
    assert len(pages) >= (3 if role == "anonymous" else 6), pages
    assert not problems, "\n".join(f"{url}\n  " + "\n  ".join(p) for url, p in problems.items())


@pytest.mark.parametrize("role", ROLES)
def test_the_walk_sees_japanese_when_there_is_some(app: Flask, world: World, role: str):
    """The same walk in Japanese finds the hub's own words on every one of the pages (and no
    page that is not lang="ja"): the check reads what the English walk would miss."""
    pages, problems = walk_in(app, world, role, "ja")
    assert sorted(problems) == sorted(pages)
    flagged = [p for found in problems.values() for p in found]
    assert not any(p.startswith("<html lang=") for p in flagged)
    assert any(p.startswith("<h1>") for p in flagged)


def test_the_referral_timeline_says_what_happened_in_english(app: Flask, world: World):
    """Its entries read as events (Sent, Accepted, Closed), not as the buttons' verbs."""
    web, _token = actor(app, Role.WINDOW)
    web.get("/language/en")
    url = f"/referrals/{world.ids['referral_id']}"
    entries = [
        " ".join(li.text_content().split())
        for li in lxml.html.fromstring(web.get(url).get_data(as_text=True)).xpath(
            "//ol[@class='timeline']/li"
        )
    ]
    assert [e.split(" ")[0] for e in entries] == ["Sent", "Accepted", "Contact"], entries
    web.get("/language/ja")
    doc = lxml.html.fromstring(web.get(url).get_data(as_text=True))
    assert doc.xpath("//ol[@class='timeline']/li")[1].text_content().split()[0] == "受理"


def test_the_audit_log_and_the_delivery_log_count_and_name_in_english(app: Flask, world: World):
    """An audit entry says what happened (Hearing recorded, as Consultation case recorded), and
    the delivery log counts its files with the right form (not "3 Files")."""
    web, _token = actor(app, Role.STAFF)
    web.get("/language/en")
    audit = lxml.html.fromstring(web.get("/audit/").get_data(as_text=True))
    actions = {" ".join(td.text_content().split()) for td in audit.xpath("//td")}
    assert "Hearing recorded" in actions
    assert "Hearing records" not in actions
    log = " ".join(
        lxml.html.fromstring(web.get("/staff/recipients/moj").get_data(as_text=True))
        .text_content()
        .split()
    )
    counted = re.findall(r"\b(\d+) (files?|Files?)\b", log)
    assert counted, log
    assert all(word == ("file" if n == "1" else "files") for n, word in counted), counted


def test_the_municipalities_page_is_named_in_the_plural_in_english(app: Flask, world: World):
    """The list's menu entry, tab title and heading read "Municipalities" (区市町村 alone, a field's
    label, stays "Municipality"); in Japanese all read 区市町村."""
    web, _token = actor(app, Role.ADMIN)
    for language, name in (("en", "Municipalities"), ("ja", "区市町村")):
        web.get(f"/language/{language}")
        doc = lxml.html.fromstring(web.get("/admin/municipalities").get_data(as_text=True))
        assert doc.findtext(".//h1").strip() == name
        assert doc.findtext(".//title").startswith(f"{name} |")
        assert (
            doc.xpath("//nav//a[@href='/admin/municipalities']")[0].text_content().strip() == name
        )
        retire = lxml.html.fromstring(
            web.get(f"/admin/municipalities/{OWN}/retire").get_data(as_text=True)
        )
        assert name in [a.text_content().strip() for a in retire.xpath("//nav//li/a")]


def test_the_questionnaires_page_is_named_in_the_plural_in_english(app: Flask, world: World):
    """The list of questionnaires (menu entry, tab title, heading, the breadcrumbs back to it)
    reads "Questionnaires"; 調査票 as a field's label stays "Questionnaire"; in Japanese all
    read 調査票."""
    web, _token = actor(app, Role.STAFF)
    for language, name in (("en", "Questionnaires"), ("ja", "調査票")):
        web.get(f"/language/{language}")
        doc = lxml.html.fromstring(web.get("/staff/questionnaires/").get_data(as_text=True))
        assert doc.findtext(".//h1").strip() == name
        assert doc.findtext(".//title").startswith(f"{name} |")
        menu = doc.xpath("//nav//a[@href='/staff/questionnaires/']")
        assert [a.text_content().strip() for a in menu] == [name]
        guide = lxml.html.fromstring(web.get("/staff/questionnaires/guide").get_data(as_text=True))
        assert name in [a.text_content().strip() for a in guide.xpath("//nav//li/a")]
    web.get("/language/en")
    opening = lxml.html.fromstring(web.get("/staff/rounds/new").get_data(as_text=True))
    assert "Questionnaire" in [" ".join(x.text_content().split()) for x in opening.xpath("//label")]


def test_the_board_s_count_links_name_their_state_without_brackets_in_brackets(
    app: Flask, world: World
):
    """A screen reader reads each total of the board as "0 – Saved as draft (not submitted)":
    the visible count and the state it links to, not "0 (Saved as draft (not submitted))"."""
    web, _token = actor(app, Role.STAFF)
    url = f"/staff/rounds/{world.ids['round_id']}"
    for language, draft in (
        ("en", "0 – Saved as draft (not submitted)"),
        ("ja", "0（一時保存（未提出））"),
    ):
        web.get(f"/language/{language}")
        doc = lxml.html.fromstring(web.get(url).get_data(as_text=True))
        links = [
            a.text_content()
            for a in doc.xpath("//table[contains(@class,'table--counts')]/tfoot//td/a")
        ]
        assert draft in links, links
        if language == "en":
            assert not [name for name in links if "((" in name or "))" in name], links


@pytest.mark.parametrize(
    ("minimum", "said"),
    [
        (0, "A round's summary (JSON)"),
        (1, "A round's summary (JSON; 409 until 1 municipality has submitted)"),
        (3, "A round's summary (JSON; 409 until 3 municipalities have submitted)"),
    ],
)
def test_the_counterpart_page_says_when_the_summary_is_409_as_it_is(
    app: Flask, world: World, min_responses: Any, minimum: int, said: str
):
    """Shared however few submitted (``HUB_MIN_RESPONSES`` 0), the summary is never 409 for
    that: the page does not say "409 until 0 municipalities have submitted"."""
    min_responses(minimum)
    web, _token = actor(app, Role.COUNTERPART)
    web.get("/language/en")
    doc = lxml.html.fromstring(web.get("/counterpart").get_data(as_text=True))
    rows = [" ".join(tr.text_content().split()) for tr in doc.xpath("//tr")]
    summary = [row for row in rows if "/api/v1/rounds/{round}/summary" in row]
    assert len(summary) == 1, rows
    assert summary[0].endswith(said), summary


def test_the_administrator_s_municipality_pages_name_them_in_english(app: Flask, web: Any):
    """The list, the page that retires one and what retiring says name the municipality by its
    English name (the registered Japanese name beside it, marked Japanese); in Japanese, as
    registered. The walk lets names through as data: this reads the English one is there."""
    chiyoda = "131016"
    admin = web("admin")
    admin.get("/language/en")
    listed = lxml.html.fromstring(admin.get("/admin/municipalities").get_data(as_text=True))
    [row] = listed.xpath(f"//tr[@data-municipality='{chiyoda}']")
    name = row.xpath("./th")[0]
    assert name.text.strip() == "Chiyoda"
    assert name.xpath("./span[@lang='ja']")[0].text == "千代田区"
    hidden = [s.text_content() for s in row.xpath(".//*[@class='visually-hidden']")]
    assert hidden
    assert all("Chiyoda" in h and "千代田区" not in h for h in hidden), hidden
    opened = lxml.html.fromstring(
        admin.get(f"/admin/municipalities/{chiyoda}/retire").get_data(as_text=True)
    )
    assert "Chiyoda" in opened.findtext(".//h1")
    assert not runs([opened.findtext(".//h1"), opened.findtext(".//title")])
    day = opened.xpath("//input[@name='on']/@value")[0]
    retired = admin.post(f"/admin/municipalities/{chiyoda}/retire", {"on": day})
    said = lxml.html.fromstring(
        admin.get(retired.headers["Location"]).get_data(as_text=True)
    ).xpath("string(//*[contains(@class,'flash--success')])")
    assert "Chiyoda (131016)" in said
    assert not runs([said]), said
    admin.get("/language/ja")
    listed = lxml.html.fromstring(
        admin.get("/admin/municipalities?status=all").get_data(as_text=True)
    )
    [row] = listed.xpath(f"//tr[@data-municipality='{chiyoda}']")
    assert row.xpath("./th")[0].text_content().strip() == "千代田区"


SCRIPT = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f]"
)
"""Kana and kanji: what a screen reader speaking English cannot read (written here again, not
imported from hub.web.display, so that the test does not share the code's mistake)."""

UNMARKABLE = ("title",)
"""The tab's title is text only (no element inside to mark): read in the page's language."""


def language_of(element: Any) -> str | None:
    while element is not None:
        if element.get("lang"):
            return str(element.get("lang"))
        element = element.getparent()
    return None


def unmarked_japanese(html: str, allowed_runs: set[str]) -> tuple[str | None, list[str]]:
    """The page's ``<html lang>`` and each text with Japanese script whose element does not say
    ``lang="ja"`` (itself or an element around it), with that element's tag; the runs in
    ``allowed_runs`` are let through."""
    doc = lxml.html.fromstring(html)
    found = []
    for element in doc.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        for text, holder in ((element.text, element), (element.tail, element.getparent())):
            if holder is None or holder.tag in UNMARKABLE or not text or not SCRIPT.search(text):
                continue
            if language_of(holder) != "ja" and not runs([text]) <= allowed_runs:
                found.append(f"<{holder.tag}> {' '.join(text.split())[:120]}")
    return doc.get("lang"), found


TYPED_TITLE = "令和3年度 再犯防止の取組調査"
"""A round's title as staff typed it (shown as typed in every language)."""
DISPLAY_NAME = "都庁 花子"


@pytest.fixture
def parts(app: Flask, world: World) -> World:
    """The walk's world with more Japanese data on its English pages: the walk's municipality
    without an English name, a round titled in Japanese by staff, people with Japanese names."""
    with app.app_context():
        db.session.get(Municipality, OWN).name_en = ""
        db.session.get(Round, world.ids["round_id"]).title = TYPED_TITLE
        for user in db.session.scalars(select(User)):
            user.display_name = DISPLAY_NAME
        db.session.commit()
    return world


@pytest.mark.parametrize("role", ROLES)
def test_japanese_data_on_english_pages_is_marked_japanese(app: Flask, parts: World, role: str):
    """WCAG 2.1 SC 3.1.2 (Language of Parts): on every English page of every role, a text in
    kana or kanji — a name, a title, what somebody typed — is inside an element marked
    ``lang="ja"``, read with a Japanese voice; only the Japanese the English catalogue writes on
    purpose (the examples of 和暦 one may type) is not."""
    allowed_runs = catalogue_runs()
    pages, problems = walk_in(
        app, parts, role, "en", lambda html: unmarked_japanese(html, allowed_runs)
    )
    assert len(pages) >= (3 if role == "anonymous" else 6), pages
    assert not problems, "\n".join(f"{url}\n  " + "\n  ".join(p) for url, p in problems.items())


def test_the_language_of_parts_check_sees_what_is_not_marked(app: Flask, parts: World):
    """The check reads the page: the counterpart's English page passes, and fails once its
    marks are taken off (the heading 「Counterpart: 法務省 保護局」 the audit found)."""
    web, _token = actor(app, Role.COUNTERPART)
    web.get("/language/en")
    html = web.get("/counterpart").get_data(as_text=True)
    allowed_runs = catalogue_runs()
    assert unmarked_japanese(html, allowed_runs) == ("en", [])
    [heading] = lxml.html.fromstring(html).xpath("//h1")
    assert lxml.html.tostring(heading, encoding=str, with_tail=False).endswith(
        'Counterpart: <span lang="ja">法務省 保護局</span></h1>'
    )
    _lang, found = unmarked_japanese(html.replace('<span lang="ja">', "<span>"), allowed_runs)
    assert found[0] == "<span> 法務省 保護局", found  # the heading's


UNLABELLED_ID = "kyoryoku_kikan"
UNLABELLED_SURVEY = (
    ("type", "name", "label", "hint", "guidance_hint", "required", "relevant", "appearance",
     "calculation"),
    ("note", "intro", "協力機関の状況をお答えください。", "令和8年4月1日現在", None, None, None,
     None, None),
    ("begin group", "partners", "A. 協力機関", None, None, None, None, None, None),
    ("select_one yes_no", "has_partners", "協力機関の有無", "庁内で把握していれば「はい」",
     "名簿がなくても、担当課が把握していれば「はい」を選んでください。", "yes", None, None,
     None),
    ("select_one area", "area", "主な所在地域", None, None, None, "${has_partners} = 'yes'",
     "minimal", None),
    ("select_multiple kinds", "kinds", "協力機関の種類", "当てはまるものすべて", None,
     "${has_partners} = 'yes'", "${has_partners} = 'yes'", None, None),
    ("integer", "partner_count", "協力機関の数", "実数で", None, "${has_partners} = 'yes'",
     "${has_partners} = 'yes'", None, None),
    ("calculate", "kind_count", "選んだ種類の数", None, None, None, None, None,
     "count-selected(${kinds})"),
    ("acknowledge", "checked", "回答内容を確認しました", None, None, None, None, None, None),
    ("end group", None, None, None, None, None, None, None, None),
    ("text", "remarks", "備考", None, None, None, None, None, None),
)  # fmt: skip
UNLABELLED_CHOICES = (
    ("list_name", "name", "label"),
    ("yes_no", "yes", "はい"),
    ("yes_no", "no", "いいえ"),
    ("area", "ku", "区部"),
    ("area", "tama", "多摩地域"),
    ("kinds", "employer", "協力雇用主"),
    ("kinds", "ngo", "更生保護団体"),
    ("kinds", "welfare", "福祉事業所"),
)
UNLABELLED_ANSWERS = {
    "has_partners": "yes",
    "area": "ku",
    "kinds": ["employer", "ngo"],
    "partner_count": "12",
    "checked": True,
    "remarks": "名簿は年1回更新",
}


def unlabelled_definition(version: int) -> bytes:
    """A questionnaire written with one label column, in Japanese (as 都 staff often write
    one): on an English page every label, hint, group title and choice falls back to it. Its
    version 2 adds a choice, asks ``area`` on another rule and moves ``remarks`` into the group
    (the preview's differences quote labels)."""
    choices = UNLABELLED_CHOICES + ((("kinds", "school", "学校"),) if version > 1 else ())
    survey = UNLABELLED_SURVEY
    if version > 1:
        area = [row[1] for row in survey].index("area")
        end, remarks = survey[-2], survey[-1]
        changed = (*survey[area][:6], "${partner_count} > 0", *survey[area][7:])
        survey = (*survey[:area], changed, *survey[area + 1 : -2], remarks, end)
    settings = (("form_id", "version", "form_title"), (UNLABELLED_ID, version, "協力機関の調査"))
    return xlsx({"survey": survey, "choices": choices, "settings": settings})


@pytest.fixture
def unlabelled(app: Flask, parts: World) -> World:
    """The walk's world asking :func:`unlabelled_definition` instead: a round on it with the
    respondent's answers saved twice (the form, the confirmation, the history, the staff's
    review), and a second version waiting as a draft (the preview and its differences)."""
    with app.app_context():
        staff = make_user(role=Role.STAFF)
        questionnaires.import_definition(unlabelled_definition(1), "協力機関.xlsx", user=staff)
        round_id = rounds.open_round(
            UNLABELLED_ID,
            reference_date=tokyo.today(),
            deadline=utcnow() + timedelta(days=14),
            opens_at=utcnow() - timedelta(days=1),
            title=TYPED_TITLE,
        ).id
        respondent = make_user(role=Role.RESPONDENT, municipality=OWN)
        response = response_of(round_id, OWN)
        for count in ("3", "12"):
            answers = {**UNLABELLED_ANSWERS, "partner_count": count}
            responses.save_draft(response, answers, version=response.version, user=respondent)
        draft = questionnaires.create_draft(unlabelled_definition(2), "協力機関.xlsx", user=staff)
        db.session.commit()
        ids = {
            **parts.ids,
            "round_id": round_id,
            "questionnaire_id": UNLABELLED_ID,
            "version": 1,
            "draft_id": draft.id,
            "question": "has_partners",
        }
    return World(ids=ids, version=response.version)


@pytest.mark.parametrize("role", [Role.RESPONDENT, Role.STAFF])
def test_a_questionnaire_labelled_in_japanese_alone_is_marked_japanese_on_english_pages(
    app: Flask, unlabelled: World, role: str
):
    """WCAG 2.1 SC 3.1.2 for a questionnaire without English labels: its questions, hints,
    guidance, group titles and choices — on the form, the confirmation, the answers, the history,
    the staff's review and the preview of a new version — are marked ``lang="ja"`` where an
    English page falls back to them."""
    allowed_runs = catalogue_runs()
    pages, problems = walk_in(
        app, unlabelled, role, "en", lambda html: unmarked_japanese(html, allowed_runs)
    )
    assert not problems, "\n".join(f"{url}\n  " + "\n  ".join(p) for url, p in problems.items())
    shown = " ".join(pages)
    assert f"/{unlabelled.ids['round_id']}" in shown, pages
    if role == Role.STAFF:  # the preview's differences were walked: a rule and a move quoted
        web, _token = actor(app, role)
        web.get("/language/en")
        draft = f"/staff/questionnaires/drafts/{unlabelled.ids['draft_id']}"
        doc = lxml.html.fromstring(web.get(draft).get_data(as_text=True))
        [rule] = doc.xpath("//li[@data-question='area']//li[@data-rule='relevant']")
        assert rule.xpath(".//span[@lang='ja']/text()") == [
            "協力機関の有無",
            "はい",
            "協力機関の数",
        ]
        assert doc.xpath("//li[@data-question='remarks']//*[@data-moved]//span[@lang='ja']")
