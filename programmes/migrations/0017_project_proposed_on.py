"""The proposal date of a project (`Project.proposed_on`), the first dated step of its lifecycle.

No backfill: nothing recorded so far says when a project was proposed, so every existing project
keeps an empty date (the pipeline page counts it as "no proposal date recorded", never as a wait
of 0 days). What was considered and why it is not the proposal date:

- the lifecycle steps (`ProjectTransition`) start at the appraisal (or a cancellation): their
  dates are those of later steps;
- the record's creation (`created_at`, the first row of its history) is the day somebody typed it
  into the portal: years later for the historical records, and after the province received it
  for a new proposal. Taken as the proposal date it would shorten the wait being measured, and
  refuse the steps already dated before it.
"""

from django.db import migrations, models

FIELD = dict(
    blank=True,
    help_text="The date of the proposal; leave it empty when it is not known. No step may be dated before it.",
    null=True,
    verbose_name="proposed on",
)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0016_figure_versions"),
    ]

    operations = [
        migrations.AddField(model_name="historicalproject", name="proposed_on", field=models.DateField(**FIELD)),
        migrations.AddField(model_name="project", name="proposed_on", field=models.DateField(**FIELD)),
    ]
