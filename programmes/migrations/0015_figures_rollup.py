"""The figures' rollup tables (models/rollup.py), the triggers that keep them exact on SQLite and
PostgreSQL, and their first fill from the rows already recorded."""

import django.db.models.deletion
from django.db import migrations, models

from programmes.models.rollup import drop_trigger_sql, install_triggers, rebuild_sql


def create_triggers_and_fill(apps, schema_editor):
    connection = schema_editor.connection
    install_triggers(connection)
    with connection.cursor() as cursor:
        for statement in rebuild_sql(connection.vendor):
            cursor.execute(statement)


def drop_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in drop_trigger_sql(schema_editor.connection.vendor):
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0014_reminders_once_a_day"),
    ]

    operations = [
        migrations.CreateModel(
            name="DisbursementRollup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("project_year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "funding_source",
                    models.CharField(
                        choices=[("KCQG", "National fund (KCQG)"), ("KCDP", "Local fund (KCĐP)")],
                        max_length=4,
                        verbose_name="funding source",
                    ),
                ),
                ("month", models.DateField(verbose_name="month")),
                (
                    "total_vnd",
                    models.DecimalField(decimal_places=0, max_digits=20, verbose_name="net disbursed (đồng)"),
                ),
                ("row_count", models.IntegerField(verbose_name="disbursements")),
                (
                    "province",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="programmes.province",
                        verbose_name="province",
                    ),
                ),
            ],
            options={
                "verbose_name": "monthly disbursement total",
                "verbose_name_plural": "monthly disbursement totals",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("project_year", "province", "funding_source", "month"), name="disbursement_rollup_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OutputRollup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("project_year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("month", models.DateField(verbose_name="month")),
                ("total", models.BigIntegerField(verbose_name="value")),
                ("row_count", models.IntegerField(verbose_name="outputs")),
                (
                    "indicator",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="programmes.indicator",
                        verbose_name="indicator",
                    ),
                ),
                (
                    "province",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="programmes.province",
                        verbose_name="province",
                    ),
                ),
            ],
            options={
                "verbose_name": "monthly output total",
                "verbose_name_plural": "monthly output totals",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("project_year", "province", "indicator", "month"), name="output_rollup_key"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers_and_fill, drop_triggers),
    ]
