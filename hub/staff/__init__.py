"""Pages for 都 staff: rounds, progress boards, reviewing responses, 代理入力."""

from hub.staff.views import bp

__all__ = ["bp"]
