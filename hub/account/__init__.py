"""One's account in the browser: signing in and out, one's password, one's API tokens, the
language, and the counterparts' home page. The blueprint keeps the name ``auth`` (endpoints
``auth.login``, ``auth.tokens`` …)."""

from hub.account import tokens as _tokens  # noqa: F401  (registers its views on bp)
from hub.account.views import bp

MENU = ()

__all__ = ["MENU", "bp"]
