"""The data migration that re-keys measurements stored by older OKR-file imports."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("kpis", "0003_measurement_supersedes")]
AFTER = [("kpis", "0004_measurement_keys_of_imports")]


@pytest.mark.django_db(transaction=True)
def test_it_gives_measurements_of_older_imports_the_key_uploads_use():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Organization = apps.get_model("org", "Organization")
    Team = apps.get_model("org", "Team")
    KPI = apps.get_model("kpis", "KPI")
    Measurement = apps.get_model("kpis", "Measurement")
    org = Organization.objects.create(name="Old")
    team = Team.objects.create(organization=org, name="Old")
    kpi = KPI.objects.create(organization=org, team=team, ref="mrr", name="MRR")
    day = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)

    def row(at, key, **more):
        return Measurement.objects.create(
            organization=org, kpi=kpi, at=at, value=Decimal(1), idempotency_key=key, **more
        )

    default = row(day, "import:mrr:2026-10-01T00:00:00+00:00")
    given = row(day, "import:mrr:my-own-key")  # a key the file gave: kept
    arrived = day + dt.timedelta(days=1)
    row(arrived, f"kpi{kpi.pk}:{arrived.isoformat()}")  # the same day came by upload too
    clash = row(arrived, f"import:mrr:{arrived.isoformat()}")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    keys = dict(Measurement.objects.values_list("pk", "idempotency_key"))
    assert keys[default.pk] == f"kpi{kpi.pk}:2026-10-01T00:00:00+00:00"
    assert keys[given.pk] == "import:mrr:my-own-key"
    assert keys[clash.pk] == f"import:mrr:{arrived.isoformat()}"
