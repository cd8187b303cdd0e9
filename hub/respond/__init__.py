"""Pages for respondents: their municipality's rounds and the questionnaire."""

from flask_babel import lazy_gettext as _l

from hub.respond.views import bp
from hub.web.nav import MenuItem

MENU = (MenuItem("respond.home", _l("調査一覧"), "response.write", 10, municipal=True),)

__all__ = ["MENU", "bp"]
