"""`common.api.run`: a write the database refused as a deadlock is run again, once it is safe.

No database: the writes are stand-ins, and a transactional test would flush the seeded rows
that later tests of the same worker expect (PostgreSQL run)."""

from types import SimpleNamespace

import pytest
from django.db import OperationalError

from common.api import ATTEMPTS, run


class _Cause(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def refused(sqlstate):
    """An OperationalError as Django raises it from psycopg's (the driver's error is its cause)."""
    error = OperationalError("refused")
    error.__cause__ = _Cause(sqlstate)
    return error


def flaky(failures, sqlstate="40P01"):
    calls = []

    def write(**kwargs):
        calls.append(kwargs)
        if len(calls) <= failures:
            raise refused(sqlstate)
        return "saved"

    return write, calls


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_a_deadlocked_write_is_run_again_with_the_same_arguments(sqlstate):
    write, calls = flaky(ATTEMPTS - 1, sqlstate)
    assert run(write, code="P-01") == "saved"
    assert calls == [{"code": "P-01"}] * ATTEMPTS


def test_it_gives_up_after_the_last_attempt():
    write, calls = flaky(ATTEMPTS)
    with pytest.raises(OperationalError):
        run(write)
    assert len(calls) == ATTEMPTS


def test_other_database_errors_are_not_retried():
    write, calls = flaky(1, sqlstate="08006")  # connection failure: the fault tests' 500
    with pytest.raises(OperationalError):
        run(write)
    assert len(calls) == 1


def test_inside_an_enclosing_transaction_the_error_is_raised_as_it_came(monkeypatch):
    """The rollback undid the caller's work too: running the write again alone would be wrong."""
    monkeypatch.setattr("common.api.connection", SimpleNamespace(in_atomic_block=True))
    write, calls = flaky(1)
    with pytest.raises(OperationalError):
        run(write)
    assert len(calls) == 1
