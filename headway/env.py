"""Settings helpers that read the environment and fail loudly on bad values.

A typo in a deployment's environment should stop the process at start-up with a
message naming the variable, never run with a silently wrong default.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(Exception):
    pass


def envstr(name: str, default: str = "") -> str:
    """Read `name`, or the contents of the file named by `name_FILE` (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as e:
            raise ConfigError(f"{name}_FILE={file_name}: cannot read: {e.strerror}") from e
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={value!r}: expected one of true/false/1/0/yes/no/on/off")


def envint(name: str, default: int, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r}: expected a whole number") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={value!r}: expected at least {minimum}")
    return number


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envnetworks(name: str) -> list[Network]:
    """A comma-separated list of CIDR networks (`10.20.0.0/16,127.0.0.1/32`); empty if unset."""
    networks = []
    for item in envlist(name, []):
        try:
            # strict: 10.20.1.5/16 is refused rather than silently read as 10.20.0.0/16.
            networks.append(ipaddress.ip_network(item))
        except ValueError as e:
            raise ConfigError(
                f"{name}={os.environ[name]!r}: {e}; expected CIDR networks such as "
                "10.20.0.0/16,127.0.0.1/32"
            ) from None
    return networks


def envdir(name: str) -> Path | None:
    """An existing directory, resolved (symlinks, ..); None if unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    path = Path(value).resolve()
    if not path.is_dir():
        raise ConfigError(f"{name}={value!r}: not an existing directory")
    return path
