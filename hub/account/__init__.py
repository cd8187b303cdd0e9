"""One's account in the browser: signing in and out, one's password, the language, and the
counterparts' home page. The blueprint keeps the name ``auth`` (endpoints ``auth.login`` …)."""

from hub.account.views import bp

MENU = ()

__all__ = ["MENU", "bp"]
