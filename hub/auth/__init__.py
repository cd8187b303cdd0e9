"""Auth: who may do what (``policy``), the gate every request passes (``gate``), the session rules
(``sessions``), API tokens (``tokens``) and the password rules (``passwords``).

Services may use this part; it uses only the models and the foundation, never a service or a
page. The pages for signing in and changing one's password are in :mod:`hub.account`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Session timeouts first, then the gate: a timed-out session reaches the gate signed out."""
    from hub.auth import gate, sessions

    sessions.init_app(app)
    gate.init_app(app)
