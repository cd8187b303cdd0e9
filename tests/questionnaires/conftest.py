from tests.web.conftest import web

__all__ = ["web"]
