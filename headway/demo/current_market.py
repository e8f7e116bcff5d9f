"""This quarter's OKRs for marketing, commerce and customer success, with personal ones."""

from __future__ import annotations

from headway.demo import people as p
from headway.demo.builder import KeyResults, objective
from headway.demo.series import Plan, Row

AHEAD = 1.25
ON_TRACK = 1.0


def build_market(kr: KeyResults) -> list[Row]:
    quarter = kr.cycle
    ref = kr.ref
    marketing = [
        objective(
            ref("traffic"),
            "Increase website traffic by 20% this quarter",
            quarter,
            p.MARKETING,
            p.MARCUS,
            [
                kr.driven(
                    "visitors",
                    "Grow monthly visitors 20% (50,000 to 60,000)",
                    kpi="visitors",
                    start=50000,
                    target=60000,
                    unit="visitors",
                    owner=p.MARCUS,
                    pace=0.8,
                ),
                kr.metric(
                    "blog-posts",
                    "Publish 10 new blog posts every month",
                    start=0,
                    target=30,
                    unit="posts",
                    owner=p.EMMA,
                    plan=Plan(
                        ON_TRACK,
                        notes=(
                            "Three posts live; the calendar is full.",
                            "Two guest posts went live.",
                            "The freelancer delivered the strength-training series.",
                            "On schedule for the month.",
                        ),
                    ),
                    initiatives=[{"title": "Hire a freelance writer", "status": "done"}],
                ),
                kr.milestone("blog-theme", "Launch the new blog theme", owner=p.EMMA, done_at=0.4),
                kr.metric(
                    "backlinks",
                    "Earn 40 backlinks from fitness publications",
                    start=0,
                    target=40,
                    unit="backlinks",
                    owner=p.MARCUS,
                    plan=Plan(0.6),
                ),
            ],
            aligns_to=[(ref("company-growth"), 1)],
        ),
        objective(
            ref("emma-seo"),
            "Become our in-house SEO expert",
            quarter,
            p.MARKETING,
            p.EMMA,
            [
                kr.milestone(
                    "emma-course", "Complete the advanced SEO course", owner=p.EMMA, done_at=0.5
                ),
                kr.metric(
                    "emma-pages",
                    "Rewrite our 12 top landing pages",
                    start=0,
                    target=12,
                    unit="pages",
                    owner=p.EMMA,
                    plan=Plan(AHEAD),
                ),
            ],
            aligns_to=[(ref("traffic"), 1)],
        ),
    ]
    commerce = [
        objective(
            ref("new-markets"),
            "Take the Northwind store to Spain, Italy and the Netherlands",
            quarter,
            p.COMMERCE,
            p.DANIEL,
            [
                kr.metric(
                    "countries",
                    "Open the store in 3 new countries",
                    start=0,
                    target=3,
                    unit="countries",
                    owner=p.HANNAH,
                    plan=Plan(ON_TRACK),
                ),
                kr.metric(
                    "new-orders",
                    "Reach 1,500 orders from the new countries",
                    start=0,
                    target=1500,
                    unit="orders",
                    owner=p.DANIEL,
                    plan=Plan(0.55),
                ),
                kr.metric(
                    "order-value",
                    "Raise average order value from $62 to $70",
                    start=62,
                    target=70,
                    unit="USD",
                    owner=p.HANNAH,
                    plan=Plan(0.8, places=2, steady=False),
                ),
                kr.driven(
                    "cac-cap",
                    "Keep customer acquisition cost at or below $50",
                    kpi="cac",
                    target=50,
                    unit="USD",
                    owner=p.DANIEL,
                    pace=0.5,
                    type="threshold",
                    bound="at_most",
                ),
            ],
            aligns_to=[(ref("company-growth"), 1)],
        ),
        objective(
            ref("hannah-spain"),
            "Make the Spanish store feel local",
            quarter,
            p.COMMERCE,
            p.HANNAH,
            [
                kr.metric(
                    "hannah-pages",
                    "Translate all 240 product pages into Spanish",
                    start=0,
                    target=240,
                    unit="pages",
                    owner=p.HANNAH,
                    plan=Plan(1.05),
                ),
                kr.milestone(
                    "hannah-payments",
                    "Offer Bizum and local payment methods",
                    owner=p.HANNAH,
                    done_at=None,
                ),
            ],
            aligns_to=[(ref("new-markets"), 1)],
        ),
    ]
    support = [
        objective(
            ref("csat"),
            "Increase customer satisfaction by 15%",
            quarter,
            p.SUPPORT,
            p.LUCAS,
            [
                kr.driven(
                    "csat-score",
                    "Raise CSAT from 76% to 87%",
                    kpi="csat",
                    start=76,
                    target=87,
                    unit="%",
                    owner=p.LUCAS,
                    pace=0.85,
                ),
                kr.metric(
                    "response-time",
                    "Cut median first-response time from 6 hours to 3",
                    start=6,
                    target=3,
                    unit="hours",
                    owner=p.LUCAS,
                    plan=Plan(0.9, places=1, steady=False),
                ),
                kr.metric(
                    "resolved",
                    "Close 95% of tickets within 2 days",
                    start=81,
                    target=95,
                    unit="%",
                    owner=p.LUCAS,
                    plan=Plan(1.15, places=1),
                ),
            ],
            kind="committed",
            aligns_to=[(ref("company-customers"), 2)],
        ),
        objective(
            ref("help-center"),
            "Launch a self-service help center",
            quarter,
            p.SUPPORT,
            p.LUCAS,
            [
                {
                    "ref": ref("help-articles"),
                    "title": "Publish 50 help articles",
                    "start": 0,
                    "target": 50,
                    "unit": "articles",
                },
                {
                    "ref": ref("help-deflection"),
                    "title": "Answer 20% of questions in self-service",
                    "start": 0,
                    "target": 20,
                    "unit": "%",
                },
            ],
            state="draft",
        ),
    ]
    return [*marketing, *commerce, *support]
