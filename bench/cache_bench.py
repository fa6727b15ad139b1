"""The figures' cache in-process: the summary API and `selectors.summary` with the cache and
without it, side by side (bench/run.py part "cache").

Each request goes through Django's test client with a ministry official's token (all
middleware, the token, the role, the filter form, the JSON), so only the network and gunicorn
are left out; the numbers hold with other load on the machine better than wrk's, because each
call's own work is measured (wall clock and this process's CPU time). Measured, interleaved:

- one URL (the nation's summary of YEAR), cache off and cache on (a hit after the first call);
- the mix of the load test (`load_bench.mix_paths`: every year 2016–2026 × the nation, the
  regions and six provinces), cache off, and cache on once every entry is stored;
- the mix again with the cache on while `load_bench.Writer` writes 5 disbursements a second
  through the services (each invalidating the summaries of its year): the share of hits, the
  requests' latencies, and the writes committed;
- `selectors.summary` for the nation: a hit, and a miss (computed and stored), against the
  summary computed without the cache.

Before any timing, the cached answers are asserted identical to the uncached ones.
"""

import time

from django.test import override_settings

from bench.common import Section, log, median, met, ms, p95, table

YEAR = 2025
HIT_TARGET_MS = 30  # issue 20, item 3: the in-process national summary ≤ 30 ms


def _client(user):
    from django.test import Client

    from accounts.models import ApiToken

    _instance, token = ApiToken.objects.create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def _timed(call) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.thread_time()
    call()
    return time.perf_counter() - wall, time.thread_time() - cpu


def run(*, repeats: int, ministry_user) -> Section:
    from django.core.cache import caches

    from bench.load_bench import WRITES_PER_S, Writer, mix_paths
    from programmes.selectors import summary
    from programmes.selectors.figure_cache import CACHE

    client = _client(ministry_user)
    url = f"/api/v1/reports/summary/?year={YEAR}"
    mix = mix_paths()
    caches[CACHE].clear()

    def get(path: str, cached: bool) -> bytes:
        with override_settings(FIGURES_CACHE=cached):
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.content

    # The same answers with and without the cache (the second cached call is a hit).
    for path in [url, *mix]:
        expected = get(path, False)
        assert get(path, True) == expected == get(path, True), path
    log(f"cache: {len(mix) + 1} summaries identical through the cache and without it")

    samples: dict[str, list[tuple[float, float]]] = {"off": [], "on": [], "mix off": [], "mix on": []}
    for index in range(repeats):
        order = [("off", False), ("on", True)] if index % 2 == 0 else [("on", True), ("off", False)]
        for name, cached in order:
            samples[name].append(_timed(lambda cached=cached: get(url, cached)))
        for name, cached in (
            (("mix off", False), ("mix on", True)) if index % 2 else (("mix on", True), ("mix off", False))
        ):
            for path in mix[index % 10 :: 10]:  # a tenth of the mix per round, a different tenth each
                samples[name].append(_timed(lambda path=path, cached=cached: get(path, cached)))

    # The mix under writes: which requests hit (2 queries of figures instead of 11).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    under_writes, hits = [], 0
    started = time.monotonic()
    with Writer(WRITES_PER_S) as writer:
        while time.monotonic() - started < max(4, repeats):
            for path in mix:
                with CaptureQueriesContext(connection) as queries:
                    under_writes.append(_timed(lambda path=path: get(path, True)))
                hits += not any("programmes_budgetplan" in q["sql"] for q in queries.captured_queries)
    seconds = time.monotonic() - started
    written, refused = writer.written, writer.refused

    # selectors.summary for the nation, in-process: a hit, a miss, and no cache.
    in_process: dict[str, list[tuple[float, float]]] = {"hit": [], "miss": [], "off": []}
    with override_settings(FIGURES_CACHE=True):
        summary(year=YEAR)
        for _ in range(repeats):
            in_process["hit"].append(_timed(lambda: summary(year=YEAR)))
            caches[CACHE].clear()
            in_process["miss"].append(_timed(lambda: summary(year=YEAR)))
    with override_settings(FIGURES_CACHE=False):
        for _ in range(repeats):
            in_process["off"].append(_timed(lambda: summary(year=YEAR)))

    def row(label: str, what: str, values: list[tuple[float, float]]) -> list[str]:
        walls, cpus = [w for w, _c in values], [c for _w, c in values]
        return [label, what, str(len(values)), ms(median(walls)), ms(p95(walls)), ms(median(cpus))]

    hit_ms = median([w for w, _c in in_process["hit"]]) * 1000
    rows = [
        row("API, one URL, cache off", f"`{url}`", samples["off"]),
        row("API, one URL, cache on", f"`{url}`", samples["on"]),
        row("API, mix, cache off", f"{len(mix)} URLs", samples["mix off"]),
        row("API, mix, cache on", f"{len(mix)} URLs", samples["mix on"]),
        row(f"API, mix, cache on, {WRITES_PER_S} writes/s", f"{len(mix)} URLs", under_writes),
        row("`summary()` nation, cache off", f"year {YEAR}", in_process["off"]),
        row("`summary()` nation, cache miss (computed, stored)", f"year {YEAR}", in_process["miss"]),
        row("`summary()` nation, cache hit", f"year {YEAR}", in_process["hit"]),
    ]
    return Section(
        "The figures' cache, in-process",
        intro=[
            "The summary API through Django's test client with a ministry official's token, and",
            "`selectors.summary`, with the figures' cache (`FIGURES_CACHE`, the database cache here) and",
            f"without it, interleaved, {repeats} rounds; times in ms (wall clock of the call, and the CPU time",
            "of this process during it, which other load on the machine inflates less). The mix is the",
            "load test's; with the cache on it is measured once every entry is stored. Before any timing",
            f"every answer ({len(mix) + 1} summaries) was asserted identical through the cache and without it.",
        ],
        tables=[table(["what", "URLs", "calls", "median", "p95", "CPU median"], rows, "llrrrr")],
        notes=[
            f"Under writes: {written} disbursements committed in {seconds:.0f} s ({written / seconds:.1f}/s; "
            f"{refused} refused by a rule), while {len(under_writes)} requests of the mix ran: {hits} hits "
            f"({hits / max(1, len(under_writes)):.0%}); each write invalidates the summaries that read its year "
            f"(here {YEAR + 1} and the mix's {YEAR + 1} URLs), the other years' stay cached.",
        ],
        targets=[
            [
                f"in-process national summary ≤ {HIT_TARGET_MS} ms (through the cache: a hit)",
                f"hit {hit_ms:.1f} ms; miss {median([w for w, _c in in_process['miss']]) * 1000:.1f} ms; "
                f"without the cache {median([w for w, _c in in_process['off']]) * 1000:.1f} ms",
                met(hit_ms <= HIT_TARGET_MS),
            ]
        ],
        missed=[] if hit_ms <= HIT_TARGET_MS else [f"cache: national summary hit {hit_ms:.1f} ms"],
    )
