"""The data-entry pages (Django's admin) fit the screens people use (issue 15), on the demo data:

- every changelist each role reaches from the admin's index (province staff, the ministry, the
  portal's administrator), and the change form of each list's first record, at 1366×768 have
  no horizontal scroll (`scrollWidth <= innerWidth`); at 390×844 (a phone) the same pages keep
  their main action (the add button, a record's link, the save or close button) on the screen.
  A screenshot of each page at both sizes goes to screenshots/e2e/<test>/ for a person to look
  at; a page that scrolls sideways fails with its address and widths, all at once;
- a date field shows no note about the browser's time zone when that zone is not Vietnam's
  (Django's admin adds "Note: You are N hours ahead of server time"; js/admin_dates.js stops it).
"""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from accounts import services as token_services
from conferences import demo as conference_demo
from programmes import demo
from tests import personas
from tests.e2e.conftest import SHOTS, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "demo-password-e2e"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# The role's person: a demo user (password PASSWORD), or the administrator role's persona (a
# group, not a superuser: the demo's "admin" is a superuser) with the factories' password.
ROLES = {
    "staff": ("tphcm", PASSWORD),
    "ministry": ("bo.congthuong", PASSWORD),
    "administrator": ("quantri", "pw-quantri"),
}

# How wide the page is, and where an element is, as the browser lays them out.
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# The boxes of the page that scroll sideways inside themselves (a changelist's table in its
# `.results` box): the page itself fits, but columns are hidden behind a scroll bar all the same.
INNER_SCROLLS = """() => [...document.querySelectorAll("#content *")].filter((element) => {
  const overflow = getComputedStyle(element).overflowX;
  return (overflow === "auto" || overflow === "scroll") && element.scrollWidth > element.clientWidth + 1;
}).map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`
  + ` ${element.scrollWidth}px > ${element.clientWidth}px`)"""
ON_SCREEN = """(element) => {
  const box = element.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && box.left >= 0 && box.right <= window.innerWidth;
}"""
# A page's main action: a changelist's add button, else its first record's link (a list the
# role only reads); a form's save button, else its close link (a read-only record).
CHANGELIST_ACTION = ".object-tools .addlink, #result_list tbody tr a"
FORM_ACTION = ".submit-row input[name='_save'], .submit-row a.closelink, .submit-row input[type='submit']"


@pytest.fixture
def demo_data():
    demo.load(password=PASSWORD)
    conference_demo.load()
    personas.admin("quantri", first_name="Quang Huy", last_name="Lê")
    # An API token, so that the administrator's token list (which adds none: people take their
    # own on the portal) has a record to open.
    token_services.token_issue(User.objects.get(username="tphcm"), address="127.0.0.1")


def _admin_lists(page, url) -> list[str]:
    """The changelists the index links to, in its order (every model the role may open)."""
    page.goto(url("/quan-tri/"))
    expect(page.locator("#content-main")).to_be_visible()
    links = page.locator("#content-main th[scope='row'] a")
    hrefs = links.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    return list(dict.fromkeys(hrefs))


def _slug(href: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", href.removeprefix("/quan-tri/").lower()).strip("-") or "index"


@pytest.mark.parametrize("role", ROLES)
def test_every_changelist_and_main_change_form_fits_the_laptop_and_keeps_its_action_on_a_phone(
    page, url, demo_data, role
):
    username, password = ROLES[role]
    folder = SHOTS / f"admin-screens-{role}"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    log_in(page, url, username, password)
    lists = _admin_lists(page, url)
    assert len(lists) >= 4, lists  # every role enters data in several lists

    problems: list[str] = []
    visited: list[str] = []

    def check(href: str, kind: str, action: str) -> None:
        name = f"{len(visited) + 1:02d}-{kind}-{_slug(href)}"
        visited.append(href)
        page.set_viewport_size(LAPTOP)
        page.goto(url(href))
        expect(page.locator("#content")).to_be_visible()
        scroll_width, inner_width = page.evaluate(WIDTHS)
        if scroll_width > inner_width:
            problems.append(f"{href} at 1366: {scroll_width}px wide > {inner_width}px")
        problems.extend(f"{href} at 1366: scrolls inside {box}" for box in page.evaluate(INNER_SCROLLS))
        page.screenshot(path=str(folder / f"{name}-1366.png"))
        page.set_viewport_size(PHONE)
        main_action = page.locator(action).first
        if not main_action.count():
            problems.append(f"{href}: no main action ({action})")
        else:
            main_action.scroll_into_view_if_needed()
            if not main_action.evaluate(ON_SCREEN):
                problems.append(f"{href} at 390: the main action is off the screen")
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(folder / f"{name}-390.png"))

    for href in lists:
        check(href, "list", CHANGELIST_ACTION)
        page.set_viewport_size(LAPTOP)
        first = page.locator("#result_list tbody tr").first.locator("th a, td a").first
        record = first.get_attribute("href") if first.count() else None
        if record and re.search(r"/\d+/change/$", record):
            check(record, "form", FORM_ACTION)

    assert visited, "no admin page was opened"
    assert not problems, f"{role}: pages that do not fit:\n" + "\n".join(problems)


def test_a_date_field_has_no_time_zone_note_when_the_browser_is_not_in_vietnam(browser, live_server, url, demo_data):
    # Paris is 6 hours behind Hà Nội in winter: Django's admin would add its note under each date field.
    context = browser.new_context(viewport=LAPTOP, locale="vi-VN", timezone_id="Europe/Paris")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        assert page.evaluate("() => new Date().getTimezoneOffset()") in (-60, -120)
        log_in(page, url, "tphcm", PASSWORD)
        page.goto(url("/quan-tri/programmes/disbursement/add/"))
        page.wait_for_load_state("load")
        date_field = page.locator("input.vDateField").first
        expect(date_field).to_be_visible()
        # DateTimeShortcuts ran (its calendar link sits beside the field) and added no note.
        expect(page.locator(".datetimeshortcuts").first).to_be_visible()
        expect(page.locator(".timezonewarning")).to_have_count(0)
        expect(page.locator("#content")).not_to_contain_text("máy chủ")
        expect(page.locator("#content")).not_to_contain_text("Note")
        # The calendar's "today" is still Vietnam's day (the server's offset is kept).
        assert page.locator("body").get_attribute("data-admin-utc-offset") == "25200"
        folder = SHOTS / "admin-screens-date-note"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "disbursement-add-paris.png"))
        assert not errors, errors
    finally:
        context.close()
