"""The audit log page (staff and administrators)."""

from hub.audit.views import bp, init_app

__all__ = ["bp", "init_app"]
