"""Pages for the system administrator: users and API tokens, the municipalities."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from hub.admin import municipalities as _municipalities  # noqa: F401  (its routes on bp)
from hub.admin.views import bp
from hub.web.nav import MenuItem

MENU = (
    MenuItem("admin.home", _l("ユーザー管理"), "users.manage", 10),
    MenuItem(
        "admin.municipalities_index", lazy_pgettext("page", "区市町村"), "municipalities.manage", 11
    ),
)

__all__ = ["MENU", "bp"]
