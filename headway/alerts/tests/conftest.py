from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from headway.feeds.tests.helpers import LOCALHOST, LocalHTTP, fake_dns


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend talks to."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (the controller checks it can connect)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    yield inbox
    controller.stop()


@pytest.fixture(autouse=True)
def dns(monkeypatch) -> dict[str, list[str]]:
    return fake_dns(monkeypatch)


@pytest.fixture
def http_server(settings) -> Iterator[LocalHTTP]:
    # It listens on 127.0.0.1, where user-configured URLs may go only if the operator allows.
    settings.OUTBOUND_ALLOW = LOCALHOST
    server = LocalHTTP()
    yield server
    server.stop()
