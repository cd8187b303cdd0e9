"""The WSGI entry point for gunicorn: ``gunicorn wsgi:app`` (a wrong setting: one line, and
gunicorn stops — ``hub.server.web_app``)."""

from hub.server import web_app

app = web_app()
