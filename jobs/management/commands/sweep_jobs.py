from django.core.management.base import BaseCommand

from jobs import services


class Command(BaseCommand):
    help = (
        "Mark failed the background jobs whose worker died (no progress for JOBS_STALE_SECONDS), "
        "delete the files kept past JOBS_FILE_HOURS and the job records older than JOBS_KEEP_DAYS."
    )

    def handle(self, *args, **options):
        result = services.sweep()
        self.stdout.write(
            f"{result.given_up} stale job(s) marked failed, {result.files_deleted} file(s) deleted, "
            f"{result.jobs_deleted} old job record(s) deleted."
        )
