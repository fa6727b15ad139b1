"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

Run with `make e2e` (or `pytest -m e2e tests/e2e`). Every test gets a fresh browser context
(1366×768, Vietnamese locale) whose console errors, page errors, failed requests and HTTP
error responses are recorded; a journey fails on any of them unless it declared that exact
response as expected (`page_watch.expect_status`), e.g. the 403 of a refused URL.

Screenshots of the key pages go to `screenshots/e2e/<test>/` (ignored by git) for a person to
look at; the tests assert what the user sees, never only that a page loaded.
"""

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# The live server runs in a thread of this process while Playwright's sync API runs an event
# loop in the test thread: Django's ORM refuses that unless told it is safe (it is, here).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots" / "e2e"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The browser of a Vietnamese user: dates typed and shown day first.
    "--lang=vi-VN",
]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # The page fixture reads this to keep a screenshot of the page a journey failed on.
    setattr(item, f"report_{report.when}", report)
    return report


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (make e2e installs it).")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageWatch:
    """What went wrong in the browser during a journey, and the HTTP errors it expected."""

    problems: list[str] = field(default_factory=list)
    expected: list[tuple[re.Pattern, int]] = field(default_factory=list)

    def expect_status(self, url_pattern: str, status: int) -> None:
        """Accept one HTTP error response (and Chromium's console line about it) for a URL."""
        self.expected.append((re.compile(url_pattern), status))

    def _is_expected(self, url: str, status: int) -> bool:
        return any(pattern.search(url) and status == wanted for pattern, wanted in self.expected)

    def on_response(self, response) -> None:
        if response.status >= 400 and not self._is_expected(response.url, response.status):
            self.problems.append(f"HTTP {response.status} {response.request.method} {response.url}")

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        # Chromium logs every 4xx/5xx resource as a console error: `on_response` judges those.
        if text.startswith("Failed to load resource: the server responded with a status of"):
            return
        self.problems.append(f"console error: {text} ({message.location.get('url', '')})")

    def on_request_failed(self, request) -> None:
        failure = request.failure or ""
        # Cancelled by the browser, not failed: a download handed to the download manager, or
        # a page's script still loading when the journey clicks on to the next page.
        if "net::ERR_ABORTED" in failure:
            return
        self.problems.append(f"request failed: {request.method} {request.url} {failure}")


@pytest.fixture
def page_watch():
    return PageWatch()


@pytest.fixture
def context(browser, request):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768},
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context, page_watch, live_server, request):
    page = context.new_page()
    page.on("response", page_watch.on_response)
    page.on("console", page_watch.on_console)
    page.on("pageerror", lambda error: page_watch.problems.append(f"page error: {error}"))
    page.on("requestfailed", page_watch.on_request_failed)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = SHOTS / request.node.name
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "failure.png"), full_page=True)
    assert not page_watch.problems, "the browser reported problems:\n" + "\n".join(page_watch.problems)


# What every key page must offer, checked where a journey takes a screenshot: the page fits
# the window's width (wide tables scroll inside their own box), and every visible form control
# has a name a screen reader can read (a <label>, aria-label or aria-labelledby).
PAGE_CHECKS = """() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push(`wider than the window: ${document.documentElement.scrollWidth}px > ${width}px`);
  }
  const controls = document.querySelectorAll("input, select, textarea");
  for (const control of controls) {
    if (["hidden", "submit", "button", "reset", "image"].includes(control.type)) continue;
    const box = control.getBoundingClientRect();
    const style = getComputedStyle(control);
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden") continue;
    const named = (control.labels && control.labels.length) || control.getAttribute("aria-label")
      || control.getAttribute("aria-labelledby") || control.getAttribute("title");
    if (!named) problems.push(`no label: <${control.tagName.toLowerCase()} name="${control.name}">`);
  }
  return problems;
}"""


@pytest.fixture
def shot(request, page, page_watch):
    """`shot(name)` checks the page (PAGE_CHECKS) and saves a full-page screenshot of it for a
    person to look at."""
    folder = SHOTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    counter = iter(range(1, 100))

    def take(name: str, *, target=None, full_page: bool = True) -> Path:
        page_watch.problems.extend(f"{name}: {problem}" for problem in page.evaluate(PAGE_CHECKS))
        path = folder / f"{next(counter):02d}-{name}.png"
        (target or page).screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def url(live_server):
    return lambda path: f"{live_server.url}{path}"


def log_in(page, url, username: str, password: str | None = None) -> None:
    """Log in through the login page as a person would (tests.factories gives every user the
    password "pw-<username>")."""
    password = password or f"pw-{username}"
    page.goto(url("/dang-nhap/"))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(url("/"))
    page.get_by_role("button", name="Đăng xuất").wait_for()


@pytest.fixture
def hcmc_staff(db):
    """A staff member of the new Hồ Chí Minh City (from 1 July 2025), who logs in as nhanvien.hcm."""
    from tests import factories

    province = factories.province("79", new_era=True)
    return factories.member("province_staff", province, username="nhanvien.hcm", first_name="Lan", last_name="Nguyễn")
