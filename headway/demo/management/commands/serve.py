"""`headway serve`: run Headway under gunicorn, a production web server.

Static files are served by WhiteNoise from STATIC_ROOT, so run `headway collectstatic`
first (`make run` does).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication

from headway.env import envint

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class HeadwayApplication(BaseApplication):  # type: ignore[misc]
    """Gunicorn serving headway.wsgi.application with the options given, and no others."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # Gunicorn 25.1+ opens a control socket at one path in $HOME by default, which two
        # servers (a second Headway, a test run) would fight over. Nothing here uses it.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        from headway.wsgi import application

        return application


def bind_address(host: str, port: int) -> str:
    """``host:port`` as gunicorn wants it, with an IPv6 address in brackets."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


class Command(BaseCommand):
    help = "Run Headway under gunicorn (a production web server; static files by WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=DEFAULT_HOST, help="default: %(default)s")
        parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default: %(default)s")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="worker processes (default: HEADWAY_WORKERS, else 2)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        chosen: int | None = options["workers"]
        workers = envint("HEADWAY_WORKERS", 2) if chosen is None else chosen
        if not 0 < port < 65536:
            raise CommandError(f"--port {port}: expected a port number from 1 to 65535")
        if workers < 1:
            raise CommandError(f"workers: expected at least 1, got {workers}")
        url_host = bind_address(host, port).rsplit(":", 1)[0]
        self.stdout.write(f"Headway is running at http://{url_host}:{port}/ (Ctrl+C to stop)")
        self.stdout.flush()
        # Workers are forked from this process: none of them may share its connections.
        connections.close_all()
        HeadwayApplication(
            {
                "bind": bind_address(host, port),
                "workers": workers,
                "accesslog": "-",
                "errorlog": "-",
                "proc_name": "headway",
            }
        ).run()
