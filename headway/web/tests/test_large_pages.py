"""The objectives list and the map of a large organization: the list draws a page of rows and
a "show more", the map folds deep branches; both still show every number of the report.

The page size and the fold threshold are lowered so the small plan counts as large.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader

from headway.okrs import views
from headway.okrs.models import Alignment, KeyResult, Objective
from headway.org.access import actor_for
from headway.reports.build import ObjectiveOut, build_report
from headway.web.report import report_for
from headway.web.tests.helpers import rows, shown
from headway.web.tests.pages import Plan

pytestmark = pytest.mark.django_db


def report_objectives(plan: Plan) -> list[ObjectiveOut]:
    return report_for(actor_for(plan.world.alice, plan.world.acme), plan.q4, plan.today)[
        "objectives"
    ]


def test_it_draws_the_list_a_page_at_a_time(client, plan, monkeypatch):
    monkeypatch.setattr(views, "LIST_PAGE", 3)
    client.force_login(plan.world.alice)
    objectives = report_objectives(plan)
    assert len(objectives) == 4  # one more than a page

    first = client.get("/objectives/").content.decode()
    assert list(rows(first)) == [o["ref"] for o in objectives[:3]]
    assert "1 of 4 not shown yet" in first
    more_link = first.split('id="more-objectives"')[1].split("</li>")[0]
    assert f'href="/objectives/?cycle={plan.q4.name}&amp;view=all&amp;shown=6"' in more_link
    show_all = f'href="/objectives/?cycle={plan.q4.name}&amp;view=all&amp;shown=4"'
    assert show_all in more_link

    # "Show more" (htmx) answers with the rows it adds and no further button.
    more = client.get(
        f"/objectives/?cycle={plan.q4.name}&shown=6",
        headers={"HX-Request": "true", "HX-Target": "more-objectives"},
    ).content.decode()
    assert "<html" not in more
    assert list(rows(more)) == [objectives[3]["ref"]]
    assert "more-objectives" not in more

    # The same link without htmx draws the whole list so far (a reload keeps the rows).
    whole = rows(client.get(f"/objectives/?cycle={plan.q4.name}&shown=6").content.decode())
    assert list(whole) == [o["ref"] for o in objectives]
    for objective in objectives:
        assert whole[objective["ref"]]["progress"] == shown(objective["progress"])
        assert whole[objective["ref"]]["status"] == objective["status"]


@pytest.mark.parametrize("value", ["", "0", "-5", "abc", "4"])
def test_it_rounds_the_rows_asked_for_up_to_whole_pages(client, plan, monkeypatch, value):
    monkeypatch.setattr(views, "LIST_PAGE", 3)
    client.force_login(plan.world.alice)
    listed = rows(client.get(f"/objectives/?shown={value}").content.decode())
    assert len(listed) == (4 if value == "4" else 3)


def test_it_keeps_filters_and_the_day_in_the_show_more_link(client, plan, monkeypatch):
    monkeypatch.setattr(views, "LIST_PAGE", 1)
    client.force_login(plan.world.alice)
    day = (plan.today - timedelta(days=1)).isoformat()
    html = client.get(f"/objectives/?view=team&team=Growth&as_of={day}").content.decode()
    assert len(rows(html)) == 1
    more = html.split('id="more-objectives"')[1].split("</li>")[0]
    for part in ("view=team", "team=Growth", f"as_of={day}", "shown=2"):
        assert part in more


class Tree(HTMLParser):
    """Each drawn node's ref with the refs of the nodes it is drawn inside, checking that
    every element opened is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, str | None]] = []  # (tag, ref of a node's li)
        self.nodes: list[tuple[str, list[str]]] = []
        self.folded: list[str] = []  # refs whose children start folded
        self.last: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("ul", "li", "details"):
            self.open.append((tag, None))
        if tag == "div" and "node" in (found.get("class") or "").split():
            ref = found["data-ref"] or ""
            self.nodes.append((ref, [r for _, r in self.open if r]))
            self.open[-1] = ("li", ref)
            self.last = ref
        if tag == "details" and "open" not in found and self.last:
            self.folded.append(self.last)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "li", "details"):
            assert self.open, tag
            assert self.open[-1][0] == tag, (tag, self.open)
            self.open.pop()


def draw_map(client) -> Tree:
    html = client.get("/objectives/map/").content.decode()
    tree = Tree()
    tree.feed(html.split('aria-label="Alignment tree">')[1].split("</section>")[0])
    assert tree.open == []
    return tree


@pytest.mark.parametrize("unfolded", [150, 1])
def test_it_draws_the_map_as_nested_lists_under_every_parent(client, plan, monkeypatch, unfolded):
    monkeypatch.setattr(views, "MAP_UNFOLDED", unfolded)
    second = Objective.objects.create(
        organization=plan.world.acme,
        ref="second-parent",
        cycle=plan.q4,
        team=plan.world.company,
        title="Second parent",
        level="company",
    )
    mine = Objective.objects.create(
        organization=plan.world.acme,
        ref="my-part",
        cycle=plan.q4,
        team=plan.world.growth,
        owner=plan.world.bob,
        title="My part",
        level="personal",
    )
    for child, parent in ((plan.growth_objective, second), (mine, plan.growth_objective)):
        Alignment.objects.create(organization=plan.world.acme, child=child, parent=parent)
    client.force_login(plan.world.alice)
    objectives = {o["ref"]: o for o in report_objectives(plan)}
    tree = draw_map(client)

    drawn: dict[str, list[list[str]]] = {}
    for ref, ancestors in tree.nodes:
        drawn.setdefault(ref, []).append(ancestors)
    assert set(drawn) == set(objectives)
    for ref, objective in objectives.items():
        parents = [p for p in objective["parents"] if p in objectives]
        # Once at the top when it has no listed parent, else under each place of each parent.
        places = sorted(a[-1] if a else "" for a in drawn[ref])
        assert places == (sorted(p for p in parents for _ in drawn[p]) or [""]), ref
    assert len(drawn["grow-revenue"]) == 2
    assert len(drawn["my-part"]) == 2  # under both of its parent's places
    has_children = {a[-1] for _, a in tree.nodes if a}
    if unfolded == 1:  # a large map: the top level's children shown, deeper ones folded
        top = {ref for ref, a in tree.nodes if not a}
        assert set(tree.folded) == has_children - top
        assert tree.folded == ["grow-revenue", "grow-revenue"]
    else:
        assert tree.folded == []
    page = rows(client.get("/objectives/map/").content.decode())
    for ref, objective in objectives.items():
        assert page[ref]["progress"] == shown(objective["progress"])


def test_it_compiles_each_template_once():
    """Django's cached loader is on (the default when ``loaders`` is not set): a row
    template is parsed once per process, not once per request."""
    engine = engines["django"].engine  # type: ignore[attr-defined]
    assert [type(loader) for loader in engine.template_loaders] == [CachedLoader]
    engine.get_template("okrs/_rows.html")
    assert engine.get_template("okrs/_rows.html") is engine.get_template("okrs/_rows.html")


def test_it_shows_kpi_driven_numbers_though_the_objective_pages_list_no_kpi(client, plan):
    """The objective pages ask for a report without KPIs (they show none); a key result
    driven by a KPI still gets the numbers of the full report."""
    driven = KeyResult.objects.create(
        organization=plan.world.acme,
        objective=plan.growth_objective,
        ref="churn-down",
        title="Churn down",
        start=Decimal(6),
        target=Decimal(2),
        kpi=plan.churn,
        kpi_value=KeyResult.KPIValue.LATEST,
    )
    full = build_report(plan.world.acme, plan.q4, plan.today)
    assert full["kpis"]  # the full report lists KPIs...
    objective = next(o for o in full["objectives"] if o["ref"] == "grow-revenue")
    kr = next(k for k in objective["key_results"] if k["ref"] == driven.ref)
    assert kr["current"] is not None  # ...and the churn measurements drive the key result
    client.force_login(plan.world.alice)
    for url in ("/objectives/", "/objectives/map/"):
        row = rows(client.get(url).content.decode())["grow-revenue"]
        assert row["progress"] == shown(objective["progress"]), url
    detail = rows(client.get("/objectives/grow-revenue/").content.decode())[driven.ref]
    assert detail["current"] == shown(kr["current"])
    assert detail["progress"] == shown(kr["progress"])
