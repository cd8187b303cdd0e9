"""Real ``hub`` server processes for the tests, on a free port of 127.0.0.1, and plain HTTP
requests to them (no test client: what a browser or an API client sends)."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def hub_server(settings, tmp_path: Path, *command: str) -> Iterator[tuple[int, Path]]:
    """``hub COMMAND`` serving the test database on a free port, its output in a file. HOME is
    a folder of its own (``tmp_path/home``), so that what the server leaves there can be seen."""
    port = free_port()
    log = tmp_path / "server.log"
    (tmp_path / "home").mkdir(exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"},
        "HOME": str(tmp_path / "home"),
        "HUB_DATABASE_URL": settings.database_url,
        "HUB_SECRET_KEY": settings.secret_key,
        "HUB_INSTANCE_DIR": str(settings.instance_dir),
        "HUB_PORT": str(port),
    }
    hub = Path(sys.executable).with_name("hub")
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(hub), *command], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"hub {command[0]} did not start:\n" + log.read_text())
        yield port, log
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read().decode("utf-8", "replace")
    finally:
        connection.close()
