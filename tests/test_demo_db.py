"""tests/demo_db.py: a recorded load replayed gives the database the loader gave, and a load that
starts from another state runs the loader instead."""

from itertools import count

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import TestCase

from conferences.models import Conference
from programmes.models import BudgetPlan, Project
from tests import demo_db, factories

_keys = count(1)


_everything = demo_db.tables


class _Rollback(Exception):
    pass


def _in_rolled_back_transaction(work):
    """Run `work()` in a transaction that is then rolled back; returns what it returned."""
    outcome = {}
    try:
        with transaction.atomic():
            outcome["value"] = work()
            raise _Rollback
    except _Rollback:
        pass
    return outcome["value"]


class ReplayTests(TestCase):
    def setUp(self):
        self.calls = 0
        self.key = ("test", next(_keys))

    def loader(self):
        """Adds rows (a user, a many-to-many row, its history if any), changes a seeded row and
        removes another (with its permission rows): every kind of change a replay must redo."""
        self.calls += 1
        account = factories.user("replayed")
        viewer = Group.objects.get(name="viewer")
        account.groups.add(viewer)
        Group.objects.filter(name="ministry").update(name="ministry (renamed)")
        Group.objects.get(name="admin").delete()
        return f"run {self.calls}"

    def load_and_read(self):
        return demo_db.replayable(self.key, self.loader), _everything()

    def test_the_replay_gives_the_state_the_loader_gave(self):
        before = _everything()
        first, recorded = _in_rolled_back_transaction(self.load_and_read)
        self.assertEqual(_everything(), before)  # rolled back

        second, replayed = _in_rolled_back_transaction(self.load_and_read)

        self.assertEqual(self.calls, 1)
        self.assertEqual((first, second), ("run 1", "run 1"))
        self.assertNotEqual(recorded, before)
        self.assertEqual(replayed, recorded)

    def test_the_replay_recorded_additions_changes_and_removals(self):
        _in_rolled_back_transaction(self.load_and_read)

        changes = {change.model._meta.db_table: change for change in demo_db._records[self.key].changes}

        self.assertEqual(len(changes["auth_user"].added), 1)
        self.assertEqual(len(changes["auth_user_groups"].added), 1)
        self.assertEqual(len(changes["auth_group"].changed), 1)
        self.assertEqual(len(changes["auth_group"].removed), 1)
        self.assertEqual(
            len(changes["auth_group_permissions"].removed), Group.objects.get(name="admin").permissions.count()
        )

    def test_a_load_from_another_state_runs_the_loader(self):
        _in_rolled_back_transaction(self.load_and_read)
        fallbacks = demo_db.counters["fallbacks"]

        def write_then_load():
            factories.user("first")
            return self.load_and_read()

        result, state = _in_rolled_back_transaction(write_then_load)

        self.assertEqual((self.calls, result), (2, "run 2"))
        self.assertEqual(demo_db.counters["fallbacks"], fallbacks + 1)
        self.assertFalse(User.objects.filter(username="replayed").exists())  # rolled back
        username = User._meta.concrete_fields.index(User._meta.get_field("username"))
        self.assertIn("first", {row[username] for row in state["auth_user"].values()})

    def test_a_second_load_from_that_other_state_replays_its_own_record(self):
        # A process whose state moved for good (CI's PostgreSQL pass: a worker's every later
        # class ran the loaders) records once for the new state, then replays.
        _in_rolled_back_transaction(self.load_and_read)

        def write_then_load():
            # A fixed key, so that the state is the same twice on PostgreSQL too (its sequences
            # are not rolled back: the factory's next user would take another key).
            User.objects.create(pk=900_001, username="first")
            return self.load_and_read()

        first, recorded = _in_rolled_back_transaction(write_then_load)
        replays = demo_db.counters["replayed"]
        second, replayed = _in_rolled_back_transaction(write_then_load)

        self.assertEqual(self.calls, 2)  # the clean state's run, then the other state's, once
        self.assertEqual((first, second), ("run 2", "run 2"))
        self.assertEqual(demo_db.counters["replayed"], replays + 1)
        # The same rows but the caller's own user, written twice (its date joined is the clock's).
        users = recorded.pop("auth_user"), replayed.pop("auth_user")
        self.assertEqual(replayed, recorded)
        username = User._meta.concrete_fields.index(User._meta.get_field("username"))
        self.assertEqual(*({key: row[username] for key, row in rows.items()} for rows in users))

    def test_new_rows_after_a_replay_take_fresh_keys(self):
        _in_rolled_back_transaction(self.load_and_read)

        def replay_then_write():
            demo_db.replayable(self.key, self.loader)
            return factories.user("after").pk

        new_key = _in_rolled_back_transaction(replay_then_write)

        recorded = {change.model: change for change in demo_db._records[self.key].changes}[User]
        self.assertGreater(new_key, recorded.added[0][recorded.columns.index("id")])


class DemoReplayTests(TestCase):
    """The real demo, both stages: a replay gives every row the genuine loaders wrote."""

    def test_the_demo_replayed_is_the_demo_loaded(self):
        # Recorded by whichever class of this process asked first, or here.
        _in_rolled_back_transaction(lambda: demo_db.load(conferences=True))
        replays = demo_db.counters["replayed"]

        results, replayed = _in_rolled_back_transaction(lambda: (demo_db.load(conferences=True), _everything()))

        self.assertEqual(demo_db.counters["replayed"], replays + 2)  # both stages replayed
        record = demo_db._records[("demo", "programmes", "conferences")]
        self.assertEqual(replayed, record.after)
        self.assertIs(results["conferences"], record.result)

    def test_the_shared_demo_has_its_projects_plans_and_conferences(self):
        results = demo_db.load(conferences=True)

        counts = results["programmes"].counts
        self.assertGreater(counts["projects"], 0)
        self.assertEqual(Project.objects.count(), counts["projects"])
        # The loader's plans, and the working morning's next-year plans of TP Hồ Chí Minh, one
        # per fund (programmes.demo_start), which the loader's counts leave out.
        self.assertEqual(BudgetPlan.objects.count(), counts["plans"] + 2)
        self.assertEqual(Conference.objects.count(), results["conferences"].counts["conferences"])
