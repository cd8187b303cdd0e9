"""The Excel round trip's writes: a template download is audited, a confirmed upload is saved.

Reading a template back into answers is :mod:`exports.upload`; it saves nothing. A confirmed upload
is saved here through :func:`hub.services.responses.save_draft`, the same service as the web form
and the API, so an upload stores exactly what they would store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exports.upload import by_cell
from hub.errors import Invalid
from hub.models import EDITABLE, Response, User
from hub.services import audit
from hub.services.responses import is_on_behalf, normalized, save_draft, target_of


def record_download(response: Response, user: User) -> None:
    """Write the template download to the audit log (who, for which response and version)."""
    audit.record(
        "template.download",
        user=user,
        target=target_of(response),
        municipality_code=response.municipality_code,
        on_behalf=is_on_behalf(user, response),
        version=response.version,
    )


def save_upload(
    response: Response,
    answers: Mapping[str, Any],
    *,
    version: int,
    user: User | None,
    cells: Mapping[str, str],
) -> Response:
    """Save uploaded answers as the draft; errors are keyed by the cell they came from. An upload
    that changes nothing changes nothing: no new version, no revision (a file uploaded twice)."""
    # The page's preview keeps the answers as read, each ``calculate`` worked out to show it; the
    # template's cell for one is never read, so none of these is a value the person typed: the
    # save works it out again (sent on, it would be refused as a client's value for a calculate).
    calculated = response.round.questionnaire.calculated_ids
    answers = {key: value for key, value in answers.items() if key not in calculated}
    try:
        if response.state in EDITABLE and normalized(response, answers) == (response.answers or {}):
            return response
        return save_draft(response, answers, version=version, user=user, source="excel")
    except Invalid as exc:
        questionnaire = response.round.questionnaire
        raise Invalid(by_cell(exc.errors, cells, questionnaire), exc.message) from exc
