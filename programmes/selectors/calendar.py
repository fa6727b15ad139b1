"""The reporting calendar as the pages, the reports' due dates and the reminders read it: the
administrator's deadlines (models.Deadline), each falling back to its built-in default when its
row is missing, read in one query.
"""

import datetime
from dataclasses import dataclass

from ..models import Deadline, DeadlineCode, Period
from ..models.calendar import COVERS_TO, DEFAULTS, PERIOD_DEADLINES, REPORT_PERIODS


@dataclass(frozen=True)
class CalendarEntry:
    """One deadline of the programme's year `year` (the year it concerns), on `day`."""

    code: str
    label: str
    year: int
    day: datetime.date
    covers_to: datetime.date | None  # the last day a report covers; None for other deadlines
    period: str | None  # the report's Period in the approval workflow; None for the others
    remind_days: int
    note: str

    @property
    def is_report(self) -> bool:
        return self.covers_to is not None


@dataclass(frozen=True)
class _Rule:
    month: int
    day: int
    following_year: bool
    remind_days: int
    note: str


class ReportingCalendar:
    """The deadlines of every year, from the administrator's rows or their defaults."""

    def __init__(self, rows: dict[str, _Rule]):
        self._rules = rows

    @classmethod
    def load(cls) -> "ReportingCalendar":
        """The calendar in force: one query (the deadlines' rows)."""
        stored = {row.code: row for row in Deadline.objects.all()}
        return cls.from_rows(stored)

    @classmethod
    def defaults(cls) -> "ReportingCalendar":
        """The built-in calendar, without reading the database."""
        return cls.from_rows({})

    @classmethod
    def from_rows(cls, stored: dict) -> "ReportingCalendar":
        rules = {}
        for code in DeadlineCode.values:
            row = stored.get(code)
            if row is not None:
                rules[code] = _Rule(row.month, row.day, row.following_year, row.remind_days, row.note)
            else:
                default = DEFAULTS[DeadlineCode(code)]
                rules[code] = _Rule(default.month, default.day, default.following_year, default.remind_days, "")
        return cls(rules)

    def date_of(self, code: str, year: int) -> datetime.date:
        """The day of deadline `code` concerning `year` (22/01/2027 for the 2026 settlement)."""
        rule = self._rules[code]
        return datetime.date(year + 1 if rule.following_year else year, rule.month, rule.day)

    def report_due(self, year: int, period: str) -> datetime.date:
        """When the `period` report of `year` is due."""
        return self.date_of(PERIOD_DEADLINES[Period(period)], year)

    def entry(self, code: str, year: int) -> CalendarEntry:
        rule = self._rules[code]
        covers = COVERS_TO.get(DeadlineCode(code))
        period = REPORT_PERIODS.get(DeadlineCode(code))
        return CalendarEntry(
            code=code,
            label=str(DeadlineCode(code).label),
            year=year,
            day=self.date_of(code, year),
            covers_to=datetime.date(year, *covers) if covers else None,
            period=str(period) if period else None,
            remind_days=rule.remind_days,
            note=rule.note,
        )

    def entries_falling_in(self, year: int) -> list[CalendarEntry]:
        """Every deadline whose day falls in calendar year `year` (the annual report and the
        settlement of `year - 1` among them), by date."""
        entries = [self.entry(code, concerned) for concerned in (year - 1, year) for code in DeadlineCode.values]
        return sorted((e for e in entries if e.day.year == year), key=lambda e: (e.day, e.code))

    def upcoming(self, today: datetime.date, *, count: int = 4) -> list[CalendarEntry]:
        """The next `count` deadlines from `today` on (today's included), by date."""
        entries = self.entries_falling_in(today.year) + self.entries_falling_in(today.year + 1)
        return [entry for entry in entries if entry.day >= today][:count]
