"""The named people of the tests, one per portal role, as the access matrix names them.

- `staff_a`, `staff_b`: province staff of province A (the new Thành phố Hồ Chí Minh, 79) and of
  province B (the new Hà Nội, 01); each edits only its own province.
- `ministry`: the ministry (Bộ Công Thương), who approves and sees every province.
- `viewer`: reads the dashboards; not staff, so no admin.
- `admin`: the portal's admin role (a group, not a superuser).
- `no_role`: an account in no group: signed in, allowed nothing.

`PersonaTestCase` creates A, B and this cast once per class; `cast(a, b)` builds it for a test
that is not a TestCase (a pytest fixture). Single people: the functions below, built on
`factories.member` (which attaches the role's group and the province).
"""

import dataclasses

from django.test import TestCase

from tests import factories

# The names the exports print beside the records these people touched.
STAFF_A_NAME = {"first_name": "Ngọc Lan", "last_name": "Võ Thị"}
MINISTRY_NAME = {"first_name": "Thu Hà", "last_name": "Trần Thị"}


def staff(province, username: str = "staff", **fields):
    return factories.member("province_staff", province, username=username, **fields)


def ministry(username: str = "ministry", **fields):
    return factories.member("ministry", username=username, **fields)


def viewer(username: str = "viewer", **fields):
    return factories.member("viewer", username=username, **fields)


def admin(username: str = "admin_role", **fields):
    return factories.member("admin", username=username, **fields)


def no_role(username: str = "no_role", *, is_staff: bool = True, **fields):
    """An account in no group; staff (it may open the admin's door, and find nothing) unless told."""
    return factories.user(username, is_staff=is_staff, **fields)


@dataclasses.dataclass(frozen=True)
class Cast:
    staff_a: object
    staff_b: object
    ministry: object
    viewer: object
    admin: object
    no_role: object

    def by_name(self) -> dict[str, object]:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def cast(a, b, *, no_role_is_staff: bool = True) -> Cast:
    """The six people, staff of `a` and of `b`."""
    return Cast(
        staff_a=staff(a, "staff_a", **STAFF_A_NAME),
        staff_b=staff(b, "staff_b"),
        ministry=ministry(**MINISTRY_NAME),
        viewer=viewer(),
        admin=admin(),
        no_role=no_role(is_staff=no_role_is_staff),
    )


class PersonaTestCase(TestCase):
    """Provinces A (new 79) and B (new 01) as `cls.a`, `cls.b`, and the cast as class attributes
    (`cls.staff_a` … `cls.no_role`). `NO_ROLE_IS_STAFF = False` for pages outside the admin."""

    NO_ROLE_IS_STAFF = True

    @classmethod
    def setUpTestData(cls):
        cls.a = factories.province("79", new_era=True)
        cls.b = factories.province("01", new_era=True)
        people = cast(cls.a, cls.b, no_role_is_staff=cls.NO_ROLE_IS_STAFF)
        for name, person in people.by_name().items():
            setattr(cls, name, person)
