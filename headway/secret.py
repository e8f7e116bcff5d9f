"""A per-install secret key kept in the data directory, for zero set-up local runs."""

from __future__ import annotations

import secrets
from pathlib import Path


def data_dir_secret_key(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Create with 0600 so other local users cannot read it.
    path.touch(mode=0o600)
    path.write_text(key)
    return key
