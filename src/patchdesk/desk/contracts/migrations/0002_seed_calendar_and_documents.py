"""Default provider rules: business hours 10:00-18:00, Japanese holidays, 90 days' warning,
the year-end closure (29 December - 3 January), and version 1.0 of the service specification
(2014-11-17) and of the terms of service. Operators edit them in the console."""

from __future__ import annotations

import datetime

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    CalendarSettings = apps.get_model("contracts", "CalendarSettings")
    ProviderClosure = apps.get_model("contracts", "ProviderClosure")
    ServiceDocument = apps.get_model("contracts", "ServiceDocument")
    CalendarSettings.objects.get_or_create(
        pk=1,
        defaults={
            "opens_at": datetime.time(10, 0),
            "closes_at": datetime.time(18, 0),
            "holiday_country": "JP",
            "eos_warning_days": 90,
        },
    )
    if not ProviderClosure.objects.exists():
        ProviderClosure.objects.create(
            label="年末年始 (Year-end and New Year holidays)",
            is_annual=True,
            start_month=12,
            start_day=29,
            end_month=1,
            end_day=3,
        )
    effective = datetime.date(2014, 11, 17)
    ServiceDocument.objects.get_or_create(
        kind="specification",
        version="1.0",
        defaults={"title": "セキュリティアップデートサービス仕様書", "effective_on": effective},
    )
    ServiceDocument.objects.get_or_create(
        kind="terms",
        version="1.0",
        defaults={"title": "利用規約", "effective_on": effective},
    )


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
