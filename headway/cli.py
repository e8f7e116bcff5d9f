"""The `headway` command: Headway's own commands plus every Django management command."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headway.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["headway", *args])


if __name__ == "__main__":
    main()
