"""``/api/v1``: the JSON API of docs/api.md, documented by flask-smorest as OpenAPI 3."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "api", __name__, url_prefix="/api/v1", description="Rounds, responses and aggregated tables"
)

from hub.api import consultations as _consultations  # noqa
from hub.api import deliveries as _deliveries  # noqa: E402,F401  (registers the routes)
from hub.api import exports as _exports  # noqa: E402,F401  (registers the routes)
from hub.api import municipalities as _municipalities  # noqa: E402,F401  (registers the routes)
from hub.api import referrals as _referrals  # noqa: E402,F401  (registers the routes)
from hub.api import rounds as _rounds  # noqa: E402,F401  (registers the routes)
from hub.api import questionnaires as _questionnaires  # noqa: E402,F401  (registers the routes)
from hub.api import templates as _templates  # noqa: E402,F401  (registers the routes)
