"""Pages for 都 staff: questionnaire definitions — upload, check, preview, publish, list."""

from flask_babel import lazy_pgettext

from hub.questionnaires.views import bp
from hub.web.nav import MenuItem

MENU = (
    MenuItem("questionnaires.index", lazy_pgettext("page", "調査票"), "questionnaires.manage", 25),
)

__all__ = ["MENU", "bp"]
