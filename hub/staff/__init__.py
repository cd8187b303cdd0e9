"""Pages for 都 staff: rounds, progress boards, reviewing responses, 代理入力."""

from flask_babel import lazy_gettext as _l

from hub.staff import summary as _summary  # noqa: F401  (registers its routes on bp)
from hub.staff.views import bp
from hub.web.nav import MenuItem

MENU = (
    MenuItem("staff.home", _l("調査回と進捗"), "response.review", 10),
    MenuItem("staff.new_round", _l("調査回を開始"), "rounds.manage", 20),
)

__all__ = ["MENU", "bp"]
