"""The Excel round trip in the browser: download the template, upload it, preview, confirm."""

from hub.excel.views import bp

MENU = ()

__all__ = ["MENU", "bp"]
