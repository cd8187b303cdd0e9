"""A respondent's pages: their municipality's rounds, the questionnaire, the read-only view and
the revision history. Every view checks the municipality in the URL against the user first."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from hub.account.views import home_for
from hub.auth.gate import current_actor, require_actor
from hub.auth.policy import allow
from hub.db import utcnow
from hub.models import COUNTED, EDITABLE, Response, Role, RoundState, history_events
from hub.services import progress, responses
from hub.web.editing import (
    Pages,
    confirm_page,
    form_page,
    load_response,
    register,
    submit_post,
)

bp = Blueprint("respond", __name__, url_prefix="/respond")

PAGES = register(
    Pages(
        form="respond.form", confirm="respond.confirm", submit="respond.submit", done="respond.view"
    )
)


STAFF_PAGES = {
    "respond.form": "staff.edit",
    "respond.confirm": "staff.edit_confirm",
    "respond.view": "staff.response",
    "respond.history": "staff.response",
}


@bp.before_request
def staff_use_their_pages() -> ResponseReturnValue | None:
    """Staff following a respondent's link land on the staff page of that response, where
    editing is shown (and recorded) as 代理入力."""
    user = current_actor()
    target = STAFF_PAGES.get(request.endpoint or "")
    if user is None or user.role != Role.STAFF or target is None or request.method != "GET":
        return None
    return redirect(url_for(target, **(request.view_args or {})))


def phase(response: Response, now: datetime) -> str:
    """``upcoming``, ``open`` or ``past`` as the respondent sees it (extensions count)."""
    state = response.round.state_at(now)
    if state == RoundState.UPCOMING:
        return "upcoming"
    if state == RoundState.CLOSED and not (
        response.extension_until and response.extension_until > now
    ):
        return "past"
    if now > response.deadline_for() and response.state in COUNTED:
        return "past"
    return "open"


@bp.get("/")
@allow("response.write")
def home() -> ResponseReturnValue:
    """The rounds of the user's municipality: open first, then upcoming, then past."""
    user = require_actor()
    if not user.municipality_code:
        return redirect(url_for(home_for(user.role)))
    now = utcnow()
    groups: dict[str, list[Response]] = {"open": [], "upcoming": [], "past": []}
    for response in progress.municipality_rounds(user.municipality_code):
        groups[phase(response, now)].append(response)
    return render_template(
        "respond/home.html", groups=groups, municipality=user.municipality, now=now
    )


@bp.route("/rounds/<int:round_id>/<code>", methods=["GET", "POST"])
@allow("response.write")
def form(round_id: int, code: str) -> ResponseReturnValue:
    return form_page(load_response(round_id, code), PAGES)


@bp.get("/rounds/<int:round_id>/<code>/confirm")
@allow("response.write")
def confirm(round_id: int, code: str) -> ResponseReturnValue:
    return confirm_page(load_response(round_id, code), PAGES)


@bp.post("/rounds/<int:round_id>/<code>/submit")
@allow("response.write")
def submit(round_id: int, code: str) -> ResponseReturnValue:
    return submit_post(load_response(round_id, code), PAGES)


@bp.get("/rounds/<int:round_id>/<code>/view")
@allow("response.read")
def view(round_id: int, code: str) -> ResponseReturnValue:
    """The answers read-only (after submitting, or any time), with the state and deadline."""
    response = load_response(round_id, code)
    closed = response.state in EDITABLE and responses.closed_to_respondents(response)
    return render_template(
        "respond/view.html",
        response=response,
        round=response.round,
        questionnaire=response.round.questionnaire,
        editable=response.state in EDITABLE and not closed,
        closed=closed,
        now=utcnow(),
    )


@bp.get("/rounds/<int:round_id>/<code>/history")
@allow("response.read")
def history(round_id: int, code: str) -> ResponseReturnValue:
    """Every saved version: who, when, what changed."""
    response = load_response(round_id, code)
    revisions = responses.revisions(response)
    return render_template(
        "respond/history.html",
        response=response,
        round=response.round,
        questionnaire=response.round.questionnaire,
        revisions=list(reversed(revisions)),
        events=history_events(revisions),
    )
