"""`headway serve` really serves: pages through gunicorn, static files through WhiteNoise."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from headway.demo.management.commands.serve import bind_address

DEADLINE_SECONDS = 30  # for the server to answer
SETUP_SECONDS = 120  # migrate and collectstatic, slow on a busy machine


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def headway(*args: str) -> list[str]:
    return [sys.executable, "-m", "headway", *args]


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local URL)
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def test_it_serves_pages_and_static_files(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEADWAY_")}
    env.pop("DATABASE_URL", None)  # a throw-away SQLite database in tmp_path, never a shared one
    env.update(HEADWAY_DATA_DIR=str(tmp_path), HEADWAY_WORKERS="1", PYTHONUNBUFFERED="1")
    for setup in (("migrate", "--noinput", "-v0"), ("collectstatic", "--noinput", "-v0")):
        subprocess.run(headway(*setup), env=env, check=True, timeout=SETUP_SECONDS)  # noqa: S603

    port = free_port()
    log = (tmp_path / "serve.log").open("w+b")
    command = headway("serve", "--port", str(port))
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            try:
                status, content_type, body = fetch(f"{base}/admin/login/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"headway serve did not answer:\n{log.read().decode()}")
                time.sleep(0.2)
        assert status == 200
        assert content_type.startswith("text/html")
        assert b"csrfmiddlewaretoken" in body

        status, content_type, body = fetch(f"{base}/static/admin/css/base.css")
        assert status == 200
        assert content_type.startswith("text/css")
        assert b"body" in body
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.seek(0)
        output = log.read().decode()
        log.close()
    assert f"Headway is running at http://127.0.0.1:{port}/ (Ctrl+C to stop)" in output
    assert "GET /admin/login/" in output  # the access log goes to stdout
    assert "Control socket" not in output


def test_it_brackets_ipv6_hosts() -> None:
    assert bind_address("127.0.0.1", 8000) == "127.0.0.1:8000"
    assert bind_address("::1", 8000) == "[::1]:8000"
    assert bind_address("[::1]", 8000) == "[::1]:8000"


@pytest.mark.parametrize("args", [("--port", "0"), ("--workers", "0")])
def test_it_rejects_bad_options(args: tuple[str, str]) -> None:
    with pytest.raises(CommandError):
        call_command("serve", *args)
