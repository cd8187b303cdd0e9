"""A response read for the API's deadline-burst path without ORM objects: one plain statement
gives the response, what a change needs of its round (:class:`RoundFacts`) and who changed it
last. The services take a :class:`ResponseRecord` wherever they take a :class:`Response`
(``AnyResponse``), and the API shows either the same way.

The ORM costs the burst more than the statement: loading a response with its round,
questionnaire row and municipality as four objects took longer than the rest of a GET
(docs/performance.md, third pass).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, select

from forms import registry
from forms.model import Questionnaire
from hub.db import db
from hub.models import (
    Municipality,
    Response,
    Round,
    RoundState,
    Survey,
    User,
    deadline_of,
    person_label,
    round_state,
)
from hub.models.survey import Entered
from hub.services.response_writes import table_of


def read_record(round_id: int, municipality_code: str) -> ResponseRecord | None:
    """The response of ``municipality_code`` in ``round_id``, or ``None`` (no access check:
    ``responses.record_for`` makes the lookup's checks)."""
    row = (
        db.session.connection()
        .execute(_RECORD, {"round_id": round_id, "code": municipality_code})
        .one_or_none()
    )
    if row is None:
        return None
    return ResponseRecord(
        id=row.id,
        round_id=round_id,
        municipality_code=municipality_code,
        municipality_name=row.municipality_name,
        state=row.state,
        version=row.version,
        answers=row.answers,
        return_reason=row.return_reason,
        extension_until=row.extension_until,
        submitted_at=row.submitted_at,
        accepted_at=row.accepted_at,
        updated_at=row.updated_at,
        updated_by_id=row.updated_by_id,
        updated_by_label=(
            person_label(row.display_name, row.organisation, row.email)
            if row.updated_by_id is not None
            else None
        ),
        updated_on_behalf=row.updated_on_behalf,
        answers_entered=(
            Entered(
                row.entered_at,
                person_label(row.entered_name, row.entered_organisation, row.entered_email)
                if row.entered_email is not None
                else None,
                row.entered_on_behalf,
            )
            if row.entered_at is not None
            else None
        ),
        round=RoundFacts(
            id=round_id,
            survey_id=row.survey_id,
            survey_key=row.survey_key,
            survey_version=row.survey_version,
            survey_fingerprint=row.survey_fingerprint,
            reference_date=row.reference_date,
            opens_at=row.opens_at,
            deadline=row.deadline,
            closed_at=row.closed_at,
        ),
    )


@dataclass(frozen=True)
class RoundFacts:
    """What a change of a response reads of its round (as :class:`Round` offers it)."""

    id: int
    survey_id: int
    survey_key: str
    survey_version: int
    survey_fingerprint: str
    reference_date: date
    opens_at: datetime
    deadline: datetime
    closed_at: datetime | None

    @property
    def questionnaire(self) -> Questionnaire:
        """The definition, from the process's cache (its bytes are read on a miss only)."""
        return registry.stored(
            self.survey_key, self.survey_version, self.survey_fingerprint, self._definition
        )

    def _definition(self) -> bytes | None:
        return db.session.scalar(select(Survey.definition).where(Survey.id == self.survey_id))

    def state_at(self, now: datetime) -> RoundState:
        return round_state(self.opens_at, self.closed_at, now)


@dataclass(slots=True)
class ResponseRecord:
    """A response read in one plain statement (:func:`read_record`), with the attributes the
    services read of a :class:`Response`; a change made through ``save_draft`` or ``submit``
    updates it as it updates a response (slots: setting a column it does not have fails
    loudly instead of adding an attribute nobody reads)."""

    id: int
    round_id: int
    municipality_code: str
    municipality_name: str
    state: str
    version: int
    answers: dict[str, Any]
    return_reason: str | None
    extension_until: datetime | None
    submitted_at: datetime | None
    accepted_at: datetime | None
    updated_at: datetime | None
    updated_by_id: int | None
    updated_by_label: str | None
    updated_on_behalf: bool
    answers_entered: Entered | None
    """Who last entered or changed the answers (:attr:`Response.answers_entered`)."""
    round: RoundFacts

    def deadline_for(self) -> datetime:
        return deadline_of(self.round.deadline, self.extension_until)

    @property
    def answers_entered_at(self) -> datetime | None:
        """When the answers were last entered (:attr:`Response.answers_entered_at`)."""
        return self.answers_entered.at if self.answers_entered is not None else None


AnyResponse = Response | ResponseRecord
Changed = TypeVar("Changed", Response, ResponseRecord)
"""A change gives back what it was given, brought up to date."""


_RESPONSES, _ROUNDS, _SURVEYS, _MUNICIPALITIES, _USERS = map(
    table_of, (Response, Round, Survey, Municipality, User)
)
_ENTERERS = _USERS.alias("enterer")
_RECORD = (
    select(
        _RESPONSES.c.id,
        _RESPONSES.c.state,
        _RESPONSES.c.version,
        _RESPONSES.c.answers,
        _RESPONSES.c.return_reason,
        _RESPONSES.c.extension_until,
        _RESPONSES.c.submitted_at,
        _RESPONSES.c.accepted_at,
        _RESPONSES.c.updated_at,
        _RESPONSES.c.updated_by_id,
        _RESPONSES.c.updated_on_behalf,
        _MUNICIPALITIES.c.name.label("municipality_name"),
        _ROUNDS.c.survey_id,
        _ROUNDS.c.reference_date,
        _ROUNDS.c.opens_at,
        _ROUNDS.c.deadline,
        _ROUNDS.c.closed_at,
        _SURVEYS.c.key.label("survey_key"),
        _SURVEYS.c.version.label("survey_version"),
        _SURVEYS.c.fingerprint.label("survey_fingerprint"),
        _USERS.c.display_name,
        _USERS.c.organisation,
        _USERS.c.email,
        _RESPONSES.c.answers_entered_at.label("entered_at"),
        _RESPONSES.c.answers_entered_on_behalf.label("entered_on_behalf"),
        _ENTERERS.c.display_name.label("entered_name"),
        _ENTERERS.c.organisation.label("entered_organisation"),
        _ENTERERS.c.email.label("entered_email"),
    )
    .select_from(
        _RESPONSES.join(_ROUNDS, _ROUNDS.c.id == _RESPONSES.c.round_id)
        .join(_SURVEYS, _SURVEYS.c.id == _ROUNDS.c.survey_id)
        .join(_MUNICIPALITIES, _MUNICIPALITIES.c.code == _RESPONSES.c.municipality_code)
        .outerjoin(_USERS, _USERS.c.id == _RESPONSES.c.updated_by_id)
        .outerjoin(_ENTERERS, _ENTERERS.c.id == _RESPONSES.c.answers_entered_by_id)
    )
    .where(
        _RESPONSES.c.round_id == bindparam("round_id"),
        _RESPONSES.c.municipality_code == bindparam("code"),
    )
)
""":func:`read_record`'s statement, built once: plain columns, no ORM entities."""
