"""Which models are audited, and how each appears in the history."""

from __future__ import annotations

from headway.audit.record import Audited, register


def register_all() -> None:
    from headway.kpis.models import KPI, Measurement
    from headway.okrs.models import Alignment, CheckIn, Cycle, Initiative, KeyResult, Objective
    from headway.org.models import Membership, Organization, Team, TeamMembership

    register(Organization, Audited("organization", lambda o: o.pk, lambda o: o.name))
    register(Team, Audited("team", lambda o: o.organization_id, lambda o: o.name))
    register(
        Membership,
        Audited("membership", lambda o: o.organization_id, lambda o: o.user.email),
    )
    register(
        TeamMembership,
        Audited(
            "team_membership",
            lambda o: o.organization_id,
            lambda o: o.team.name,
            scope=lambda o: ("membership", o.membership_id),
        ),
    )
    register(Cycle, Audited("cycle", lambda o: o.organization_id, lambda o: o.name))
    register(Objective, Audited("objective", lambda o: o.organization_id, lambda o: o.ref))
    register(
        Alignment,
        Audited(
            "alignment",
            lambda o: o.organization_id,
            lambda o: f"{o.child.ref} -> {o.parent.ref}",
            scope=lambda o: ("objective", o.child_id),
        ),
    )
    register(KeyResult, Audited("key_result", lambda o: o.organization_id, lambda o: o.ref))
    register(
        CheckIn,
        Audited(
            "checkin",
            lambda o: o.organization_id,
            lambda o: f"check-in {o.at:%Y-%m-%d %H:%M}",
            scope=lambda o: ("key_result", o.key_result_id),
        ),
    )
    register(
        Initiative,
        Audited(
            "initiative",
            lambda o: o.organization_id,
            lambda o: o.title,
            scope=lambda o: ("key_result", o.key_result_id),
        ),
    )
    register(KPI, Audited("kpi", lambda o: o.organization_id, lambda o: o.ref))
    register(
        Measurement,
        Audited(
            "measurement",
            lambda o: o.organization_id,
            lambda o: f"measurement {o.at:%Y-%m-%d %H:%M}",
            scope=lambda o: ("kpi", o.kpi_id),
        ),
    )

    from headway.api.models import ApiToken

    register(
        ApiToken,
        Audited(
            "api_token",
            lambda o: o.organization_id,
            lambda o: o.name,
            hidden=frozenset({"token_hash"}),
        ),
    )
