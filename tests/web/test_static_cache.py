"""The hub's static files are named with their version and kept by browsers for a year; a URL
without the current version is revalidated as before (``hub/statics.py``)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from hub import statics
from hub.db import counting_statements
from hub.errors_http import _unavailable_page
from hub.security import HEADERS
from tests.web.conftest import page

STATIC = Path(statics.__file__).parent / "static"


def fetch(client: FlaskClient, url: str, **kwargs: Any) -> TestResponse:
    """GET a file, read it whole and close it (a file's response holds the file open)."""
    answer = client.get(url, **kwargs)
    answer.get_data()
    answer.close()
    return answer


def static_urls(response: TestResponse) -> list[str]:
    doc = page(response)
    return [
        url
        for url in doc.xpath("//link/@href | //script/@src | //img/@src")
        if url.startswith("/static/")
    ]


def version_in(url: str) -> str:
    (version,) = parse_qs(urlsplit(url).query)["v"]
    return version


def content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[: statics.VERSION_LENGTH]


def test_a_page_names_each_static_file_with_its_contents_version(client: FlaskClient) -> None:
    urls = static_urls(client.get("/login"))
    named = {urlsplit(url).path.removeprefix("/static/") for url in urls}
    assert {"hub.css", "hub.js", "favicon.svg"} <= named
    for url in urls:
        name = urlsplit(url).path.removeprefix("/static/")
        assert version_in(url) == content_hash(STATIC / name), url


def test_a_statistics_page_names_its_own_stylesheet_with_its_version(web) -> None:
    urls = static_urls(web("staff").get("/consultations/statistics"))
    (consult,) = [url for url in urls if url.startswith("/static/consult.css")]
    assert version_in(consult) == content_hash(STATIC / "consult.css")


def test_the_current_version_is_kept_for_a_year_with_every_security_header(
    client: FlaskClient,
) -> None:
    for url in static_urls(client.get("/login")):
        answer = fetch(client, url)
        assert answer.status_code == 200, url
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        for name, value in HEADERS.items():
            assert answer.headers.get(name) == value, (url, name)
        again = fetch(client, url, headers={"If-None-Match": answer.headers["ETag"]})
        assert again.status_code == 304
        assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("query", ["", "?v=", "?v=0123456789", "?v=old&v=older"])
def test_without_the_current_version_the_file_is_revalidated_as_before(
    client: FlaskClient, query: str
) -> None:
    answer = fetch(client, f"/static/hub.css{query}")
    assert answer.status_code == 200
    assert answer.get_data() == (STATIC / "hub.css").read_bytes()
    assert answer.headers["Cache-Control"] == "no-cache"
    assert "max-age" not in answer.headers["Cache-Control"]
    assert answer.headers["Content-Security-Policy"] == HEADERS["Content-Security-Policy"]


def test_a_missing_file_is_not_found_and_not_kept(client: FlaskClient) -> None:
    answer = fetch(client, "/static/missing.css?v=0123456789")
    assert answer.status_code == 404
    assert "immutable" not in answer.headers.get("Cache-Control", "")
    assert fetch(client, "/static/../config.py").status_code == 404


def test_no_version_for_a_file_outside_the_folder_or_missing(app: Flask) -> None:
    with app.test_request_context():
        assert statics.version_of("../config.py") is None
        assert statics.version_of("missing.css") is None


def test_the_version_follows_the_content(
    app: Flask, client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new content is a new URL; the old URL, from a page still open in a tab, still gives the
    file (the new one) but revalidated, never kept for a year."""
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    css = tmp_path / "hub.css"
    css.write_text("body { color: black; }\n", encoding="utf-8")
    first = next(url for url in static_urls(client.get("/login")) if "hub.css" in url)
    assert fetch(client, first).headers["Cache-Control"] == "public, max-age=31536000, immutable"

    css.write_text("body { color: navy; }\n", encoding="utf-8")
    app.extensions[statics.VERSIONS].clear()  # what a restart of the hub does
    second = next(url for url in static_urls(client.get("/login")) if "hub.css" in url)
    assert version_in(second) != version_in(first)
    answer = fetch(client, second)
    assert answer.get_data(as_text=True) == "body { color: navy; }\n"
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    stale = fetch(client, first)
    assert stale.status_code == 200
    assert stale.get_data(as_text=True) == "body { color: navy; }\n"
    assert stale.headers["Cache-Control"] == "no-cache"


def test_each_file_is_hashed_once_not_at_each_request(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[str] = []
    original = statics._hash_of

    def counting(folder: str, filename: str) -> str | None:
        hashed.append(filename)
        return original(folder, filename)

    monkeypatch.setattr(statics, "_hash_of", counting)
    for _ in range(3):
        for url in static_urls(client.get("/login")):
            fetch(client, url)
    assert sorted(hashed) == sorted(set(hashed))
    assert "hub.css" in hashed


def test_a_signed_in_users_files_neither_vary_with_nor_set_the_session_cookie(web) -> None:
    """The session cookie changes at each page (``seen_at``): a file that varied with it would be
    kept by a proxy once per cookie, and asked for again by a browser once the cookie changed. The
    pages themselves still vary with it and are not kept."""
    staff = web("staff")
    home = staff.get("/staff/")
    assert "Cookie" in home.headers.get("Vary", "")
    assert home.headers["Cache-Control"] == "no-store"
    for url in static_urls(home):
        answer = fetch(staff.client, url)
        assert answer.status_code == 200, url
        assert "Cookie" not in answer.headers.get("Vary", ""), url
        assert "Set-Cookie" not in answer.headers, url
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert staff.get("/staff/").status_code == 200, "still signed in after the files"


def test_the_database_unavailable_page_names_the_stylesheets_version(app: Flask) -> None:
    with app.test_request_context("/staff/"):
        assert f"/static/hub.css?v={content_hash(STATIC / 'hub.css')}" in _unavailable_page()


def test_a_signed_in_users_file_is_served_without_asking_the_database(web) -> None:
    """A file is the same for everyone: the gate does not load who asks for it (one query a file
    before), nor does anything else. A page still loads the user."""
    staff = web("staff")
    home = staff.get("/staff/")
    urls = static_urls(home)
    assert urls
    for url in urls:
        with counting_statements() as log:
            answer = fetch(staff.client, url)
        assert answer.status_code == 200, url
        assert log.statements == [], (url, log.statements)
    with counting_statements() as log:
        assert staff.get("/staff/").status_code == 200
    assert len(log) > 0
