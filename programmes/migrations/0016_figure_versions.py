"""The figures' data versions (models/versions.py), the triggers that bump them on SQLite and
PostgreSQL, and the table of the figures' database cache (settings.CACHES["figures"]), so that
`migrate` is enough (`manage.py createcachetable` makes it too)."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations, models

from programmes.models.versions import drop_version_trigger_sql, install_version_triggers

CACHE_TABLE = "figures_cache"  # settings.CACHES["figures"]["LOCATION"] without CACHE_URL


def create_triggers_and_cache_table(apps, schema_editor):
    install_version_triggers(schema_editor.connection)
    # createcachetable's own method: skips an existing table, creates the table and its index.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_triggers_and_cache_table(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in drop_version_trigger_sql(schema_editor.connection.vendor):
            cursor.execute(statement)
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0015_figures_rollup"),
    ]

    operations = [
        migrations.CreateModel(
            name="FigureVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("province", models.BigIntegerField(db_column="province_id", verbose_name="province")),
                ("version", models.BigIntegerField(verbose_name="version")),
                ("xact", models.BigIntegerField(editable=False, null=True)),
            ],
            options={
                "verbose_name": "figure version",
                "verbose_name_plural": "figure versions",
                "constraints": [models.UniqueConstraint(fields=("year", "province"), name="figure_version_key")],
            },
        ),
        migrations.RunPython(create_triggers_and_cache_table, drop_triggers_and_cache_table),
    ]
