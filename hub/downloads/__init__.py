"""Files that signed-in people download in the browser: the consolidated workbook."""

from hub.downloads.views import bp

MENU = ()

__all__ = ["MENU", "bp"]
