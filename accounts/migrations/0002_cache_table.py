"""The table of the database cache (settings.CACHES), so that `migrate` is enough.

The cache holds the API's rate-limit counters, shared by every worker. Django's
`createcachetable` makes the table of the cache currently configured; this makes the portal's
one whatever CACHE_URL says today, so that moving from Redis back to the database needs nothing.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "portal_cache"  # settings.CACHES["default"]["LOCATION"] without CACHE_URL


def create_cache_table(apps, schema_editor):
    # createcachetable's own method: skips an existing table, creates the table and its index.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
