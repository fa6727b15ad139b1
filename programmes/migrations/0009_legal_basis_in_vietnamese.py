"""The activity categories' legal basis in Vietnamese, as the decree is cited in Vietnam
("Khoản 1 Điều 4 Nghị định 45/2012/NĐ-CP"): the seed (0002) wrote it in English, which the
data-entry pages showed in Vietnamese mode. Only the seed's own text is rewritten; a legal basis
someone has edited since is left as it is."""

import re

from django.db import migrations

SEEDED = re.compile(r"^Decree 45/2012/NĐ-CP Art\. 4\.(\d)$")


def to_vietnamese(apps, schema_editor):
    ActivityCategory = apps.get_model("programmes", "ActivityCategory")
    for category in ActivityCategory.objects.all():
        match = SEEDED.match(category.legal_basis)
        if match:
            category.legal_basis = f"Khoản {match.group(1)} Điều 4 Nghị định 45/2012/NĐ-CP"
            category.save(update_fields=["legal_basis"])


class Migration(migrations.Migration):
    dependencies = [("programmes", "0008_user_accounts_audited")]

    operations = [migrations.RunPython(to_vietnamese, migrations.RunPython.noop)]
