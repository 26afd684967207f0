-- wrk script for benchmarks/rating_path.py: one connection per wrk thread (run with -t N -c N),
-- so each thread is one client doing its steps in order, and times them with a monotonic clock.
--
--   wrk -t32 -c32 -d10s -s wrk_flow.lua http://127.0.0.1:PORT -- MODE ARG NTHREADS
--
-- MODE plain        ARG = path            GET ARG again and again (e.g. /healthz)
-- MODE page         ARG = token file      GET /r/<token>, a fresh token each time
-- MODE submit       ARG = token file      GET /r/<token>, read the CSRF field and the session
--                                         cookie, POST the rating form: one full submission
-- MODE odoo_page    ARG = token file      GET /rate/<token>/5 (Odoo's rating module)
-- MODE odoo_submit  ARG = token file      GET /rate/<token>/5, then POST /rate/<token>/submit_feedback
--
-- The environment variable BENCH_THINK_MS, when set, makes each client wait, before each new page
-- or flow, a random 0.5x to 1.5x BENCH_THINK_MS: a paced load instead of back-to-back requests.
--
-- Thread i reads ARG.<i> (one token a line). Prints one line "BENCH_JSON {...}" at the end.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local CLOCK_MONOTONIC = 1

local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
    return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

-- main state: hand out thread numbers, keep the threads to collect their figures --------------
local threads = {}

function setup(thread)
    thread:set("thread_number", #threads)
    table.insert(threads, thread)
end

-- thread state -------------------------------------------------------------------------------
local mode, arg, tokens, next_token
local think_ms = tonumber(os.getenv("BENCH_THINK_MS") or "0")
local step, started, flow_started, current, cookie, csrf
lat_first, lat_second, lat_flow = {}, {}, {}
flows, bad, ran_out, first_bad_status = 0, 0, 0, 0

local FORM_TYPE = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local COMMENT = "The%20delivery%20was%20on%20time%20and%20the%20staff%20were%20kind."

function init(args)
    mode, arg = args[1], args[2]
    math.randomseed(thread_number * 7919 + 17)
    tokens, next_token = {}, 1
    if mode ~= "plain" then
        local file = assert(io.open(arg .. "." .. thread_number, "r"))
        for line in file:lines() do
            tokens[#tokens + 1] = line
        end
        file:close()
    end
    step = 1
end

local function take_token()
    local token = tokens[next_token]
    if token == nil then
        ran_out = ran_out + 1
        next_token = 1
        token = tokens[1]
    end
    next_token = next_token + 1
    return token
end

local paced_started = false
if think_ms > 0 then -- wrk takes the slower timer path for every request once delay() exists
    function delay()
        -- No wait before a client's first request: a browser sends its request as soon as it has
        -- connected (see RESULTS.md on gunicorn's gthread workers and idle new connections).
        if step == 1 and paced_started then
            return math.floor(think_ms * (0.5 + math.random()))
        end
        paced_started = true
        return 0
    end
end

local function get(path, headers)
    return wrk.format("GET", path, headers)
end

function request()
    started = now_ms()
    if mode == "plain" then
        return get(arg)
    end
    if step == 1 then
        flow_started = started
        current = take_token()
        if mode == "odoo_page" or mode == "odoo_submit" then
            return get("/rate/" .. current .. "/5")
        end
        return get("/r/" .. current)
    end
    local headers = { ["Content-Type"] = FORM_TYPE["Content-Type"], ["Cookie"] = cookie }
    if mode == "odoo_submit" then
        return wrk.format("POST", "/rate/" .. current .. "/submit_feedback", headers,
            "rate=5&feedback=" .. COMMENT .. "&csrf_token=" .. csrf)
    end
    return wrk.format("POST", "/r/" .. current, headers,
        "csrf_token=" .. csrf .. "&rating=5&respect=5&time=4&clarity=5&promptness=4&overall=5&comment=" .. COMMENT)
end

local function failed(status)
    bad = bad + 1
    if first_bad_status == 0 then
        first_bad_status = status
    end
    step = 1
end

local function url_encode(text)
    return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function response(status, headers, body)
    local elapsed = now_ms() - started
    if mode == "plain" or mode == "page" or mode == "odoo_page" then
        if status ~= 200 then
            return failed(status)
        end
        lat_first[#lat_first + 1] = elapsed
        flows = flows + 1
        return
    end
    if step == 1 then
        if status ~= 200 then
            return failed(status)
        end
        lat_first[#lat_first + 1] = elapsed
        local value = body:match('name="csrf_token"[^>]-value="([^"]+)"')
        local set_cookie = headers["Set-Cookie"] or headers["set-cookie"]
        if not value or not set_cookie then
            return failed(-1)
        end
        csrf = url_encode(value)
        cookie = set_cookie:match("^([^;]+)")
        step = 2
        return
    end
    step = 1
    if status ~= 200 then
        return failed(status)
    end
    lat_second[#lat_second + 1] = elapsed
    lat_flow[#lat_flow + 1] = now_ms() - flow_started
    flows = flows + 1
end

-- main state again: merge the threads' figures -------------------------------------------------
local function summary_of(values)
    table.sort(values)
    local n = #values
    if n == 0 then
        return "null"
    end
    local function at(p)
        return values[math.max(1, math.ceil(p * n))]
    end
    local sum = 0
    for _, v in ipairs(values) do
        sum = sum + v
    end
    return string.format('{"n": %d, "mean": %.3f, "p50": %.3f, "p90": %.3f, "p99": %.3f, "max": %.3f}',
        n, sum / n, at(0.50), at(0.90), at(0.99), values[n])
end

function done(summary, latency, requests)
    local merged = { first = {}, second = {}, flow = {} }
    local totals = { flows = 0, bad = 0, ran_out = 0, first_bad_status = 0 }
    for _, thread in ipairs(threads) do
        for name, key in pairs({ first = "lat_first", second = "lat_second", flow = "lat_flow" }) do
            for _, v in ipairs(thread:get(key)) do
                table.insert(merged[name], v)
            end
        end
        totals.flows = totals.flows + thread:get("flows")
        totals.bad = totals.bad + thread:get("bad")
        totals.ran_out = totals.ran_out + thread:get("ran_out")
        if totals.first_bad_status == 0 then
            totals.first_bad_status = thread:get("first_bad_status")
        end
    end
    local e = summary.errors
    io.write(string.format(
        'BENCH_JSON {"duration_s": %.3f, "http_requests": %d, "bytes": %d, "flows": %d, "bad": %d, ' ..
        '"first_bad_status": %d, "ran_out_of_tokens": %d, ' ..
        '"socket_errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
        '"first": %s, "second": %s, "flow": %s}\n',
        summary.duration / 1e6, summary.requests, summary.bytes, totals.flows, totals.bad,
        totals.first_bad_status, totals.ran_out, e.connect, e.read, e.write, e.status, e.timeout,
        summary_of(merged.first), summary_of(merged.second), summary_of(merged.flow)))
end
