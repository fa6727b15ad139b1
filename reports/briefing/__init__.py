"""A regional conference's briefing: the region's figures and its provinces' for the
conference's year, up to the last report before it (`build`), as a page and a workbook."""

from .build import Briefing, briefing_cutoff, build_briefing

__all__ = ["Briefing", "briefing_cutoff", "build_briefing"]
