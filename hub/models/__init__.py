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
from hub.models.referral import (
    CONTACT_METHODS,
    NEEDS,
    OUTCOMES,
    REFERRAL_STATUS_LABELS,
    REFERRER_STAFF,
    Referral,
    ReferralEvent,
    ReferralRead,
    ReferralStatus,
)
from hub.models.survey import (
    COUNTED,
    EDITABLE,
    Response,
    ResponseChoice,
    ResponseState,
    Revision,
    Round,
    RoundState,
    SummaryNote,
    Survey,
)
from hub.models.user import ApiToken, LoginAttempt, Role, User

__all__ = [
    "CONTACT_METHODS",
    "COUNTED",
    "EDITABLE",
    "NEEDS",
    "OUTCOMES",
    "REFERRAL_STATUS_LABELS",
    "REFERRER_STAFF",
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
    "Recipient",
    "Referral",
    "ReferralEvent",
    "ReferralRead",
    "ReferralStatus",
    "Region",
    "ReminderSent",
    "Response",
    "ResponseChoice",
    "ResponseState",
    "Revision",
    "Role",
    "Round",
    "RoundState",
    "SummaryNote",
    "Survey",
    "User",
    "check_digit",
    "is_valid_code",
    "ordered_regions",
]
