"""This quarter's OKRs: company, team and personal objectives, aligned to each other.

Paces are chosen so that, as of any day well into the quarter, some key results run ahead,
most are on track and a few are at risk or off track. Marketing, commerce and customer
success are in ``current_market``.
"""

from __future__ import annotations

from datetime import date

from headway.demo import people as p
from headway.demo.builder import KeyResults, objective
from headway.demo.current_market import AHEAD, ON_TRACK, build_market
from headway.demo.series import Cycle, Plan, Row

SLIPPING = 0.75
STUCK = 0.35


def build_current(quarter: Cycle, today: date) -> list[Row]:
    kr = KeyResults(quarter, today)
    ref = kr.ref
    company = [
        objective(
            ref("company-growth"),
            "Turn Northwind Fit into a habit people pay for",
            quarter,
            p.COMPANY,
            p.OLIVIA,
            [],
            progress_mode="children",
        ),
        objective(
            ref("company-launch"),
            "Launch Northwind Coach and reach $100,000 in revenue",
            quarter,
            p.COMPANY,
            p.OLIVIA,
            [
                kr.metric(
                    "coach-revenue",
                    "Reach $100,000 in Coach revenue",
                    start=0,
                    target=100000,
                    unit="USD",
                    owner=p.DANIEL,
                    plan=Plan(
                        SLIPPING,
                        notes=(
                            "Pre-orders opened; the first few thousand are in.",
                            "Launch email went out; modest uptake.",
                            "Gym bundles are slower to close than planned.",
                            "Paid campaign started in the UK.",
                            "Weekend promo helped, still behind the line.",
                            "Reviews are strong; conversion is the problem.",
                            "Testing a lower annual price.",
                        ),
                    ),
                    initiatives=[
                        {"title": "Launch campaign with fitness creators", "status": "in_progress"},
                        {"title": "Annual plan at a launch discount", "status": "planned"},
                    ],
                ),
                kr.milestone(
                    "coach-ship", "Ship Coach on iOS and Android", owner=p.TOM, done_at=0.3
                ),
                kr.metric(
                    "coach-gyms",
                    "Sign 5 gym partners for the launch",
                    start=0,
                    target=5,
                    unit="gyms",
                    owner=p.DANIEL,
                    plan=Plan(1.1),
                ),
            ],
            kind="committed",
        ),
        objective(
            ref("company-customers"),
            "Make customers love Northwind",
            quarter,
            p.COMPANY,
            p.OLIVIA,
            [
                kr.threshold(
                    "company-refunds",
                    "Keep refund requests at or below 2% of orders",
                    bound="at_most",
                    target=2,
                    unit="%",
                    owner=p.OLIVIA,
                    first=1.9,
                    settled=1.6,
                    wobble=0.2,
                    places=1,
                ),
            ],
            progress_mode="both",
        ),
    ]
    product = [
        objective(
            ref("fit-habit"),
            "Make Northwind Fit a daily habit",
            quarter,
            p.PRODUCT,
            p.PRIYA,
            [
                kr.metric(
                    "fit-retention",
                    "Raise 30-day retention from 28% to 40%",
                    start=28,
                    target=40,
                    unit="%",
                    owner=p.PRIYA,
                    plan=Plan(0.9, places=1, steady=False),
                ),
                kr.driven(
                    "fit-wau",
                    "Grow weekly active users from 42,000 to 55,000",
                    kpi="wau",
                    start=42000,
                    target=55000,
                    unit="users",
                    owner=p.SOFIA,
                    pace=1.05,
                ),
                kr.milestone(
                    "fit-streaks", "Ship streaks and workout reminders", owner=p.TOM, done_at=0.45
                ),
            ],
            aligns_to=[(ref("company-growth"), 2)],
        ),
        objective(
            ref("fit-premium"),
            "Grow premium subscriptions",
            quarter,
            p.PRODUCT,
            p.PRIYA,
            [
                kr.metric(
                    "premium-subscribers",
                    "Grow premium subscribers from 3,200 to 5,000",
                    start=3200,
                    target=5000,
                    unit="subscribers",
                    owner=p.PRIYA,
                    plan=Plan(AHEAD),
                ),
                kr.metric(
                    "premium-trial",
                    "Lift trial-to-paid conversion from 8% to 12%",
                    start=8,
                    target=12,
                    unit="%",
                    owner=p.SOFIA,
                    plan=Plan(
                        STUCK,
                        places=1,
                        steady=False,
                        notes=(
                            "Paywall A/B test started.",
                            "Test inconclusive so far.",
                            "The price change hurt trial conversion.",
                            "Rolling back the new paywall copy.",
                            "Still stuck near 9%.",
                            "New onboarding offer ships next week.",
                        ),
                    ),
                ),
                kr.metric(
                    "premium-churn",
                    "Cut monthly premium churn from 6.5% to 4.5%",
                    start=6.5,
                    target=4.5,
                    unit="%",
                    owner=p.PRIYA,
                    plan=Plan(0.95, places=1, steady=False),
                ),
            ],
            aligns_to=[(ref("company-growth"), 2), (ref("company-launch"), 1)],
        ),
        objective(
            ref("reliability"),
            "Keep the app fast and reliable",
            quarter,
            p.ENGINEERING,
            p.TOM,
            [
                kr.threshold(
                    "uptime",
                    "Keep uptime at or above 99.9%",
                    bound="at_least",
                    target=99.9,
                    unit="%",
                    owner=p.TOM,
                    first=99.93,
                    settled=99.95,
                    wobble=0.03,
                    places=2,
                ),
                kr.threshold(
                    "latency",
                    "Keep p95 API latency at or below 300 ms",
                    bound="at_most",
                    target=300,
                    unit="ms",
                    owner=p.TOM,
                    first=290,
                    settled=325,
                    wobble=15,
                    notes=(
                        "The new search endpoint is slow.",
                        "Profiling search: a missing index.",
                        "Index added; caching fix in review.",
                        "Still above 300 ms at peak hours.",
                        "Read replica planned for next sprint.",
                    ),
                ),
                kr.metric(
                    "crashes",
                    "Cut the app crash rate from 1.2% to 0.5%",
                    start=1.2,
                    target=0.5,
                    unit="%",
                    owner=p.TOM,
                    plan=Plan(1.1, places=2),
                ),
            ],
            kind="committed",
            aligns_to=[(ref("fit-habit"), 1), (ref("company-customers"), 1)],
        ),
    ]
    personal = [
        objective(
            ref("sofia-growth"),
            "Grow into a product lead role",
            quarter,
            p.PRODUCT,
            p.SOFIA,
            [
                kr.metric(
                    "sofia-interviews",
                    "Run 18 customer interviews",
                    start=0,
                    target=18,
                    unit="interviews",
                    owner=p.SOFIA,
                    plan=Plan(ON_TRACK),
                ),
                kr.milestone(
                    "sofia-talk",
                    "Present the retention research at the all-hands",
                    owner=p.SOFIA,
                    done_at=0.85,
                ),
            ],
            private=True,
        ),
    ]
    return [*company, *product, *personal, *build_market(kr)]
