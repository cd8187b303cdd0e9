"""Staff pages for the national counterparts: profiles, the delivery log and 「今すぐ送信」."""

from flask_babel import lazy_gettext as _l

from hub.recipients.views import bp
from hub.web.nav import MenuItem

MENU = (MenuItem("recipients.index", _l("国への配信"), "recipients.manage", 40),)

__all__ = ["MENU", "bp"]
