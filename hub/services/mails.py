"""What every mail the hub writes shares: links to its pages."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def link(endpoint: str, **values: Any) -> str:
    """An absolute link to a page, built on ``HUB_PUBLIC_URL`` (also outside a request)."""
    base = current_app.extensions["hub_settings"].public_url
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)
