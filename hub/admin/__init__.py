"""Pages for the system administrator: users and API tokens."""

from flask_babel import lazy_gettext as _l

from hub.admin.views import bp
from hub.web.nav import MenuItem

MENU = (MenuItem("admin.home", _l("ユーザー管理"), "users.manage", 10),)

__all__ = ["MENU", "bp"]
