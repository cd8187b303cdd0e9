"""The audit log page (staff and administrators)."""

from flask_babel import lazy_gettext as _l

from hub.audit.views import bp
from hub.web.nav import MenuItem

MENU = (MenuItem("audit.index", _l("監査ログ"), "audit.read", 90),)

__all__ = ["MENU", "bp"]
