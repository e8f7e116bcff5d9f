"""What an import did (or would do), per kind of object."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = (
    "organization",
    "teams",
    "people",
    "cycles",
    "kpis",
    "measurements",
    "objectives",
    "alignments",
    "key_results",
    "initiatives",
    "checkins",
)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f", {self.deleted} removed" if self.deleted else "")


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do), per kind of object."""

    organization: str
    filename: str
    dry_run: bool = False
    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.deleted for c in self.counts.values())

    def lines(self) -> list[str]:
        verb = "Checked" if self.dry_run else "Imported"
        head = f"{verb} {self.filename} into {self.organization}"
        if self.dry_run:
            head += " (dry run: nothing was written)"
        body = [
            f"  {kind.replace('_', ' ')}: {counts}"
            for kind, counts in self.counts.items()
            if counts != Counts()
        ]
        return [head, *body]
