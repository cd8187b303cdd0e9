"""Pages for the system administrator: users and API tokens."""

from hub.admin.views import bp

__all__ = ["bp"]
