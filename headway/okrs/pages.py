"""What the objective pages show, assembled from the cycle report (numbers) and a few
small reads (levels, people, links), in a fixed number of queries.

The list and the map show thousands of rows in a large organization, so each row's display
strings are made here in one pass (with the same filters the templates use) and the
templates only print them: no include, tag or filter per row (docs/web.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from headway.okrs.models import Cycle, Objective
from headway.org import access
from headway.org.models import Team
from headway.reports.build import Report
from headway.web.templatetags.headway import confidences, pct, pct_width, status_label

FILTERS = ("team", "owner", "status", "kind")
VIEWS = (("all", "All"), ("company", "Company"), ("team", "Teams"), ("personal", "Personal"))


def objective_facts(actor: access.Actor, cycle: Cycle) -> dict[str, dict[str, Any]]:
    """Level, team id and owner name of the cycle's objectives, by ref (one query)."""
    rows = Objective.objects.filter(organization=actor.organization, cycle=cycle).values(
        "ref", "level", "team_id", "owner_id", "owner__name", "owner__email", "private"
    )
    return {row["ref"]: dict(row) for row in rows}


def filter_objectives(
    report: Report, facts: dict[str, dict[str, Any]], view: str, params: dict[str, str]
) -> list[dict[str, Any]]:
    out = []
    for objective in report["objectives"]:
        fact = facts.get(objective["ref"], {})
        if view != "all" and fact.get("level") != view:
            continue
        if params.get("team") and objective["team"] != params["team"]:
            continue
        if params.get("owner") and objective["owner"] != params["owner"]:
            continue
        if params.get("status") and objective["status"] != params["status"]:
            continue
        if params.get("kind") and objective["kind"] != params["kind"]:
            continue
        out.append(
            {
                **objective,
                "level": fact.get("level"),
                "owner_name": fact.get("owner__name") or objective["owner"],
            }
        )
    return out


def team_names(actor: access.Actor) -> list[str]:
    return list(Team.objects.filter(organization=actor.organization).values_list("name", flat=True))


@dataclass
class Node:
    objective: dict[str, Any]
    children: list[Node] = field(default_factory=list)
    repeated: bool = False  # already drawn higher up this branch (an alignment loop guard)


LEVEL_ORDER = {"company": 0, "team": 1, "personal": 2}


def alignment_tree(report: Report, facts: dict[str, dict[str, Any]]) -> list[Node]:
    """The cycle as a forest: objectives without a listed parent at the top, each child
    under every parent it aligns to (so one objective may appear several times)."""
    listed: dict[str, dict[str, Any]] = {
        o["ref"]: {**o, "level": facts.get(o["ref"], {}).get("level")} for o in report["objectives"]
    }
    children: dict[str, list[str]] = {}
    for ref, objective in listed.items():
        for parent in objective["parents"]:
            if parent in listed:
                children.setdefault(parent, []).append(ref)
    roots = [ref for ref, o in listed.items() if not any(p in listed for p in o["parents"])]
    roots.sort(
        key=lambda ref: (LEVEL_ORDER.get(listed[ref]["level"] or "", 3), listed[ref]["team"])
    )

    def build(ref: str, path: frozenset[str]) -> Node:
        if ref in path:
            return Node(listed[ref], repeated=True)
        path = path | {ref}
        return Node(listed[ref], [build(child, path) for child in children.get(ref, [])])

    return [build(ref, frozenset()) for ref in roots]


def bar(objective: dict[str, Any]) -> dict[str, Any]:
    """The display strings of an objective's row: link, progress bar and status badge."""
    progress = objective["progress"]
    return {
        "ref": objective["ref"],
        "title": objective["title"],
        "level": objective["level"],
        "team": objective["team"],
        # As `headway report --format json` writes it (test helpers read it back).
        "progress": "" if progress is None else str(progress),
        "width": pct_width(progress),
        "pct": pct(progress),
        "status": objective["status"],
        "status_label": status_label(objective["status"]),
    }


def list_rows(
    objectives: list[dict[str, Any]], detail_url: Callable[[str], str]
) -> list[dict[str, Any]]:
    """One row per objective of the list page."""
    rows = []
    for objective in objectives:
        count = len(objective["key_results"])
        meta = [
            objective["team"],
            objective["owner_name"] or "no owner",
            objective["kind"],
            f"{count} KR{'' if count == 1 else 's'}",
        ]
        confidence = confidences(objective["key_results"])
        if confidence:
            meta.append(f"confidence {confidence}")
        row = bar(objective)
        row["href"] = detail_url(objective["ref"])
        row["meta"] = " · ".join(meta)
        rows.append(row)
    return rows


def map_rows(
    tree: list[Node], detail_url: Callable[[str], str], open_depth: int
) -> list[dict[str, Any]]:
    """The forest as a flat list in document order, so the template draws the nested lists
    with one loop: a node with children opens a list (``children``: how many, ``open``:
    shown or folded), and each leaf says how many enclosing lists end after it
    (``closes``)."""
    rows: list[dict[str, Any]] = []

    def walk(nodes: list[Node], depth: int) -> None:
        for node in nodes:
            row = bar(node.objective)
            row["href"] = detail_url(node.objective["ref"])
            row["repeated"] = node.repeated
            row["children"] = len(node.children)
            row["open"] = depth < open_depth
            row["closes"] = 0
            rows.append(row)
            if node.children:
                walk(node.children, depth + 1)
                rows[-1]["closes"] += 1  # the last row drawn inside this node's list

    walk(tree, 0)
    for row in rows:
        row["closes"] = range(row["closes"])
    return rows
