"""Errors that services raise and every front end (web, API, CLI) turns into a clear answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _


class HubError(Exception):
    """A problem the user can understand and fix; ``status`` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(HubError):
    status = 404


class Hidden(NotFound):
    """A 404 for something the user may not see, answered exactly as one that does not exist;
    the error handler records the attempt in the audit log as ``action`` (who, and the ids of
    the path) after the request's rollback, so that probing is seen by 都 staff."""

    def __init__(self, message: str, *, action: str) -> None:
        super().__init__(message)
        self.action = action


class Forbidden(HubError):
    status = 403


class Refused(Forbidden):
    """A 403 for a role that may never take a step, whatever the id; the error handler records
    the attempt in the audit log as ``action`` (who, which route, the ids of the path — never
    what was sent), as it does a ``Hidden``: a window or a respondent trying referral routes
    is a signal for 都 staff."""

    def __init__(self, message: str, *, action: str) -> None:
        super().__init__(message)
        self.action = action


class Gone(HubError):
    """What the user asked for existed but is no longer there as it was (a delivered file moved,
    removed or changed on the server since): 410."""

    status = 410


class Conflict(HubError):
    """The request clashes with the current state (stale version, locked response, deadline)."""

    status = 409


class Invalid(HubError):
    """Per-field validation errors: ``{field: [message, ...]}``."""

    status = 422

    def __init__(self, errors: Mapping[str, Sequence[str] | Any], message: str = "") -> None:
        super().__init__(message or _("入力内容に誤りがあります。"))
        self.errors = flatten_errors(errors)


def flatten_errors(errors: Mapping[str, Any], prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested error dicts as ``{"a.b": [messages]}``."""
    flat: dict[str, list[str]] = {}
    for key, value in errors.items():
        name = f"{prefix}{key}" if prefix == "" else f"{prefix}.{key}"
        if key == "_schema":
            name = prefix or "_schema"
        if isinstance(value, Mapping):
            flat.update(flatten_errors(value, name))
        elif isinstance(value, str):
            flat.setdefault(name, []).append(value)
        else:
            flat.setdefault(name, []).extend(str(v) for v in value)
    return flat
