"""Last quarter's OKRs: closed, checked in to the end, some scores overridden with a reason."""

from __future__ import annotations

from datetime import date

from headway.demo import people as p
from headway.demo.builder import KeyResults, objective
from headway.demo.series import Cycle, Plan, Row


def build_previous(quarter: Cycle, today: date) -> list[Row]:
    kr = KeyResults(quarter, today)
    ref = kr.ref
    return [
        objective(
            ref("company-premium"),
            "Prove that people will pay for premium coaching",
            quarter,
            p.COMPANY,
            p.OLIVIA,
            [
                kr.metric(
                    "premium-3000",
                    "Reach 3,000 premium subscribers",
                    start=1800,
                    target=3000,
                    unit="subscribers",
                    owner=p.PRIYA,
                    plan=Plan(final=1.17),
                ),
                kr.threshold(
                    "premium-refunds",
                    "Keep the premium refund rate at or below 3%",
                    bound="at_most",
                    target=3,
                    unit="%",
                    owner=p.OLIVIA,
                    first=2.8,
                    settled=2.5,
                    wobble=0.3,
                    places=1,
                ),
            ],
            kind="committed",
            state="closed",
        ),
        objective(
            ref("onboarding"),
            "Fix onboarding for new app users",
            quarter,
            p.PRODUCT,
            p.PRIYA,
            [
                kr.metric(
                    "onboarding-completion",
                    "Raise onboarding completion from 55% to 75%",
                    start=55,
                    target=75,
                    unit="%",
                    owner=p.SOFIA,
                    plan=Plan(final=0.8, places=1, steady=False),
                ),
                kr.metric(
                    "first-workout",
                    "Cut the time to a first workout from 9 to 4 minutes",
                    start=9,
                    target=4,
                    unit="minutes",
                    owner=p.PRIYA,
                    plan=Plan(final=0.8, places=1),
                ),
                kr.milestone(
                    "onboarding-flow", "Ship the new onboarding flow", owner=p.TOM, done_at=0.6
                ),
            ],
            aligns_to=[(ref("company-premium"), 2)],
            state="closed",
        ),
        objective(
            ref("content"),
            "Lay the groundwork for organic growth",
            quarter,
            p.MARKETING,
            p.MARCUS,
            [
                kr.metric(
                    "guides",
                    "Publish 20 long-form training guides",
                    start=0,
                    target=20,
                    unit="guides",
                    owner=p.EMMA,
                    plan=Plan(final=0.85),
                ),
                kr.metric(
                    "newsletter",
                    "Grow newsletter subscribers from 4,000 to 8,000",
                    start=4000,
                    target=8000,
                    unit="subscribers",
                    owner=p.MARCUS,
                    plan=Plan(final=0.3),
                    score=0.5,
                    score_reason=(
                        "We removed 900 inactive addresses in a list clean-up mid-quarter; "
                        "counting them, growth reached half of the target."
                    ),
                ),
                kr.milestone(
                    "analytics", "Set up analytics and attribution", owner=p.MARCUS, done_at=0.5
                ),
            ],
            aligns_to=[(ref("company-premium"), 1)],
            state="closed",
        ),
        objective(
            ref("backlog"),
            "Get the support backlog under control",
            quarter,
            p.SUPPORT,
            p.LUCAS,
            [
                kr.metric(
                    "open-tickets",
                    "Cut open tickets from 400 to 50",
                    start=400,
                    target=50,
                    unit="tickets",
                    owner=p.LUCAS,
                    plan=Plan(final=1.03),
                ),
                kr.metric(
                    "support-hires",
                    "Hire two support agents",
                    start=0,
                    target=2,
                    unit="people",
                    owner=p.LUCAS,
                    plan=Plan(final=0.5),
                    score=0.7,
                    score_reason=(
                        "The second agent signed on the last day of the quarter and starts "
                        "next month."
                    ),
                ),
            ],
            kind="committed",
            state="closed",
        ),
        objective(
            ref("checkout"),
            "Make checkout painless",
            quarter,
            p.COMMERCE,
            p.DANIEL,
            [
                kr.metric(
                    "checkout-conversion",
                    "Raise checkout conversion from 2.1% to 3.0%",
                    start=2.1,
                    target=3.0,
                    unit="%",
                    owner=p.HANNAH,
                    plan=Plan(final=0.33, places=2, steady=False),
                    score=0.2,
                    score_reason=(
                        "Conversion peaked during a one-off sale in the last two weeks; "
                        "without it we stayed near 2.2%."
                    ),
                ),
                kr.metric(
                    "checkout-steps",
                    "Cut checkout from 5 steps to 3",
                    start=5,
                    target=3,
                    unit="steps",
                    owner=p.HANNAH,
                    plan=Plan(final=1.0),
                ),
            ],
            state="closed",
        ),
    ]
