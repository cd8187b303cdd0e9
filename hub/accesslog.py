"""Access-log lines without secrets, for gunicorn (``hub serve``) and werkzeug (``hub run``).

A client may put a token in the query string (``?access_token=hub_…``): the API refuses it, but
the servers would write the request line, and the token with it, to their access logs while it is
still valid. Both servers write their lines through :func:`redact_secrets`, which keeps the
parameter's name and replaces its value, and replaces anything shaped like a hub token wherever it
appears (a Referer, a bad request line). The searches for people (a colleague's name or e-mail
typed into ユーザー管理 or the audit page's filter) are kept out the same way.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

from gunicorn.glogging import Logger
from werkzeug.serving import WSGIRequestHandler

REDACTED = "[REDACTED]"

SECRET_NAME = re.compile(
    r"token|passw(?:or)?d|secret|api[_-]?key|auth|signature|session|csrf|credential",
    re.IGNORECASE,
)
"""Query parameter names whose values are secrets: ``access_token``, ``token``, ``api_key``,
``password``, ``client_secret``, ``auth``, ``signature``, ``sessionid``, ``csrf_token`` …"""

PEOPLE_SEARCHES = frozenset({"q", "user"})
"""Query parameters whose values name people: the account search of ユーザー管理 (``?q=``) and the
audit page's user filter (``?user=``) — a colleague's name or e-mail address stays out of the
access log as a secret does."""

_PARAMETER = re.compile(r"(?P<lead>[?&;])(?P<name>[^=&;\s\"'#?]+)=(?P<value>[^&;\s\"'#]*)")
_HUB_TOKEN = re.compile(r"hub_[A-Za-z0-9_\-]{8,}")


def _parameter(match: re.Match[str]) -> str:
    name = unquote_plus(match.group("name"))
    if not SECRET_NAME.search(name) and name not in PEOPLE_SEARCHES:
        return match.group(0)
    return f"{match.group('lead')}{match.group('name')}={REDACTED}"


def redact_secrets(text: str) -> str:
    """``text`` (a request line, a URL, a log line) with the values of secret-named query
    parameters, of the searches for people, and anything shaped like a hub API token replaced by
    ``[REDACTED]``."""
    return _HUB_TOKEN.sub(REDACTED, _PARAMETER.sub(_parameter, text))


class RedactingGunicornLogger(Logger):
    """gunicorn's logger, with every access-log field passed through :func:`redact_secrets`."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        fields = super().atoms(resp, req, environ, request_time)
        return {k: redact_secrets(v) if isinstance(v, str) else v for k, v in fields.items()}


class RedactingRequestHandler(WSGIRequestHandler):
    """werkzeug's request handler for the development server, its log lines redacted."""

    def log(self, type: str, message: str, *args: Any) -> None:
        super().log(type, "%s", redact_secrets(message % args if args else message))
