""" "Download Excel" of the conferences' lists: the conferences region by region and the
recommendations tracker, beside the pages they copy (conferences.views), written by
programmes.exports.download. Each is its page's twin: the same gate, the same filters parsed by
the same code, the same rows from the same selector.
"""

from collections.abc import Iterator

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.gates import role_gate
from common.i18n import localized
from common.list_excel import DATE, LONG_TEXT, NUMBER, Column, chosen_filters, filename
from programmes.exports import download

from . import selectors, views


def conference_columns() -> list[Column]:
    return [
        Column(_("Region"), 24),
        Column(capfirst(_("edition")), 9),
        Column(_("Year"), 7, NUMBER),
        Column(capfirst(_("start date")), 12, DATE),
        Column(_("Host province"), 22),
        Column(capfirst(_("city")), 24),
        Column(capfirst(_("next host (receives the flag)")), 26),
        Column(_("Year of the next conference"), 14, NUMBER),
        Column(_("Note"), 40, LONG_TEXT),
    ]


def conference_rows(chains) -> Iterator[list]:
    """The rows of `conferences.selectors.conference_chains`: region by region, newest first."""
    for chain in chains:
        region = localized(chain.region.name, chain.region.name_en)
        for link in chain.links:
            conference = link.conference
            following = conference.next_host_province
            note = ""
            if link.handover_kept is False:
                note = _("The %(year)s conference was held in %(province)s.") % {
                    "year": link.handover_year,
                    "province": link.following.host_province.name,
                }
            yield [
                region,
                conference.edition_roman,
                conference.year,
                conference.start_date,
                conference.host_province.name,
                conference.city,
                following.name if following else "",
                link.handover_year if following else None,
                note,
            ]


def recommendation_columns() -> list[Column]:
    return [
        Column(_("Conference"), 24),
        Column(capfirst(_("start date")), 12, DATE),
        Column(_("Recommendation"), 60, LONG_TEXT),
        Column(_("Raised by"), 28, LONG_TEXT),
        Column(_("Addressed to"), 28, LONG_TEXT),
        Column(_("Status"), 16),
        Column(capfirst(_("resolved on")), 12, DATE),
        Column(_("Response"), 50, LONG_TEXT),
    ]


def recommendation_rows(recommendations) -> Iterator[list]:
    """The rows of `conferences.selectors.recommendation_list`, in its order."""
    for item in recommendations:
        conference = item.conference
        region = localized(conference.region.name, conference.region.name_en)
        yield [
            f"{region} {conference.edition_roman}",
            conference.start_date,
            item.text,
            item.raised_by,
            item.addressee_label,
            str(item.get_status_display()),
            item.resolved_on,
            item.response,
        ]


@role_gate(views.may_view_conferences, gettext_lazy("You are not allowed to see the conferences."))
def conferences_xlsx(request):
    """The regional conferences, region by region (`conferences.selectors.conference_chains`)."""
    return download(
        request,
        title=_("Regional conferences"),
        filters=[],
        columns=conference_columns(),
        rows=conference_rows(selectors.conference_chains()),
        name=filename("hoi-nghi"),
    )


@role_gate(views.may_view_conferences, gettext_lazy("You are not allowed to see the conferences."))
def recommendations_xlsx(request):
    """The recommendations tracker (`conferences.selectors.recommendation_list`) for the same filters."""
    filters = views.recommendation_filters(request.GET)
    if not filters.valid:
        return views.recommendation_list(request)  # the tracker with its message, 400
    rows = selectors.recommendation_list(status=filters.status, addressee=filters.addressee)
    return download(
        request,
        title=_("Recommendations tracker"),
        filters=chosen_filters(filters.form, {"status": filters.status, "addressed_to": filters.addressee}),
        columns=recommendation_columns(),
        rows=recommendation_rows(rows),
        name=filename("kien-nghi"),
    )
