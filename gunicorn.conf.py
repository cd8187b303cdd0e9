"""What ``gunicorn wsgi:app`` reads from this folder (gunicorn's default configuration file):
the hub's settings are checked once, in the master, before any worker starts — a wrong setting
is one line, ``hub: 設定エラー: …``, and gunicorn stops. ``hub serve`` reads the settings itself
before it starts gunicorn and does not read this file."""

from hub.server import check_settings

on_starting = check_settings
