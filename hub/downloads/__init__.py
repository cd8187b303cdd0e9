"""Files that signed-in people download in the browser: the consolidated workbook."""

from hub.files import bp

__all__ = ["bp"]
