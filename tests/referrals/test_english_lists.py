"""The referral case page in English: the access log's fields and the needs with ", " between
them, not 「、」 (the Japanese page keeps 「、」)."""

from __future__ import annotations

from collections.abc import Callable

from tests.web.conftest import Web, page


def test_the_access_log_and_the_needs_are_joined_in_english(
    window: Web, refer: Callable[..., int]
) -> None:
    url = f"/referrals/{refer()}"
    window.get("/language/en")
    window.get(url)
    doc = page(window.get(url))
    fields = " ".join(
        doc.xpath("string(//h2[@id='reads']/following::table[1]/tbody/tr[1]/td[3])").split()
    )
    assert ", " in fields, fields
    assert "、" not in fields, fields
    window.get("/language/ja")
    doc = page(window.get(url))
    fields = doc.xpath("string(//h2[@id='reads']/following::table[1]/tbody/tr[1]/td[3])")
    assert "、" in fields, fields
