-- wrk script of the load benchmark (tests/perf/test_load_bench.py).
--
--   wrk -t2 -c20 -d20s --latency -s sessions.lua http://127.0.0.1:PORT -- requests.tsv
--
-- requests.tsv has one signed-in session per line, tab-separated:
--   method, path, body, etag key, then any number of "Name: value" headers
-- (cookies, CSRF token, Referer, Origin, htmx headers). Requests take the sessions in turn,
-- each thread starting at a different one, so every session is used all through the run.
--
-- A session with an etag key polls like the live meeting page: its first request has no
-- If-None-Match; the ETag of a response (which names the user: ...-u<pk>-...) is sent back
-- as If-None-Match by every later request of that key in this thread.
--
-- done() prints one line, "BENCHJSON {...}", with the summary, latency percentiles (us) and
-- a count of responses by status, which the test reads.

local sessions = {}
local next_index = 1
local etags = {}
statuses = {}

local function split(line)
  local fields, start = {}, 1
  while true do
    local stop = string.find(line, "\t", start, true)
    if not stop then
      table.insert(fields, string.sub(line, start))
      return fields
    end
    table.insert(fields, string.sub(line, start, stop - 1))
    start = stop + 1
  end
end

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  local file = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  for line in file:lines() do
    if #line > 0 then
      local fields = split(line)
      local headers = {}
      for i = 5, #fields do
        local name, value = string.match(fields[i], "^([^:]+):%s?(.*)$")
        if name then
          headers[name] = value
        end
      end
      table.insert(sessions, {
        method = fields[1],
        path = fields[2],
        body = fields[3] ~= "" and fields[3] or nil,
        etag_key = fields[4],
        headers = headers,
      })
    end
  end
  file:close()
  assert(#sessions > 0, "no sessions in " .. path)
  next_index = ((thread_number or 0) * 7) % #sessions + 1
end

function request()
  local session = sessions[next_index]
  next_index = next_index % #sessions + 1
  local headers = session.headers
  if session.etag_key ~= "" then
    local copy = {}
    for name, value in pairs(headers) do
      copy[name] = value
    end
    local tag = etags[session.etag_key]
    if tag then
      copy["If-None-Match"] = tag
    end
    headers = copy
  end
  return wrk.format(session.method, session.path, headers, session.body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local tag = headers["ETag"] or headers["Etag"] or headers["etag"]
  if tag then
    local user = string.match(tag, "%-u(%d+)%-")
    if user then
      etags[user] = tag
    end
  end
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local theirs = thread:get("statuses")
    if theirs then
      for status, n in pairs(theirs) do
        counts[status] = (counts[status] or 0) + n
      end
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}, ' ..
    '"statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ", ")
  ))
end
