"""Remove Django REST framework's tokens (rest_framework.authtoken), which were kept in clear.

The API's tokens are now accounts.ApiToken (digests only, with an expiry); the old table would
otherwise stay in the database with every old token readable. Its content type and permissions
are left to `manage.py remove_stale_contenttypes`, which also handles the admin's log entries
that point to them. Nothing to undo: the old tokens are not coming back.
"""

from django.db import migrations


def drop_plaintext_tokens(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_cache_table")]

    operations = [migrations.RunPython(drop_plaintext_tokens, migrations.RunPython.noop)]
