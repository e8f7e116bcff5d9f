"""Test helpers shared by the feed and alert tests: real local servers and a task runner."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.utils import timezone

from headway.feeds import outbound
from headway.feeds.management.commands.worker import HeadwayWorker
from headway.kpis.models import KPI


def make_kpi(world: Any, ref: str = "signups", **fields: Any) -> KPI:
    defaults: dict[str, Any] = {
        "name": ref.title(),
        "team": world.growth,
        "owner": world.bob,
        "cadence": KPI.Cadence.DAILY,
        "direction": KPI.Direction.HIGHER_IS_BETTER,
        "target": Decimal(100),
        "red": Decimal(80),
    }
    defaults.update(fields)
    return KPI.objects.create(organization=world.acme, ref=ref, **defaults)


def today_at(hour: int = 9, days_ago: int = 0) -> dt.datetime:
    """A time on a day relative to today (UTC, the test organization's zone)."""
    day = timezone.now().astimezone(dt.UTC).date() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def drain(worker_id: str = "test-worker", limit: int = 100) -> int:
    """Run every ready task in this process, as `headway worker` would; returns the count."""
    worker = HeadwayWorker(
        tick=0.0,
        scheduler_on=False,
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    count = 0
    while count < limit and (task := worker.next_task()) is not None:
        worker.run_task(task)
        count += 1
    return count


HOLD_SECONDS = 120  # a held request is answered after this even if the test never releases it


class Recorder(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        server: LocalHTTP = self.server  # type: ignore[assignment]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server.requests.append((self.command, self.path, dict(self.headers), body))
        held = server.hold_next
        if held:
            server.hold_next = False
            server.holding.set()
            server.gate.wait(HOLD_SECONDS)
        status, payload = server.responses.get(self.path, (404, {"error": "not found"}))
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if 300 <= status < 400:
                self.send_header("Location", payload["location"])
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except ConnectionError:
            if not held:
                raise  # only a held request's client may be gone (a killed worker)

    do_GET = _answer
    do_POST = _answer


class LocalHTTP(ThreadingHTTPServer):
    """A real HTTP server on 127.0.0.1 answering canned JSON per path."""

    def __init__(self, certificate: Path | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Recorder)
        if certificate:  # HTTPS with this key and certificate (one PEM file)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certificate)
            self.socket = context.wrap_socket(self.socket, server_side=True)
        self.responses: dict[str, tuple[int, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.hold_next = False
        self.holding = threading.Event()  # set once the held request has arrived
        self.gate = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def hold_next_request(self) -> None:
        """The next request waits for release(): a fetch kept in flight for as long as needed."""
        self.gate.clear()
        self.holding.clear()
        self.hold_next = True

    def release(self) -> None:
        self.gate.set()

    def stop(self) -> None:
        self.release()
        self.shutdown()
        self.server_close()


LOCALHOST = [ipaddress.ip_network("127.0.0.1/32")]


def fake_dns(monkeypatch: Any) -> dict[str, list[str]]:
    """Name resolution from a dict the test fills, instead of the machine's DNS: tests give
    the same answers everywhere, and a name they did not enter does not resolve."""
    names: dict[str, list[str]] = {}

    def resolve(host: str) -> list[str]:
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(names[host])

    monkeypatch.setattr(outbound, "resolve", resolve)
    return names


def self_signed(path: Path, name: str) -> Path:
    """A PEM file with a new key and a certificate for `name`, which also serves as a CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + certificate.public_bytes(serialization.Encoding.PEM)
    )
    return path
