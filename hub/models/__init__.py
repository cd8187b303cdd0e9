"""Every model, imported here so that the metadata is complete for Alembic and the app."""

from hub.models.audit import AuditEvent
from hub.models.consultation import Consultation, ConsultationReferral, Hearing
from hub.models.delivery import Delivery, DeliveryRequest, JobRun, Recipient, ReminderSent
from hub.models.municipality import (
    REGIONS,
    Municipality,
    Region,
    check_digit,
    is_valid_code,
    ordered_regions,
)
from hub.models.survey import (
    COUNTED,
    EDITABLE,
    QuestionnaireDraft,
    Response,
    ResponseChoice,
    ResponseState,
    Revision,
    Round,
    RoundState,
    Survey,
)
from hub.models.user import ApiToken, LoginAttempt, Role, User

__all__ = [
    "COUNTED",
    "EDITABLE",
    "REGIONS",
    "ApiToken",
    "AuditEvent",
    "Consultation",
    "ConsultationReferral",
    "Delivery",
    "DeliveryRequest",
    "Hearing",
    "JobRun",
    "LoginAttempt",
    "Municipality",
    "QuestionnaireDraft",
    "Recipient",
    "Region",
    "ReminderSent",
    "Response",
    "ResponseChoice",
    "ResponseState",
    "Revision",
    "Role",
    "Round",
    "RoundState",
    "Survey",
    "User",
    "check_digit",
    "is_valid_code",
    "ordered_regions",
]
