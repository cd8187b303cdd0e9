"""Pages for respondents: their municipality's rounds and the questionnaire."""

from hub.respond.views import bp

__all__ = ["bp"]
