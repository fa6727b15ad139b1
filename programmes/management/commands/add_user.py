"""manage.py add_user USERNAME --role ROLE [--province CODE] — create or update a portal account.

The password comes from the PORTAL_PASSWORD environment variable, or is asked for (twice) on
a terminal; it must pass the password validators. Running it again for the same user name
updates the role, province and password, so deployment scripts can call it every time. The
account is written by programmes.services.accounts, as the admin's user page writes it.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import Province, Role
from programmes.services.accounts import account_create, account_set_password, account_update


def find_province(code: str, era: str | None) -> Province:
    """The province with `code`: of the given era (`old` to 30/06/2025, `new` from 01/07/2025),
    else the one in force today, else the old one (a code alone is ambiguous after 2025)."""
    candidates = list(Province.objects.filter(code=code).order_by("-valid_from"))
    if era == "new":
        candidates = [p for p in candidates if p.valid_to is None]
    elif era == "old":
        candidates = [p for p in candidates if p.valid_to is not None]
    if not candidates:
        raise CommandError(_("No province has the code %(code)s.") % {"code": code})
    today = timezone.localdate()
    current = [p for p in candidates if p.in_force_on(today)]
    return (current or candidates)[0]


class Command(BaseCommand):
    help = "Create or update a portal user with a role (and a province for province staff)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--province", help="province code, e.g. 79 (required for province_staff)")
        parser.add_argument(
            "--era", choices=["old", "new"], help="which province the code means: old (to 30/06/2025) or new"
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, province, era, first_name, last_name, email, **options):
        role = Role(role)
        if role == Role.PROVINCE_STAFF and not province:
            raise CommandError(_("Province staff need --province CODE."))
        if role != Role.PROVINCE_STAFF and province:
            raise CommandError(_("Only province staff are attached to a province."))
        place = find_province(province, era) if province else None
        password = self._password()
        User = get_user_model()
        names = {"first_name": first_name, "last_name": last_name, "email": email}
        existing = User.objects.filter(username=username).first()
        created = existing is None
        # The same rules as the admin's user page: programmes.services.accounts.
        try:
            with transaction.atomic():
                if existing is None:
                    account_create(username=username, password=password, role=role, province=place, **names)
                else:
                    given = {name: value for name, value in names.items() if value}
                    account_update(user=existing, role=role, province=place, is_active=True, **given)
                    account_set_password(user=existing, password=password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        verb = _("Created") if created else _("Updated")
        where = f" – {place}" if place else ""
        self.stdout.write(self.style.SUCCESS(f"{verb}: {username} ({role.label}{where})"))

    def _password(self) -> str:
        password = os.environ.get("PORTAL_PASSWORD")
        if password:
            return password
        if not os.isatty(0):
            raise CommandError(_("Set PORTAL_PASSWORD, or run the command on a terminal to type the password."))
        first = getpass.getpass(_("Password: "))
        if first != getpass.getpass(_("Password (again): ")):
            raise CommandError(_("The two passwords differ."))
        return first
