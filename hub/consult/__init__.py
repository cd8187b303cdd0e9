"""Consultation desk pages: case entry and import, hearings, and the shared statistics."""

from flask_babel import lazy_gettext as _l

from hub.consult.views import bp
from hub.web.nav import MenuItem

MENU = (
    MenuItem("consult.statistics", _l("相談窓口の統計"), "consultations.summary", 50),
    MenuItem("consult.cases", _l("相談記録"), "consultations.write", 51),
    MenuItem("consult.hearings", _l("聞き取り"), "hearings.manage", 52),
)

__all__ = ["MENU", "bp"]
