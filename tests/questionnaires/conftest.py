"""The questionnaire tests share the web client, and leave no delivery behind: the loop tests
export to the outbox, which later tests (deliveries, referrals) expect to find empty."""

import shutil
from collections.abc import Iterator

import pytest

from hub.config import Settings
from tests.web.conftest import web

__all__ = ["web"]


@pytest.fixture(autouse=True)
def _empty_outbox_after(settings: Settings) -> Iterator[None]:
    yield
    shutil.rmtree(settings.outbox_dir, ignore_errors=True)
