"""Hostile workbooks (tests/hostile/make_corpus.py): each is refused with its message, or read
safely, within bounded CPU time and memory, and the upload page answers it without a 500.

The bounds are safety bounds, not performance targets: generous enough never to flake on a
loaded machine (a refusal takes milliseconds), tight enough that a reader which parses what it
should not (a million rows, 55 MB of strings) cannot meet them. A reader that runs away is stopped
after RUNAWAY_CPU_SECONDS of CPU time so that the failure is quick.
"""

import io
import signal
import time
import tracemalloc
from contextlib import contextmanager

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains

from programmes import importer
from tests import factories
from tests.hostile import make_corpus

YEAR = 2024
CPU_SECONDS = 2.0
PEAK_BYTES = 50 * 1024 * 1024
RUNAWAY_CPU_SECONDS = 20


def guard():
    # Imported when a message is needed, so that the table below can be read by the old code too.
    from common import workbook_guard

    return workbook_guard


MB = 1024 * 1024

# name -> (the expected refusal message, or None when the file is read; the queries reading it
# makes: 0 when refused before the workbook is opened, 1 for the province of its _meta sheet)
EXPECTED = {
    "zip_bomb": (lambda: importer.msg_zip_bomb(), 0),
    "sparse_corner": (lambda: guard().msg_dimension("Đề án", "A1:XFD1048576", "L5001"), 0),
    "undeclared_corner": (lambda: guard().msg_cell_outside("Đề án", "XFD1048576", "L5001"), 0),
    "shared_strings_55mb": (lambda: guard().msg_shared_strings_too_big(8 * MB), 0),
    "macros_xlsm": (lambda: importer.msg_macro(), 0),
    "vba_member": (lambda: importer.msg_macro(), 0),
    "billion_laughs": (lambda: guard().msg_doctype("xl/worksheets/sheet2.xml"), 0),
    "billion_laughs_in_strings": (lambda: guard().msg_doctype("xl/sharedStrings.xml"), 0),
    "external_entity": (lambda: guard().msg_doctype("xl/worksheets/sheet2.xml"), 0),
    "rows_200k": (lambda: guard().msg_dimension("Giải ngân", "A1:E200001", "E5001"), 0),
    "rows_200k_full": (lambda: guard().msg_part_too_big("xl/worksheets/sheet5.xml", 16 * MB), 0),
    "lying_dimension": (lambda: guard().msg_cell_outside("Kế hoạch", "A5002", "B5001"), 0),
    "short_dimension": (None, 1),
    "long_strings": (None, 1),
    "not_zip": (lambda: importer.msg_not_xlsx(), 0),
    "no_workbook": (lambda: importer.msg_not_xlsx(), 0),
    "many_sheets": (lambda: guard().msg_too_many_sheets(20_009, 50), 0),  # 20,000 added to the 9 of the template
    "many_parts": (lambda: guard().msg_too_many_parts(500), 0),
    "damaged_sheet": (lambda: importer.msg_not_xlsx(), 0),
    "bad_string_index": (lambda: importer.msg_not_xlsx(), 1),
}


class Runaway(Exception):
    pass


@contextmanager
def bounded():
    """Measure the block's CPU time and traced peak memory into the yielded dict; stop it with
    Runaway once it has used RUNAWAY_CPU_SECONDS of CPU."""

    def stop(_signum, _frame):
        raise Runaway(f"still running after {RUNAWAY_CPU_SECONDS} s of CPU")

    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, RUNAWAY_CPU_SECONDS)
    tracemalloc.start()
    measured = {}
    start = time.process_time()
    try:
        yield measured
    finally:
        measured["cpu"] = time.process_time() - start
        measured["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


@pytest.fixture
def template(db):
    return importer.build_template(factories.province("79"), YEAR)


@pytest.fixture
def officer(db):
    return factories.member("province_staff", factories.province("79", new_era=True), username="officer")


def test_the_corpus_is_complete():
    assert set(EXPECTED) == set(make_corpus.CORPUS)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a_hostile_workbook_is_read_within_bounds(name, template, django_assert_num_queries):
    data = make_corpus.build(name, template)
    filename = make_corpus.CORPUS[name][1]
    expected, queries = EXPECTED[name]
    refusal = parsed = None
    with django_assert_num_queries(queries), bounded() as measured:
        try:
            parsed = importer.read_workbook(data, filename)
        except importer.ImportRefused as error:
            refusal = error.message
    assert measured["cpu"] < CPU_SECONDS, measured
    assert measured["peak"] < PEAK_BYTES, measured
    if expected is None:
        assert refusal is None
        assert parsed is not None
    else:
        assert refusal == expected()


def test_a_short_dimension_does_not_hide_rows(template):
    parsed = importer.read_workbook(make_corpus.build("short_dimension", template), "ke-hoach.xlsx")
    assert parsed.rows["Kế hoạch"] == [(2, {"fund": "KCQG", "planned": 2000}), (3, {"fund": "KCDP", "planned": 3000})]


def test_long_strings_are_read_whole_and_reported_by_the_dry_run(template, officer):
    parsed = importer.read_workbook(make_corpus.build("long_strings", template), "ke-hoach.xlsx")
    number, project = parsed.rows["Đề án"][-1]
    assert (number, len(project["title"]), len(project["unit"])) == (900, MB, 32_767)
    report = importer.run_import(parsed, officer, commit=False)
    assert [(e.row, e.column[0]) for e in report.errors] == [(900, "B"), (900, "J"), (900, "K")]


@override_settings(IMPORT_MAX_ROWS=3)
def test_the_row_limit_is_the_template_area(template):
    """The template of a province without records has only its headers: rows 2 to 4 may be filled."""

    def plans(count: int) -> bytes:
        rows = "".join(
            f'<row r="{n}">{make_corpus.inline(f"A{n}", "KCQG")}<c r="B{n}"><v>{n}</v></c></row>'
            for n in range(2, count + 2)
        )
        return make_corpus.replaced(template, "Kế hoạch", lambda xml: make_corpus.add_rows(xml, rows))

    assert importer.read_workbook(template, "ke-hoach.xlsx").rows["Kế hoạch"] == []
    assert len(importer.read_workbook(plans(3), "ke-hoach.xlsx").rows["Kế hoạch"]) == 3
    with pytest.raises(importer.ImportRefused) as refused:
        importer.read_workbook(plans(4), "ke-hoach.xlsx")
    assert refused.value.message == guard().msg_cell_outside("Kế hoạch", "A5", "B4")


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_upload_page_answers_a_hostile_workbook(name, template, officer, client):
    data = make_corpus.build(name, template)
    upload = io.BytesIO(data)
    upload.name = make_corpus.CORPUS[name][1]
    client.force_login(officer)
    with bounded():
        response = client.post(reverse("programmes:import"), {"file": upload})
    assert response.status_code == 200
    expected, _queries = EXPECTED[name]
    if expected is None:
        assert response.context["report"] is not None
    else:
        assertContains(response, escape(expected()))
        assert response.context.get("report") is None
