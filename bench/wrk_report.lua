-- wrk script of bench/load_bench.py: counts non-2xx answers in every thread and prints, at the
-- end, one line of JSON with the totals and the latency percentiles (wrk's --latency report
-- has no 95th percentile).
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

-- WRK_PATHS: a file of paths, one a line, requested in turn (a mix of URLs); unset: wrk's URL.
local paths_file = os.getenv("WRK_PATHS")

function init(args)
    non2xx = 0
    counter = 0
    paths = {}
    if paths_file then
        for line in io.lines(paths_file) do
            if line ~= "" then table.insert(paths, line) end
        end
    end
end

function request()
    if #paths == 0 then
        return wrk.request()
    end
    counter = counter + 1
    return wrk.format(nil, paths[(counter % #paths) + 1])
end

function response(status, headers, body)
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
    end
end

function done(summary, latency, requests)
    local bad = 0
    for _, thread in ipairs(threads) do
        bad = bad + thread:get("non2xx")
    end
    io.write(string.format(
        'WRK {"requests": %d, "duration_us": %d, "non2xx": %d, "connect": %d, "read": %d, "write": %d, ' ..
        '"timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
        summary.requests, summary.duration, bad, summary.errors.connect, summary.errors.read,
        summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(95),
        latency:percentile(99), latency.max))
end
