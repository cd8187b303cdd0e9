"""Staff pages for the national counterparts: profiles, the delivery log and 「今すぐ送信」."""

from hub.recipients.views import bp, init_app

__all__ = ["bp", "init_app"]
