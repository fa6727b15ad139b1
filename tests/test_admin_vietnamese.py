"""The admin speaks Vietnamese to everybody: a walker opens, as each role, every admin page it can
reach from the index (each list, a filtered list, the add page, a record's change, history and
delete pages, the project's step screen, the password page) and fails on any English word a
user sees in Vietnamese mode: the page's text, its title, the attributes read aloud or shown
(title, aria-label, placeholder, alt, buttons' values) and the inline rows' "add another" texts.

Words are checked against ENGLISH, a list of common English words that no Vietnamese sentence
of the portal uses (Vietnamese words without tone marks, such as "to", "in" or "an", are left
out); proper names and codes are the records' own data and are not in it.
"""

import datetime
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from programmes import services
from programmes.models import (
    CollaboratorNetwork,
    ExtensionCentre,
    IndicatorTarget,
    ProjectStatus,
    ReportingPeriod,
)
from programmes.services import accounts as account_services
from tests import factories
from tests.conferences import helpers as conference_helpers

pytestmark = pytest.mark.django_db

ENGLISH_WORDS = """
the and of for with from this that these those your you are is was were be been has have
add added adding change changed changing delete deleted deleting remove removed view select
selected choose chosen filter filters by save saved history password passwords permission
permissions user users group groups can cannot action actions run go search show hide counts
all none yes today now calendar clear date time note hour hours ahead behind server zone
object objects item items entry entries another other more home log logout login welcome
site documentation sure back take me previous next page results total edit new unknown
required optional help invalid error errors please correct below above field fields value
values enter valid number format full path agent data meta expires locked failed failures
logins session sessions token tokens key created access attempt attempts content type name
first last email address active staff status superuser important dates joined personal info
authentication enabled disabled available recent my without raw stored there way see
letters digits only characters or less display recently used shown here click true false
"""
ENGLISH = frozenset(ENGLISH_WORDS.split())
# Words of the list that are also the portal's own Vietnamese-facing codes or names.
ALLOWED = frozenset({"KCQG", "KCĐP", "PDF", "Excel", "API", "URL", "ID", "IP", "HTTP", "GET", "POST", "Email"})
# Django's Vietnamese renders some admin phrases word for word; the portal's catalogue replaces
# them, and these must not come back (issue 15 quotes each of them).
CALQUES = re.compile(
    r"để thay đổi|\bBởi |Thêm vào|Thêm một [A-ZĐ]|Bạn muốn xóa|Chào mừng bạn|Có, tôi chắc chắn|đưa tôi trở lại"
    r"|Hoạt động:|0 của \d+ được chọn|Không có sẵn"
)
# Typed data is the user's own: the text of a textarea is not the page speaking.
SKIPPED_TAGS = {"script", "style", "template", "noscript", "textarea"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
# A word, or a code written as one (KCQG-2026-79-001, vocational_training, lan.nguyen): codes
# are the records' identifiers, not the page speaking, and are skipped.
TOKEN = re.compile(r"\w+(?:[._\-]\w+)*")


VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The text a person sees or hears on a page, and the page's links. Text inside an element
    marked lang="en" (an English name shown as such) is English on purpose and left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, whether its text is left out)

    def _quiet(self) -> bool:
        return any(quiet for _tag, quiet in self._open)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        quiet = tag in SKIPPED_TAGS or (attributes.get("lang") or "").startswith("en")
        if tag not in VOID_TAGS:
            self._open.append((tag, quiet))
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if quiet or self._quiet():
            return
        for name in READ_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button", "reset") and attributes.get("value"):
            self.parts.append(attributes["value"])
        if attributes.get("data-inline-formset"):
            options = json.loads(attributes["data-inline-formset"]).get("options", {})
            self.parts.extend(str(options.get(key, "")) for key in ("addText", "deleteText"))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        if not self._quiet() and data.strip():
            self.parts.append(data)


def english_phrases(html: str) -> list[str]:
    """The pieces of visible text of `html` that contain an English word of ENGLISH, or one of
    the word-for-word renderings of CALQUES."""
    parser = VisibleText()
    parser.feed(html)
    found = []
    for part in parser.parts:
        words = [word for word in TOKEN.findall(part) if word not in ALLOWED and not re.search(r"[._\-\d]", word)]
        if any(word.isascii() and word.lower() in ENGLISH for word in words) or CALQUES.search(part):
            found.append(" ".join(part.split())[:160])
    return found


def links(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.links


@pytest.fixture
def world(db):
    """One record of every kind the admin lists, in a province the staff member works for."""
    hcm = factories.province("79", new_era=True)
    people = {
        "province_staff": factories.member("province_staff", hcm, username="canbo.hcm", last_name="Võ"),
        "ministry": factories.member("ministry", username="canbo.bo", first_name="Thu Hà", last_name="Trần"),
        "viewer": factories.member("viewer", username="nguoixem"),
        "admin": factories.member("admin", username="quantri", first_name="Quang Huy", last_name="Lê"),
        "superuser": factories.user("quantri.cap.cao", is_staff=True, is_superuser=True),
    }
    proposed = factories.project(hcm, 2026, status=ProjectStatus.PROPOSED, title="Đào tạo nghề mây tre")
    running = factories.project(hcm, 2026, status=ProjectStatus.IN_PROGRESS, title="Mô hình trình diễn")
    day = datetime.date(2026, 3, 2)
    services.disbursement_create(project=running, date=day, amount_vnd=Decimal(100_000_000))
    services.output_create(project=running, indicator=factories.indicator(), date=day, value=12)
    factories.budget_plan(hcm, 2026, 2_000_000_000)
    IndicatorTarget.objects.create(province=hcm, year=2026, indicator=factories.indicator(), target=300)
    ReportingPeriod.objects.create(province=hcm, year=2026, period="H1")
    centre = ExtensionCentre.objects.create(province=hcm, name="Trung tâm Khuyến công Thành phố Hồ Chí Minh")
    CollaboratorNetwork.objects.create(centre=centre, year=2026, district_collaborators=4)
    conference = conference_helpers.conference()
    conference_helpers.with_parts(conference, papers=1, recommendations=1, collectives=1)
    account_services.account_create(
        username="lan.nguyen", password="Khuyen-cong-2026!", role="province_staff", province=hcm, last_name="Nguyễn"
    )
    from axes.models import AccessAttempt, AccessLog

    from accounts.services import token_issue

    token_issue(people["ministry"], address="10.0.0.1")
    AccessAttempt.objects.create(
        username="ai.do", ip_address="10.0.0.1", user_agent="Trình duyệt", failures_since_start=3
    )
    AccessLog.objects.create(username="quantri", ip_address="10.0.0.1", user_agent="Trình duyệt")
    return {"people": people, "proposed": proposed}


ADMIN = "/quan-tri/"


LIST = re.compile(r"^/quan-tri/(\w+)/(\w+)/$")


def _get(client, url: str) -> str | None:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return None
    return response.content.decode()


def _admin_pages(client) -> dict[str, str]:
    """url → html of the pages a person reaches from the index: every app's page, every list,
    its first filtered version, its add page, and its first record's change page with the
    record's tools (history, delete, lifecycle step, password)."""
    pages: dict[str, str] = {}

    def visit(url: str) -> str | None:
        if url not in pages:
            html = _get(client, url)
            if html is None:
                return None
            pages[url] = html
        return pages[url]

    index = visit(reverse("admin:index"))
    for href in links(index):
        path = urlsplit(href).path
        if not path.startswith(ADMIN) or path.endswith(("/logout/", "/excel/")):
            continue
        if path.endswith("/add/"):
            visit(path)
            continue
        match = LIST.match(path)
        if not match:
            continue
        visit(f"{ADMIN}{match.group(1)}/")
        listing = visit(path)
        if listing is None:
            continue
        hrefs = links(listing)
        filtered = next((h for h in hrefs if h.startswith("?") and "o=" not in h and "_facets" not in h), None)
        if filtered:
            visit(path + filtered)
        record = next((h for h in hrefs if re.match(rf"^{re.escape(path)}\d+/change/$", h)), None)
        if record is None:
            continue
        change = visit(record)
        if change is None:
            continue
        base = record[: -len("change/")]
        for tool in {h for h in links(change) if urljoin(record, h).startswith(base)}:
            target = urljoin(record, tool)
            if urlsplit(target).path.rstrip("/").rsplit("/", 1)[-1] in ("history", "delete", "transition", "password"):
                visit(target)
    return pages


@pytest.mark.parametrize("role", ["province_staff", "ministry", "admin", "superuser"])
def test_every_admin_page_a_role_reaches_is_in_vietnamese(world, client, role):
    client.force_login(world["people"][role])
    pages = _admin_pages(client)
    assert len(pages) > 10, list(pages)
    problems = {url: sorted(set(found)) for url, html in pages.items() if (found := english_phrases(html))}
    assert problems == {}


def test_viewers_are_not_sent_to_an_english_page(world, client):
    client.force_login(world["people"]["viewer"])
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    assert english_phrases(response.content.decode()) == []


def test_the_walker_finds_english(world):
    assert english_phrases("<p>Select user to change</p>") == ["Select user to change"]
    assert english_phrases('<button aria-label="Show counts">x</button>') == ["Show counts"]
    assert english_phrases("<p>Chọn đề án để sửa</p><script>var add = 1;</script>") == []
    assert english_phrases("<p>Kinh phí KCQG: 1.000.000.000 đ, tải Excel</p>") == []
    assert english_phrases("<h1>Chọn đề án để thay đổi</h1><h3>Bởi trạng thái</h3>") == [
        "Chọn đề án để thay đổi",
        "Bởi trạng thái",
    ]
    assert english_phrases('<img src="x.svg" alt="True">') == ["True"]
    assert english_phrases('<div lang="en">Vocational training</div><p>province_staff, lan.nguyen</p>') == []
