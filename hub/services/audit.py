"""Writing the audit log. Callers pass who acted; the request's address is added when there is one."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from hub.db import db
from hub.models import AuditEvent, User


def record(
    action: str,
    *,
    user: User | None,
    target: str = "",
    municipality_code: str | None = None,
    on_behalf: bool = False,
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        user_id=user.id if user is not None else None,
        target=target,
        municipality_code=municipality_code,
        on_behalf=on_behalf,
        address=request.remote_addr if has_request_context() else None,
        details=details,
    )
    db.session.add(event)
    return event
