"""OKR files: a whole organization (or part of it) as YAML or JSON, imported and exported.

The format is documented in docs/file-format.md. Public API::

    from headway.okrfiles import import_data, import_text, export_data, OKRFileError

Attributes are imported lazily, so that Django can import this package before its models
are ready.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headway.okrfiles.dump import dump_json, dump_yaml, export_data, export_organization
    from headway.okrfiles.errors import OKRFileError, Problem
    from headway.okrfiles.load import (
        import_data,
        import_document,
        import_file,
        import_text,
    )
    from headway.okrfiles.summary import Counts, ImportSummary

_EXPORTS = {
    "Counts": "summary",
    "ImportSummary": "summary",
    "import_data": "load",
    "import_document": "load",
    "import_file": "load",
    "import_text": "load",
    "OKRFileError": "errors",
    "Problem": "errors",
    "dump_json": "dump",
    "dump_yaml": "dump",
    "export_data": "dump",
    "export_organization": "dump",
}

__all__ = [
    "Counts",
    "ImportSummary",
    "OKRFileError",
    "Problem",
    "dump_json",
    "dump_yaml",
    "export_data",
    "export_organization",
    "import_data",
    "import_document",
    "import_file",
    "import_text",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
