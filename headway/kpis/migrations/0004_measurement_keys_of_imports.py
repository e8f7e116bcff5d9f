"""Measurements stored by OKR-file imports under `import:<ref>:<time>` get the key uploads
and webhooks give the same KPI and time (`kpi<id>:<time>`), so a value of that day sent
another way is a correction rather than a second measurement. A row whose new key is taken
(the same day already arrived the other way) keeps its old key."""

import datetime as dt

from django.db import migrations


def rekey(apps, schema_editor):
    Measurement = apps.get_model("kpis", "Measurement")
    rows = Measurement.objects.filter(
        idempotency_key__startswith="import:", superseded_at=None
    ).select_related("kpi")
    for row in rows.iterator():
        at = row.at.astimezone(dt.UTC).isoformat()
        if row.idempotency_key != f"import:{row.kpi.ref}:{at}":
            continue  # a key the file gave, not the default
        key = f"kpi{row.kpi_id}:{at}"
        taken = Measurement.objects.filter(
            organization_id=row.organization_id, idempotency_key=key
        ).exists()
        if not taken:
            Measurement.objects.filter(pk=row.pk).update(idempotency_key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0003_measurement_supersedes"),
    ]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
