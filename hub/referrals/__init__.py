"""Referral pages (つなぎ, issue 13): the referral form, the window's inbox, the referrer's list,
the case page with its timeline and access log, and the statistics page."""

from flask_babel import lazy_gettext as _l

from hub.auth.policy import has_referrals
from hub.referrals.views import bp
from hub.web.nav import MenuItem

MENU = (
    MenuItem("referrals.index", _l("つなぎ"), "referrals.list", 30, shown_to=has_referrals),
    MenuItem("referrals.statistics", _l("つなぎの統計"), "referrals.summary", 53),
)

__all__ = ["MENU", "bp"]
